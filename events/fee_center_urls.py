"""费用中心 ▸ 消息通知 (a customer user's notifications), mounted at /fee-center/notifications/ by the root URLconf."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.fee_center_notifications, name="fee_center_notifications"),
    path("read-all/", views.fee_center_read_all, name="fee_center_notifications_read_all"),
    path("preferences/", views.fee_center_preferences, name="fee_center_notification_preferences"),
    path("<int:pk>/", views.fee_center_notification, name="fee_center_notification"),
]

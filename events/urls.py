"""消息通知 of the 伙伴中心, mounted at /notifications/ by the root URLconf."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("<int:pk>/", views.notification_detail, name="detail"),
]

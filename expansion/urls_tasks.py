"""Pages of 营销任务 › 销售拓展任务 and 委托 (names `expansion:<name>`; see expansion/views_tasks.py)."""

from django.urls import path

from . import views_tasks

urlpatterns = [
    path("tasks/", views_tasks.tasks, name="tasks"),
    path("tasks/export/", views_tasks.task_export, name="task_export"),
    path("tasks/<int:pk>/", views_tasks.task, name="task"),
    path("tasks/<int:pk>/progress/", views_tasks.task_progress, name="task_progress"),
    path("tasks/<int:pk>/close/", views_tasks.task_close, name="task_close"),
    path("tasks/entrustment/", views_tasks.entrustment, name="entrustment"),
    path("tasks/entrustment/cancel/", views_tasks.entrustment_cancel, name="entrustment_cancel"),
    path("tasks/entrusted/", views_tasks.entrusted, name="entrusted"),
    path("tasks/entrusted/<str:reseller_id>/", views_tasks.entrusted_reseller, name="entrusted_reseller"),
]

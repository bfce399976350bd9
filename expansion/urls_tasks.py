"""Pages of the tasks area (names `expansion:<name>`)."""

from django.urls import path

from . import views_tasks

urlpatterns = [
    path("tasks/", views_tasks.tasks, name="tasks"),
]

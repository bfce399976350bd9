"""Pages of the reviews area (see programs/urls.py): annual reviews and the guarded material download."""

from django.urls import path

from . import views_reviews as views

urlpatterns = [
    path("reviews/", views.review_list, name="reviews"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/upload/", views.review_upload, name="review_upload"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/materials/<int:material_pk>/remove/", views.review_material_remove,
         name="review_material_remove"),
    path("materials/<int:pk>/", views.material, name="material"),
]

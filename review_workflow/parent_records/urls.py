"""The parent's own records, under /me/ (the home 我的孩子 and 已授權的服務 live beside them)."""

from django.urls import path

from review_workflow.parent_records import views

urlpatterns = [
    path("profile/", views.parent_profile, name="parent_profile"),
    path("unbind/<int:link_id>/", views.parent_unbinding_request, name="parent_unbinding_request"),
    path("data/", views.parent_data, name="parent_data"),
]

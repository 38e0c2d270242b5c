from django.urls import path

from home.parent_home import parent_home

urlpatterns = [
    path("", parent_home, name="parent_home"),
]

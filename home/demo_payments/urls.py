from django.urls import path

from home.demo_payments import views

urlpatterns = [
    path("", views.home, name="demo_payments"),
    path("signin/", views.sign_in, name="demo_payments_signin"),
    path("callback/", views.callback, name="demo_payments_callback"),
    path("signout/", views.sign_out, name="demo_payments_signout"),
]

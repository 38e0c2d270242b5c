from django.urls import path

from binding_forms.accounts import views
from binding_forms.letters import views as letter_views

urlpatterns = [
    path("", views.signin, name="signin"),
    # A binding letter's QR code: the sign-in for that child, school and account filled in.
    path("letter/<str:code>/", letter_views.letter_signin, name="binding_letter"),
    path("password/", views.password_first_change, name="password_first_change"),
    path("signout/", views.signout, name="signout"),
    path("reset/", views.ParentPasswordResetView.as_view(), name="password_reset"),
    path("reset/sent/", views.ParentPasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        views.ParentPasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        views.ParentPasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

"""The provider's addresses, included at the site root: /oauth/…, /.well-known/…, tpeduSSO's
/api/v2/…, and the parent's /me/services/. tpeduSSO's clients call /oauth/authorize and
/oauth/token without a trailing slash: both forms answer."""

from django.urls import include, path, re_path
from oauth2_provider import views as oauth_views

from review_workflow.single_sign_on import views

# The names django-oauth-toolkit reverses (discovery lists them); its application-management
# and dynamic-registration views are left out: services are registered in the Wagtail admin.
provider_patterns = [
    re_path(r"^oauth/authorize/?$", views.ServiceAuthorizationView.as_view(), name="authorize"),
    re_path(r"^oauth/token/?$", oauth_views.TokenView.as_view(), name="token"),
    re_path(r"^oauth/revoke/?$", oauth_views.RevokeTokenView.as_view(), name="revoke-token"),
    re_path(r"^oauth/userinfo/?$", oauth_views.UserInfoView.as_view(), name="user-info"),
    re_path(
        r"^oauth/logout/?$",
        oauth_views.RPInitiatedLogoutView.as_view(template_name="single_sign_on/logout.html"),
        name="rp-initiated-logout",
    ),
    re_path(
        r"^\.well-known/openid-configuration/?$",
        oauth_views.ConnectDiscoveryInfoView.as_view(),
        name="oidc-connect-discovery-info",
    ),
    path(".well-known/jwks.json", oauth_views.JwksInfoView.as_view(), name="jwks-info"),
]

urlpatterns = [
    path("", include((provider_patterns, "oauth2_provider"))),
    path("api/v2/me", views.tpedu_me_view, name="tpedu_me"),
    path("api/v2/email", views.tpedu_email_view, name="tpedu_email"),
    path("api/v2/profile", views.tpedu_profile_view, name="tpedu_profile"),
    path("me/services/", views.authorized_services, name="authorized_services"),
    path(
        "me/services/<int:consent_id>/revoke/",
        views.authorized_service_revoke,
        name="authorized_service_revoke",
    ),
]

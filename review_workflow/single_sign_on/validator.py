"""django-oauth-toolkit's validator with the portal's rules: PKCE, claims, who may sign in."""

from oauth2_provider.models import AbstractApplication
from oauth2_provider.oauth2_validators import OAuth2Validator

from review_workflow.single_sign_on.services import (
    parent_claims,
    service_sign_in_refusal,
    subject_for,
)


class PortalOAuth2Validator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "role": "profile",
        "children": "children",
    }

    def is_pkce_required(self, client_id, request):
        application = self._load_application(client_id, request)
        if application is None:
            return True
        return application.client_type == AbstractApplication.CLIENT_PUBLIC or (
            application.pkce_required
        )

    def get_additional_claims(self, request):
        scopes = list(request.scopes or [])
        return {
            "sub": subject_for(user=request.user),
            **parent_claims(user=request.user, scopes=scopes),
        }

    def validate_refresh_token(self, refresh_token, client, request, *args, **kwargs):
        # A parent locked out, or no longer a parent, keeps no service signed in by refreshing.
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        return service_sign_in_refusal(user=request.user, scopes=[]) is None

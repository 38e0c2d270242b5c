"""django-oauth-toolkit's validator with the portal's rules: PKCE, claims, who may sign in."""

from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from oauth2_provider.models import AbstractApplication, get_application_model
from oauth2_provider.oauth2_validators import OAuth2Validator

from review_workflow.single_sign_on.hashers import CLIENT_SECRET_HASHER
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

    def _check_secret(self, provided_secret, stored_secret):
        # django-oauth-toolkit's own check (a private method: its one place where the secret is
        # compared), plus the upgrade: a secret hashed before CLIENT_SECRET_HASHER (PBKDF2 at
        # 1.5M iterations, ~1.6 s a token request on these machines) is rehashed with the fast
        # hasher at its first right answer. Pinned by
        # tests/single_sign_on/test_client_secrets.py.
        try:
            identify_hasher(stored_secret)
        except ValueError:  # a secret stored in clear (hash_client_secret off)
            return super()._check_secret(provided_secret, stored_secret)
        return check_password(
            provided_secret,
            stored_secret,
            setter=lambda secret: _client_secret_rehash(stored_secret, secret),
            preferred=CLIENT_SECRET_HASHER,
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


def _client_secret_rehash(stored_secret: str, secret: str) -> None:
    """Stores ``secret`` hashed the current way, where the old hash is still the stored one (a
    concurrent request that upgraded it first wins; the salted hash names one service)."""
    get_application_model().objects.filter(client_secret=stored_secret).update(
        client_secret=make_password(secret, hasher=CLIENT_SECRET_HASHER)
    )

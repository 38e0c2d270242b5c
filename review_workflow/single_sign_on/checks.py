from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def signing_key_configured(app_configs, **kwargs):
    """Tokens cannot be signed without a key; only dev and test settings generate one."""
    if settings.OAUTH2_PROVIDER.get("OIDC_RSA_PRIVATE_KEY"):
        return []
    return [
        checks.Error(
            "OIDC_RSA_PRIVATE_KEY is not set: the OpenID Connect provider cannot sign tokens.",
            hint="Set OIDC_RSA_PRIVATE_KEY (an RSA private key in PEM) in the environment.",
            id="single_sign_on.E001",
        )
    ]

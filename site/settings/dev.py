"""Local development: DEBUG on, a throwaway secret, any local host."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-never-used-in-production")
PERSONAL_DATA_KEY = os.environ.get("PERSONAL_DATA_KEY", "dev-only-personal-data-key")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")  # noqa: F405

# Browser tests type "PASSED" into the captcha; only dev and test settings honour this switch.
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE")  # noqa: F405

# Signing key for the OpenID Connect provider: one generated once into var/ unless configured,
# so tokens survive the reloader; the demo service at /demo/payments/ runs on plain http.
OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = OAUTH2_PROVIDER[  # noqa: F405
    "OIDC_RSA_PRIVATE_KEY"
] or generated_rsa_key(VAR_DIR / "oidc-dev-key.pem")  # noqa: F405
OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = ["http", "https"]  # noqa: F405

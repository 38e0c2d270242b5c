"""The test suite: fast hashing, anymail's test backend, immediate tasks."""

import django

from .base import *  # noqa: F403

SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
PERSONAL_DATA_KEY = "test-only-personal-data-key"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
DEBUG = False

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    CLIENT_SECRET_HASHER_CLASS,  # noqa: F405  (services' secrets: the hasher production uses)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # secrets hashed before it
]
MAIL_BACKEND = "anymail.backends.test.EmailBackend"
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": MAIL_BACKEND}}
else:
    EMAIL_BACKEND = MAIL_BACKEND
TASKS = {
    "default": {"BACKEND": IMMEDIATE_TASKS},  # noqa: F405
    "background": {"BACKEND": IMMEDIATE_TASKS},  # noqa: F405
}

MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES["reviewed_forms"]["OPTIONS"]["location"] = VAR_DIR / "test-private"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
CAPTCHA_TEST_MODE = env_bool("CAPTCHA_TEST_MODE")  # noqa: F405
WAGTAILADMIN_BASE_URL = "http://testserver"

# Signing keys for the OpenID Connect provider: a fresh one per run unless one is configured.
OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] = (  # noqa: F405
    OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"] or generated_rsa_key()  # noqa: F405
)
OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = ["http", "https"]  # noqa: F405

"""Production settings for the benchmarks: served over plain HTTP on loopback, with the Wagtail
form page the wizard is compared with installed beside the portal, and a bare Django view
(benchmarks/urls.py) the others are compared with.

The scripts set SECRET_KEY, PERSONAL_DATA_KEY, ALLOWED_HOSTS, DATABASE_URL, OIDC_RSA_PRIVATE_KEY
and TASK_BACKEND in the environment before this module is imported (benchmarks/harness.py;
production refuses to start without the first three).
"""

import os

import django
from django.core.exceptions import ImproperlyConfigured
from portal.settings.production import *  # noqa: F403

# The peer: a Wagtail form page (wagtail.contrib.forms is installed by the site: its editors'
# forms build on it).
INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.peer"]  # noqa: F405
ROOT_URLCONF = "benchmarks.urls"
DEBUG = False

# Plain http on 127.0.0.1: no TLS redirect, no HSTS, cookies that travel without TLS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Only the set-up hashes passwords (a few thousand student accounts); no measured request does,
# since the clients' sessions are created directly. PBKDF2 would make the set-up take minutes.
# benchmarks/sso.py keeps production's hashers (BENCH_PRODUCTION_HASHERS): the token endpoint
# checks the service's client secret with one on every request. Client secrets keep their own
# hasher either way (production's, single_sign_on.hashers).
if not os.environ.get("BENCH_PRODUCTION_HASHERS"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", CLIENT_SECRET_HASHER_CLASS]  # noqa: F405

# benchmarks/sso.py mints its authorization codes before the rounds: they live longer than
# production's minute (BENCH_SSO_CODE_SECONDS); nothing measured depends on it.
if code_seconds := os.environ.get("BENCH_SSO_CODE_SECONDS"):
    OAUTH2_PROVIDER["AUTHORIZATION_CODE_EXPIRE_SECONDS"] = int(code_seconds)  # noqa: F405

# The same mail backend for both pages: kept in memory, so no SMTP round trip is measured.
MAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": MAIL_BACKEND}}
else:
    EMAIL_BACKEND = MAIL_BACKEND

# Static files: the plain storage, so no collectstatic is needed. Both pages extend base.html
# and so make the same single {% static %} lookup.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}

# --no-route-memory: Wagtail's own routing only, to measure what the wizard's middleware gains.
if os.environ.get("BENCH_NO_ROUTE_MEMORY"):
    KEPT = [m for m in MIDDLEWARE if not m.endswith(".WizardRouteMiddleware")]  # noqa: F405
    if len(KEPT) != len(MIDDLEWARE) - 1:  # noqa: F405
        raise ImproperlyConfigured("--no-route-memory: the wizard's routing middleware is gone")
    MIDDLEWARE = KEPT

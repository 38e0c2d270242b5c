"""Settings shared by every environment.

Everything that differs between a laptop and production comes from the environment; with nothing
set the site runs on SQLite in ``var/``, prints mail to the console and runs tasks immediately.
"""

import datetime
import importlib.util
import os
import shutil
from pathlib import Path

import dj_database_url
import django
from django.utils.translation import gettext_lazy

PROJECT_DIR = Path(__file__).resolve().parent.parent


def checkout_dir() -> Path:
    """The folder the apps, templates and translations are read from: the one holding ``home/``.
    With ``pip install -e .`` that is site/'s parent; a plain ``pip install .`` copies only the
    ``portal`` package into site-packages and the site is run from the checkout it was built
    from (where the build compiled the catalogs), so the apps' location decides, not this file's."""
    spec = importlib.util.find_spec("home")
    if spec is not None and spec.origin:
        return Path(spec.origin).resolve().parent.parent
    return PROJECT_DIR.parent


BASE_DIR = checkout_dir()
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def generated_rsa_key(path: Path | None = None) -> str:
    """A new RSA private key (PEM) for development and tests only, kept in ``path`` if given."""
    if path is not None and path.exists():
        return path.read_text()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(pem)
        path.chmod(0o600)
    return pem


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("SECRET_KEY", "")
# The secret behind the keyed digests and encrypted copies of ID numbers (see
# binding_forms/identity/personal_data.py). Never in the database; losing it makes the copies
# unreadable.
PERSONAL_DATA_KEY = os.environ.get("PERSONAL_DATA_KEY", "")
# What keeps personal values of reviewed forms' drafts (an applicant's ID number) encrypted.
REVIEWED_FORMS_CIPHER = "binding_forms.identity.personal_data"
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "home",
    "binding_forms",
    "review_workflow",
    "review_workflow.single_sign_on",
    "oauth2_provider",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    # English versions of what editors write (home/languages.py): Wagtail's own localisation.
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",
    "anymail",
    "captcha",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Wagtail's workflow status says "12 分鐘之前" with humanize's naturaltime: its translations
    # load only when the app is installed ("12 minutes ago" in a zh-Hant admin otherwise).
    "django.contrib.humanize",
    "django.forms",
]
# Widgets are rendered with the project's templates (the captcha widget is ours).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy (SECURE_CSP, ADMIN_CSP below): Django's own middleware on Django 6,
    # the same header from the same setting on 5.2 LTS (portal/csp.py).
    (
        "django.middleware.csp.ContentSecurityPolicyMiddleware"
        if django.VERSION >= (6, 0)
        else "portal.csp.ContentSecurityPolicyMiddleware"
    ),
    "portal.csp.PolicyChoiceMiddleware",
    # A sign-in on the way to a service may end in a redirect to it (single sign-on).
    "review_workflow.single_sign_on.middleware.ServiceFormActionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The portal home and bulletins for anonymous visitors, from the page cache: a hit runs no
    # query and none of the middleware below (home/page_cache.py).
    "home.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "home.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Signed-in pages: Cache-Control private, no-store (shared family phones).
    "home.middleware.SignedInNoStoreMiddleware",
    # Parents' and student accounts' sessions end after PARENT_SESSION_IDLE_MINUTES idle.
    "binding_forms.accounts.middleware.ParentSessionIdleMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "binding_forms.accounts.two_factor.TwoFactorRequiredMiddleware",
    "binding_forms.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # An admin URL whose id is not an integer answers 404 (some of Wagtail's would raise).
    "portal.admin_ids.AdminIdMiddleware",
    # Routes the wizard's steps from a checked memory instead of walking the page tree.
    "binding_forms.binding.routing.WizardRouteMiddleware",
    # django-axes must come last: it turns lockouts raised below it into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Databases: DATABASE_URL (postgres://user:pass@host:5432/name), else SQLite in var/.
if "DATABASE_URL" not in os.environ:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=0,
    )
}
# Wagtail's search index uses PostgreSQL's full-text fields there, which need this app.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "binding_forms.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading sign-in names as every entrance does (binding_forms.accounts).
    "binding_forms.accounts.backends.SignInNameBackend",
    "binding_forms.accounts.backends.StudentFirstPasswordBackend",
    "review_workflow.backends.ParentFirstPasswordBackend",
]
# A parent account's first password (last six digits of the ID number) stops working after this.
PARENT_FIRST_PASSWORD_DAYS = int(os.environ.get("PARENT_FIRST_PASSWORD_DAYS", "30"))
# Parents and student accounts, often on a shared phone: their session ends when the browser
# closes and after this many minutes without a request (binding_forms/accounts/sessions.py).
# Staff keep Django's SESSION_COOKIE_AGE (two weeks) and the admin's two-factor sign-in.
PARENT_SESSION_IDLE_MINUTES = int(os.environ.get("PARENT_SESSION_IDLE_MINUTES", "30"))
LOGIN_URL = "signin"
# Parents and student accounts sign in at /signin/ only (captcha, lockout); the admin's login
# takes staff only, and Wagtail's front-end login (/_util/login/) leads to /signin/.
WAGTAILADMIN_USER_LOGIN_FORM = "binding_forms.accounts.two_factor.StaffLoginForm"
WAGTAILADMIN_USER_PASSWORD_RESET_FORM = "binding_forms.accounts.two_factor.StaffPasswordResetForm"  # noqa: S105
WAGTAIL_FRONTEND_LOGIN_URL = LOGIN_URL
# Nor may editors protect a page or a document collection with a shared password: its form has
# neither captcha nor lockout. "Signed-in users" or groups restrict through /signin/.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}
# Parents land on their home (我的孩子); student accounts on the wizard (accounts/views.py).
LOGIN_REDIRECT_URL = "parent_home"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "binding_forms.accounts.password_validation.NotIdentityValidator"},
]
# Retention (PDPA Art. 11; manage.py retention, review_workflow/services/retention.py): a parent
# account with no active link is deleted after this many days (the city's SSO: 30); applicants'
# encrypted ID numbers are dropped this long after approval; unsent drafts after this long.
RETENTION_PARENT_ACCOUNT_DAYS = int(os.environ.get("RETENTION_PARENT_ACCOUNT_DAYS", "30"))
RETENTION_APPLICANT_ID_DAYS = int(os.environ.get("RETENTION_APPLICANT_ID_DAYS", "30"))
RETENTION_DRAFT_DAYS = int(os.environ.get("RETENTION_DRAFT_DAYS", "90"))
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # a parent's reset link works for one day

# Brute force (django-axes; binding_forms/accounts/lockout.py): AXES_FAILURE_LIMIT failed
# sign-ins lock an account, from any address, for AXES_COOLOFF_MINUTES (the account + address
# pair with it: its count is never higher). An address alone is locked only at
# AXES_ADDRESS_FAILURE_LIMIT failures over all accounts: schools and mobile carriers put many
# families behind one address. Behind a proxy, set AXES_PROXY_COUNT so the client's address is
# read from X-Forwarded-For.
AXES_HANDLER = "binding_forms.accounts.lockout.AccountThenAddressHandler"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("AXES_ADDRESS_FAILURE_LIMIT", "100"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 wants the address among these parameters; it is counted, by the handler's own rule.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# Failures are counted by the sign-in name in one form, whatever its case or width; a name
# holding an ID number is stored and logged as a keyed digest (binding_forms.accounts).
AXES_USERNAME_CALLABLE = "binding_forms.accounts.sign_in_name.axes_username"
AXES_LOCKOUT_TEMPLATE = "binding_forms/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Failures are kept too, so a parent's profile lists recent sign-ins that failed (with their
# successes, from axes' AccessLog); by sign-in name as above, never the password.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Kept out of the POST data axes records: secrets, and names typed in clear.
AXES_SENSITIVE_PARAMETERS = [
    "password",
    "account",
    "email",
    "username",
    "new_password1",
    "new_password2",
]
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("AXES_PROXY_COUNT", "0")) or None
# Without a trusted proxy in front, X-Forwarded-For is the client's to forge: ignore it.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Captcha (django-simple-captcha): five digits, easy to read aloud; an audio version is offered
# where the flite speech synthesiser is installed.
CAPTCHA_CHALLENGE_FUNCT = "binding_forms.accounts.captcha.digits_challenge"
CAPTCHA_LENGTH = 5
CAPTCHA_IMAGE_SIZE = (150, 50)
CAPTCHA_FONT_SIZE = 34
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_FLITE_PATH = os.environ.get("CAPTCHA_FLITE_PATH") or shutil.which("flite")

# Content-Security-Policy. The parent pages: everything from this site only, no inline script or
# style (signin.js is a file), no plugins, no framing. The 500 page's own few style rules (it must
# not depend on static files) are allowed by their hash; tests/portal/test_csp.py checks it.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'sha256-/mmUwQxknZxLPVuYYVlGJMU6wpS/al2jAkNSrnsnMuA='"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Wagtail's admin (everything under /admin/): Wagtail 8 writes inline scripts (InlinePanel, the
# date choosers) and style attributes, and has no nonces, so those need 'unsafe-inline'; still
# nothing from another site (no script, no fetch, no form target), no plugins, framed only by
# itself. Previews (of pages and of mail templates) keep SECURE_CSP, framed by the admin.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'self'"],
}

# Language: zh-Hant is the default whatever the browser asks for; English is one click away.
LANGUAGE_CODE = "zh-hant"
LANGUAGES = [
    ("zh-hant", "繁體中文"),
    ("en", "English"),
]
# What editors write has an English version too (wagtail.contrib.simple_translation's Translate):
# the same address serves it when English is chosen, the zh-Hant page where there is none yet.
# No language prefix in URLs: the language is the visitor's choice (cookie), as above.
WAGTAIL_I18N_ENABLED = True
# Named in the admin's language (the Translate screen, the locale menus), not in their own.
WAGTAIL_CONTENT_LANGUAGES = [
    ("zh-hant", gettext_lazy("Traditional Chinese")),
    ("en", gettext_lazy("English")),
]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STATICFILES_DIRS = [BASE_DIR / "templates" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Attachments of reviewed forms (a doctor's note): outside MEDIA_ROOT, never at a URL.
    "reviewed_forms": {
        "BACKEND": "binding_forms.reviewed_forms.storage.PrivateFileStorage",
        "OPTIONS": {
            "location": Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private")),
        },
    },
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Mail: printed on the console, readable (portal/console_mail.py: anymail's console backend,
# which keeps anymail's status and signals, with the text decoded); production sets
# EMAIL_BACKEND to an ESP backend and its keys in ANYMAIL_* variables.
MAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "portal.console_mail.EmailBackend")
# Django 6.1 replaces EMAIL_BACKEND with MAILERS; 5.2 LTS only knows EMAIL_BACKEND.
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": MAIL_BACKEND}}
else:
    EMAIL_BACKEND = MAIL_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "臺北市校務行政系統 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}
# ANYMAIL_WEBHOOK_SECRET ("user:password") secures the tracking webhook at /anymail/; the
# deployment check (review_workflow.W001) warns without it.

# Notification mail (review_workflow.mail): attempts per mail, and the first pause before a retry
# in seconds (then ×4 each time, at most six hours). ``manage.py mail_retry`` from cron resends
# what is due when the task backend cannot defer, or a task was lost.
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "5"))
MAIL_RETRY_DELAY = int(os.environ.get("MAIL_RETRY_DELAY", "60"))

# Background work. Ours (review starts, mail) goes to the "background" backend: immediate unless
# TASK_BACKEND names another (production: django_tasks_db.DatabaseBackend, run by
# ``manage.py db_worker --backend background``). Wagtail's own small tasks (reference and search
# index updates) stay on "default", run in the request as Wagtail does by default.
# Django 6's own immediate backend where it exists: a task takes its class from the backend it
# is declared for, and the worker only runs django.tasks tasks.
IMMEDIATE_TASKS = (
    "django.tasks.backends.immediate.ImmediateBackend"
    if django.VERSION >= (6, 0)
    else "django_tasks.backends.immediate.ImmediateBackend"
)
# ``manage.py task_worker`` queues again a job RUNNING longer than this on another host (a host
# that died mid-job; a dead worker of its own host is recognised at once).
TASK_ABANDONED_AFTER = int(os.environ.get("TASK_ABANDONED_AFTER", "900"))
TASKS = {
    "default": {"BACKEND": IMMEDIATE_TASKS},
    "background": {"BACKEND": os.environ.get("TASK_BACKEND", IMMEDIATE_TASKS)},
}

# One-time codes that prove an applicant's email address (django-otp's email device): valid for
# five minutes, one new code a minute, a growing pause after each wrong code.
OTP_EMAIL_SUBJECT = "臺北市親子帳號綁定：電子郵件驗證碼"
OTP_EMAIL_BODY_TEMPLATE_PATH = "binding_forms/email/verification_code.txt"
OTP_EMAIL_TOKEN_VALIDITY = 300
OTP_EMAIL_COOLDOWN_DURATION = 60
# …and, so that one signed-in account cannot mail codes to any number of people, at most this many
# codes an application an hour, to at most this many different addresses (two applicants and a
# typo or two).
BINDING_CODES_PER_HOUR = int(os.environ.get("BINDING_CODES_PER_HOUR", "10"))
BINDING_CODE_ADDRESSES_PER_HOUR = int(os.environ.get("BINDING_CODE_ADDRESSES_PER_HOUR", "5"))

# Printed binding letters (親子帳號綁定通知單, binding_forms/letters/): how many days a letter's
# code opens the sign-in (a letter goes home in a schoolbag and may wait a weekend), and the
# TrueType CJK font embedded in the PDF (Debian's fonts-arphic-uming; index 2 of the collection is
# "AR PL UMing TW", Taiwan's glyph forms).
BINDING_LETTER_DAYS = int(os.environ.get("BINDING_LETTER_DAYS", "14"))
BINDING_LETTER_FONT = os.environ.get(
    "BINDING_LETTER_FONT", "/usr/share/fonts/truetype/arphic/uming.ttc"
)
BINDING_LETTER_FONT_INDEX = int(os.environ.get("BINDING_LETTER_FONT_INDEX", "2"))
# Fonts for the characters it lacks, e.g. 𠮷 in a name (Debian's fonts-cns11643-sung).
BINDING_LETTER_RARE_FONTS = env_list(
    "BINDING_LETTER_RARE_FONTS", "/usr/share/fonts/truetype/cns11643/TW-Sung-Ext-B-98_1.ttf"
)

# Two-factor sign-in for everyone who can reach the Wagtail admin
# (binding_forms/accounts/two_factor.py): on unless ADMIN_TWO_FACTOR_REQUIRED is 0 (production
# ignores it). Authenticator apps show the issuer beside the code. Each wrong code doubles the
# wait before the next one is checked (django-otp's throttling).
ADMIN_TWO_FACTOR_REQUIRED = env_bool("ADMIN_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "臺北市校務系統入口網"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Wagtail
WAGTAIL_SITE_NAME = "臺北市校務系統入口網"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# Wagtail mails every superuser about every submission by default: 300,000 applications a year.
# Registrars find theirs on the dashboard; parents get the portal's own mail.
WAGTAILADMIN_NOTIFICATION_INCLUDE_SUPERUSERS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_DATE_FORMAT = "Y-m-d"
WAGTAIL_DATETIME_FORMAT = "Y-m-d H:i"
# The admin calls no other site (and its policy, ADMIN_CSP, would refuse it): no Gravatar
# pictures (they send a hash of each staff member's address), no check for Wagtail releases.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Wagtail's Draftail, named by its field's label (axe-core: an editable area needs a name).
WAGTAILADMIN_RICH_TEXT_EDITORS = {
    "default": {"WIDGET": "home.rich_text.LabelledDraftailRichTextArea"},
}
WAGTAIL_ENABLE_UPDATE_CHECK = False


# Single sign-on (review_workflow/single_sign_on/): the portal is the OpenID Connect provider of
# the city's services (django-oauth-toolkit). Tokens are signed RS256 with OIDC_RSA_PRIVATE_KEY
# (PEM; "\n" may stand for new lines in the environment). To rotate, move the current key to
# OIDC_RSA_PRIVATE_KEY_PREVIOUS and set a new one: both are published in the JWKS, new tokens are
# signed with the new one. Production refuses to start without a key (single_sign_on.E001);
# dev and test settings generate one when none is set.
def env_pem(name: str) -> str:
    return os.environ.get(name, "").replace("\\n", "\n").strip()


OAUTH2_PROVIDER_APPLICATION_MODEL = "single_sign_on.ServiceApplication"
# Client secrets are long random machine secrets: a fast salted hash, not the password hasher
# (review_workflow/single_sign_on/hashers.py). Django's password hashers stay first and default.
CLIENT_SECRET_HASHER_CLASS = "review_workflow.single_sign_on.hashers.ClientSecretHasher"  # noqa: S105
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    CLIENT_SECRET_HASHER_CLASS,
]
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "CLIENT_SECRET_HASHER": "pbkdf2_sha256_client_secret",  # hashers.ClientSecretHasher
    "OIDC_RSA_PRIVATE_KEY": env_pem("OIDC_RSA_PRIVATE_KEY"),
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        key for key in [env_pem("OIDC_RSA_PRIVATE_KEY_PREVIOUS")] if key
    ],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # Only the post-logout addresses registered for the client; never a bare redirect.
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "OIDC_RP_INITIATED_LOGOUT_ACCEPT_EXPIRED_TOKENS": True,
    "OAUTH2_VALIDATOR_CLASS": "review_workflow.single_sign_on.validator.PortalOAuth2Validator",
    "SCOPES_BACKEND_CLASS": "review_workflow.single_sign_on.scopes.PortalScopes",
    # Minutes, not tpeduSSO's 15 days: a service keeps a parent signed in by refreshing.
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OIDC_ACCESS_TOKEN_SECONDS", "600")),
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OIDC_ACCESS_TOKEN_SECONDS", "600")),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OIDC_REFRESH_TOKEN_SECONDS", "28800")),
    "ROTATE_REFRESH_TOKEN": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    # Consent is the portal's own (single_sign_on.ServiceConsent), asked once per service.
    "REQUEST_APPROVAL_PROMPT": "force",
    # RFC 9700 (OAuth 2.0 Security BCP), all of it: no implicit or password grant, PKCE with
    # S256 only, bearer tokens in the header only, `iss` in the authorization response, tokens
    # stored hashed, a replayed refresh token revokes its whole family.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
# The demo service (home/demo_payments/, 校園繳費系統 (示範)): its client secret, and the provider
# address it calls server-side (by default the address it was reached at).
DEMO_PAYMENTS_CLIENT_SECRET = os.environ.get("DEMO_PAYMENTS_CLIENT_SECRET", "demo-payments-only")
DEMO_PAYMENTS_ISSUER = os.environ.get("DEMO_PAYMENTS_ISSUER", "")

# The full-page cache of the portal home and bulletins for anonymous visitors
# (home/page_cache.py): seconds a page is kept (0: off); editors' changes purge it at once.
# Memory here (one process: runserver, tests); production shares it between processes.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"},
}
PAGE_CACHE_ALIAS = "pages"
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))

# Bulletins per page on the portal home.
BULLETINS_PER_PAGE = 10

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # binding_forms.signin logs every sign-in already
        "django_tasks": {"level": "WARNING"},  # a line per task run otherwise
        "django.tasks": {"level": "WARNING"},
        # Mail is logged by id, kind and error class only (review_workflow.mail), never its text;
        # anymail's DEBUG_API_REQUESTS would print whole API requests: leave it off in production.
    },
}

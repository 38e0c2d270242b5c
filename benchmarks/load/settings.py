"""Production settings for the load, fault and scale-out scripts (benchmarks/load/): served over
plain HTTP on loopback, the captcha in test mode, mail written to files the simulated parents
read their codes from (or sent to a local SMTP server, ``LOAD_SMTP_PORT``).

The scripts set SECRET_KEY, PERSONAL_DATA_KEY, ALLOWED_HOSTS, DATABASE_URL, TASK_BACKEND,
LOAD_MAIL_DIR and, for the scale-out, REDIS_URL in the environment before this is imported.
"""

import os

import django
from portal.settings.production import *  # noqa: F403

DEBUG = False

# Plain http on 127.0.0.1: no TLS redirect, no HSTS, cookies that travel without TLS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Simulated parents type PASSED into the captcha (the page still makes a captcha each time).
CAPTCHA_TEST_MODE = True

# --fast-hashing (CI's short run): the real hasher costs most of a parent's CPU (two password
# changes each); the figures in RESULTS.md are measured with it.
if os.environ.get("LOAD_FAST_HASHING"):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", CLIENT_SECRET_HASHER_CLASS]  # noqa: F405

# Mail: a real SMTP server when LOAD_SMTP_PORT is set (the mail-provider fault), else one file per
# message in LOAD_MAIL_DIR (Django's file backend, a file per connection: benchmarks/load/mail.py),
# which the simulated parents read.
if smtp_port := os.environ.get("LOAD_SMTP_PORT"):
    MAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    MAIL_OPTIONS = {"host": "127.0.0.1", "port": int(smtp_port), "timeout": 5}
else:
    MAIL_BACKEND = "benchmarks.load.mail.EmailBackend"
    MAIL_OPTIONS = {"file_path": os.environ["LOAD_MAIL_DIR"]}
if django.VERSION >= (6, 1):
    MAILERS = {"default": {"BACKEND": MAIL_BACKEND, "OPTIONS": MAIL_OPTIONS}}
else:  # Django 5.2 LTS: the same options as settings
    EMAIL_BACKEND = MAIL_BACKEND
    EMAIL_FILE_PATH = MAIL_OPTIONS.get("file_path")
    EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = "127.0.0.1", int(smtp_port or 25), 5

# Retries come fast in a run of minutes (production: a minute, then ×4).
MAIL_RETRY_DELAY = int(os.environ.get("MAIL_RETRY_DELAY", "2"))
MAIL_STALE_AFTER = int(os.environ.get("MAIL_STALE_AFTER", "30"))

# Static files: collected by the script (collectstatic), served by WhiteNoise as in production.

# django-simple-captcha logs its (true) warning about the test mode in every process at start.
LOGGING["loggers"]["captcha.conf.settings"] = {"level": "CRITICAL"}  # noqa: F405

"""Production settings are checked in a child process: they must load from the environment alone."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from portal.settings.base import generated_rsa_key

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
SIGNING_KEY = generated_rsa_key()  # the single sign-on's (production refuses to start without)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "PERSONAL_DATA_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
            "ANYMAIL_WEBHOOK_SECRET",
            "OIDC_RSA_PRIVATE_KEY",
        }
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "PERSONAL_DATA_KEY": secrets.token_urlsafe(32),
        "OIDC_RSA_PRIVATE_KEY": SIGNING_KEY,
        **env,
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = manage("check", ALLOWED_HOSTS="portal.example", PORTAL_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_a_personal_data_key(tmp_path):
    result = manage(
        "check",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        PERSONAL_DATA_KEY="",
        PORTAL_VAR_DIR=str(tmp_path),
    )

    assert result.returncode != 0
    assert "PERSONAL_DATA_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = manage("check", SECRET_KEY=secrets.token_urlsafe(50), PORTAL_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_production_passes_the_deployment_checklist(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        ANYMAIL_WEBHOOK_SECRET="anymail:" + secrets.token_urlsafe(24),
        PORTAL_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_the_deployment_checklist_wants_a_mail_webhook_secret(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        PORTAL_VAR_DIR=str(tmp_path),
    )

    assert result.returncode != 0
    assert "review_workflow.W001" in result.stderr + result.stdout


@pytest.mark.parametrize("url", ["postgres://portal@db.example:5432/portal"])
def test_production_keeps_database_connections_open(tmp_path, url):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['ENGINE'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        DATABASE_URL=url,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["django.db.backends.postgresql", "600", "True"]


# What prints a setting, the variable that asks to switch it, and what it prints then / not.
SWITCHES = {
    "captcha": (
        "from captcha.conf import settings; print(settings.CAPTCHA_TEST_MODE)",
        {"CAPTCHA_TEST_MODE": "1"},
        ("True", "False"),
    ),
    "two-factor": (
        "from django.conf import settings; print(settings.ADMIN_TWO_FACTOR_REQUIRED)",
        {"ADMIN_TWO_FACTOR_REQUIRED": "0"},
        ("False", "True"),
    ),
}


@pytest.mark.parametrize(
    ("settings_module", "honoured"),
    [
        ("portal.settings.dev", True),
        ("portal.settings.test", True),
        ("portal.settings.production", False),
    ],
)
@pytest.mark.parametrize("switch", SWITCHES)
def test_dev_switches_are_never_honoured_in_production(tmp_path, settings_module, honoured, switch):
    """The captcha accepting PASSED and the admin opening to a password alone are for
    development and tests only."""
    code, environ, (switched, unswitched) = SWITCHES[switch]
    result = manage(
        "shell",
        "-c",
        code,
        DJANGO_SETTINGS_MODULE=settings_module,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portal.example",
        PORTAL_VAR_DIR=str(tmp_path),
        **environ,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == (switched if honoured else unswitched)

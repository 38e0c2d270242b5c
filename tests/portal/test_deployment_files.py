"""The deployment the README describes is the one in the repository: the Procfile's processes,
the systemd units that run the same commands, gunicorn's settings, and collectstatic under the
production settings (what the load script starts for real: benchmarks/load/)."""

import configparser
import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

from portal.settings.base import generated_rsa_key

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "site" / "deploy"


def procfile() -> dict[str, str]:
    lines = (DEPLOY / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_the_procfile_runs_gunicorn_with_its_settings_and_the_task_worker():
    processes = procfile()

    assert processes["web"] == "gunicorn -c site/deploy/gunicorn.conf.py portal.wsgi"
    assert processes["worker"] == "python manage.py task_worker"


def test_the_systemd_units_run_what_the_procfile_runs():
    for name, process in (("portal-web.service", "web"), ("portal-worker.service", "worker")):
        service = unit(name)["Service"]
        command = service["ExecStart"].replace("/srv/portal/app/.venv/bin/", "")
        assert command == procfile()[process]
        assert service["Restart"] == "always"
        assert service["EnvironmentFile"] == "/etc/portal/portal.env"
    for timer in ("portal-mail-retry", "portal-retention"):
        assert "OnCalendar" in unit(f"{timer}.timer")["Timer"]
        assert "manage.py" in unit(f"{timer}.service")["Service"]["ExecStart"]


def test_the_example_environment_names_every_required_variable():
    names = {
        line.split("=", 1)[0].lstrip("# ")
        for line in (DEPLOY / "portal.env.example").read_text().splitlines()
        if "=" in line
    }
    required = {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "PERSONAL_DATA_KEY", "ALLOWED_HOSTS"}
    assert required | {"DATABASE_URL", "OIDC_RSA_PRIVATE_KEY", "TASK_BACKEND"} <= names


def test_gunicorns_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))

    assert config["bind"] == "127.0.0.1:8123"
    assert config["workers"] == 3
    assert config["worker_class"] == "sync" and config["preload_app"] is True
    assert "%(q)s" not in config["access_log_format"]  # no query strings (reset tokens) logged


def test_collectstatic_builds_whitenoises_manifest_under_production_settings(tmp_path):
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}},
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PERSONAL_DATA_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "portal.example",
        "OIDC_RSA_PRIVATE_KEY": generated_rsa_key(),
        "STATIC_ROOT": str(tmp_path / "static"),
        "PORTAL_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "staticfiles.json").exists()
    assert list((tmp_path / "static").rglob("*.css.gz"))  # compressed for WhiteNoise

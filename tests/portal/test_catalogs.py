"""The compiled translation catalogs: built from the .po by the project's build step, and a
system check that stops a site whose catalog is missing or stale (it would show English labels
on its Chinese pages). The real `pip install .` into a fresh venv is a step of .ci/run."""

import gettext
import os
import shutil
from pathlib import Path

from django.conf import settings
from portal.catalogs import catalogs_check, catalogs_compile

REAL_PO = Path(settings.BASE_DIR) / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"


def a_locale(tmp_path: Path) -> Path:
    po = tmp_path / "zh_Hant" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    shutil.copy(REAL_PO, po)
    return po


def test_the_build_step_compiles_the_chinese_catalog(tmp_path):
    po = a_locale(tmp_path)

    assert catalogs_compile(locale_dir=tmp_path) == [po.with_suffix(".mo")]

    with po.with_suffix(".mo").open("rb") as mo:
        chinese = gettext.GNUTranslations(mo)
    assert chinese.gettext("Bind a parent account") == "親子帳號綁定"
    assert chinese.gettext("Bulletins") == "訊息快遞"


def test_a_missing_catalog_is_an_error(tmp_path, settings):
    a_locale(tmp_path)
    settings.LOCALE_PATHS = [tmp_path]

    errors = catalogs_check()

    assert [error.id for error in errors] == ["portal.E001"]
    assert "has no compiled catalog" in errors[0].msg


def test_a_catalog_older_than_its_po_is_an_error(tmp_path, settings):
    po = a_locale(tmp_path)
    settings.LOCALE_PATHS = [tmp_path]
    (mo,) = catalogs_compile(locale_dir=tmp_path)
    assert catalogs_check() == []

    later = mo.stat().st_mtime + 60
    os.utime(po, (later, later))  # the .po edited after the last build

    errors = catalogs_check()
    assert [error.id for error in errors] == ["portal.E001"]
    assert "newer than its compiled catalog" in errors[0].msg


def test_the_repository_catalogs_are_compiled_and_current():
    """What `manage.py check` says in CI after the set-up."""
    assert catalogs_check() == []

"""The translation catalogs: compiled by every build of the project, and checked at start-up.

The zh-Hant pages read ``locale/zh_Hant/LC_MESSAGES/django.mo``, which is not committed (it is
built from the ``.po``). ``pip install .`` (or ``-e .``) compiles every catalog through the
setuptools command in ``portal/build.py`` (``[tool.setuptools.cmdclass]`` in pyproject.toml),
with Babel, so no
GNU gettext is needed; the system check ``portal.E001`` stops a site whose catalog is missing or
older than its ``.po``, which would otherwise show English labels on its Chinese pages.

No Django at module level: the build imports this module with setuptools and Babel only.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def sources(locale_dir: Path) -> list[Path]:
    """Every ``.po`` of a locale folder (``<language>/LC_MESSAGES/<domain>.po``)."""
    return sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))


def catalogs_compile(*, locale_dir: Path) -> list[Path]:
    """Write each ``.po``'s ``.mo`` beside it, as ``pybabel compile`` does (fuzzy entries left
    out); returns the ``.mo`` files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sources(locale_dir):
        language = po.parent.parent.name
        with po.open("rb") as source:
            catalog = read_po(source, locale=language, domain=po.stem)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)
        written.append(mo)
    return written


def catalogs_check(app_configs=None, **kwargs):
    """Error for each catalog of ``LOCALE_PATHS`` whose ``.mo`` is missing or older than its
    ``.po`` (registered in HomeConfig.ready)."""
    from django.conf import settings
    from django.core import checks

    errors = []
    for locale_dir in map(Path, settings.LOCALE_PATHS):
        for po in sources(locale_dir):
            mo = po.with_suffix(".mo")
            if not mo.exists():
                problem = "has no compiled catalog"
            elif mo.stat().st_mtime < po.stat().st_mtime:
                problem = "is newer than its compiled catalog"
            else:
                continue
            errors.append(
                checks.Error(
                    f"{po} {problem}: its language would show untranslated labels.",
                    hint="Compile the catalogs: pip install . (or -e .) does, or run "
                    "`pybabel compile -d locale -D django`.",
                    obj=str(mo),
                    id="portal.E001",
                )
            )
    return errors

"""Which language each of Wagtail's locales is, read once a process.

What editors write has an English version (Wagtail's localisation, simple_translation's
Translate), and the parent's pages must say which language each text is in, and store the
source language's choices whatever language was shown. Both ask "which locale is this?" many
times a request; the ``wagtailcore_locale`` table holds a row a language and changes only when
an administrator adds a language, so it is read once and read again after any change to it
(``forget`` runs on every save and delete of a Locale: signal_handlers.py).
"""

from django.conf import settings
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale

_CODES: dict[int, str] = {}  # locale id -> language code


def forget(**kwargs) -> None:
    _CODES.clear()


def _codes() -> dict[int, str]:
    if not _CODES:
        _CODES.update(Locale.all_objects.values_list("pk", "language_code"))
    return _CODES


def language_of(locale_id: int | None) -> str:
    """The language code of a locale (``zh-hant``, ``en``), "" for none."""
    if locale_id is None:
        return ""
    code = _codes().get(locale_id)
    if code is None:  # added since it was read (in another process)
        forget()
        code = _codes().get(locale_id, "")
    return code


def locale_id_for(language: str) -> int | None:
    """The locale of a language (a variant such as ``en-us`` finds ``en``), None if there is no
    such locale."""
    try:
        code = get_supported_content_language_variant(language)
    except LookupError:
        return None
    for locale_id, locale_code in _codes().items():
        if locale_code == code:
            return locale_id
    return None


def default_locale_id() -> int | None:
    """The source language's locale (LANGUAGE_CODE, zh-Hant): what everything is written in
    first and what every stored choice is compared in."""
    return locale_id_for(settings.LANGUAGE_CODE)


def active_locale_id() -> int | None:
    """The locale of the language the visitor chose, or the default one."""
    return locale_id_for(translation.get_language() or settings.LANGUAGE_CODE) or (
        default_locale_id()
    )


def html_lang(language: str) -> str:
    """The ``lang`` attribute for a language code: zh-Hant as written in Taiwan, else itself."""
    return "zh-Hant-TW" if language.lower() == "zh-hant" else language


def content_language(obj) -> str:
    """The language an object's text is written in: its locale's or, for an alias (a page
    Wagtail keeps a copy of another, such as the English home Translate makes on the way to a
    page below it), its source's."""
    alias_of_id = getattr(obj, "alias_of_id", None)
    if alias_of_id is not None:
        from wagtail.models import Page

        locale_id = Page.objects.filter(pk=alias_of_id).values_list("locale_id", flat=True).first()
    else:
        locale_id = getattr(obj, "locale_id", None)
    return language_of(locale_id)


def lang_unless_active(obj) -> str:
    """The ``lang`` attribute value for ``obj``'s text where it is not in the language shown
    around it (an untranslated page's text beside English labels), else ""."""
    return lang_unless_active_language(content_language(obj))


def lang_unless_active_language(language: str) -> str:
    """As ``lang_unless_active``, for text in ``language``."""
    active = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    if not language or language == active:
        return ""
    try:
        if get_supported_content_language_variant(active) == language:
            return ""
    except LookupError:
        pass
    return html_lang(language)


def source_of(obj):
    """The source language's version of a translated object (its zh-Hant page or snippet), None
    when ``obj`` is in the source language itself (no query then) or has no such version."""
    default = default_locale_id()
    if default is None or obj.locale_id == default:
        return None
    return (
        type(obj)
        .objects.filter(translation_key=obj.translation_key, locale_id=default)
        .order_by()
        .first()
    )


def in_active_language(objects) -> list:
    """One version of each translated object, in the order given: the visitor's language's
    where there is one, else the source language's (an English service list with the services
    not translated yet, in zh-Hant)."""
    active, default = active_locale_id(), default_locale_id()
    chosen: dict = {}
    for obj in objects:
        if obj.locale_id not in (active, default):
            continue
        kept = chosen.get(obj.translation_key)
        if kept is None or (obj.locale_id == active and kept.locale_id != active):
            chosen[obj.translation_key] = obj
    return list(chosen.values())

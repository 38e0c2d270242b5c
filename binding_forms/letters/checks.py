"""A server that would print binding letters without their embedded font says so at start-up."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


@register()
def check_letter_font(app_configs, **kwargs):
    """Without the TrueType font the letters fall back to a CID font that readers without
    Adobe's Asian font pack show as boxes."""
    if Path(settings.BINDING_LETTER_FONT).is_file():
        return []
    return [
        Warning(
            f"The binding letters' font {settings.BINDING_LETTER_FONT} is missing: letters "
            "are printed with a font that is not embedded in the PDF.",
            hint="Install Debian's fonts-arphic-uming, or set BINDING_LETTER_FONT to a TrueType "
            "CJK font (with BINDING_LETTER_FONT_INDEX for a collection).",
            id="binding_forms.W001",
        )
    ]

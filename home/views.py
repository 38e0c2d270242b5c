from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

COMING_SOON_TITLES = {
    "binding": _("Bind a parent account"),
}


def coming_soon(request, *, feature: str):
    """Where 登入 and 親子帳號綁定 lead until their own issues land."""
    return TemplateResponse(
        request, "home/coming_soon.html", {"title": COMING_SOON_TITLES[feature]}
    )

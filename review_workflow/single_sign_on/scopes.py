"""The scopes a service may ask for: each registered service its own. ``idno`` is never one."""

from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

# What the consent page says each scope gives the service, exactly.
SCOPES = {
    "openid": _("An identifier of your account for this service (not your email or ID number)"),
    # tpeduSSO's /api/v2/profile answers the email and mobile too, and its /api/v2/me the email
    # (services written for it read them there): the parent is told so.
    "profile": _("Your name, that you are a parent, your email address and your mobile number"),
    "me": _("Your name and your email address"),
    "email": _("Your email address"),
    "children": _(
        "Each child bound to your account: name, school (code and name), grade and class, "
        "student number, and your relationship"
    ),
}


class PortalScopes(BaseScopes):
    def get_all_scopes(self):
        return SCOPES

    def get_available_scopes(self, application=None, request=None, *args, **kwargs):
        return application.allowed_scopes if application is not None else ["openid"]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs):
        return ["openid"]

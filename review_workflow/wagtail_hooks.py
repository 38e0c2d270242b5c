from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail import hooks

from review_workflow import two_factor


@hooks.register("register_admin_urls")
def register_two_factor_urls():
    # Wrapped in Wagtail's require_admin_access (sign-in, admin permission, the user's language);
    # TwoFactorRequiredMiddleware lets an unverified session reach only enrolment and verification.
    return two_factor.admin_urls()


@hooks.register("register_account_menu_item")
def register_backup_codes_menu_item(request):
    return {
        "url": reverse("two_factor:backup_codes"),
        "label": _("Backup codes"),
        "help_text": _("Make a new set of single-use codes for when your phone is not at hand."),
    }

from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from home.models import PortalService


class PortalServiceViewSet(SnippetViewSet):
    """The services list on the parents' home, kept by editors in the order shown."""

    model = PortalService
    icon = "link"
    menu_label = _("Services for parents")
    menu_order = 410
    add_to_admin_menu = True
    list_display = ["name", "link", "signs_in_through_portal"]
    copy_view_enabled = False


register_snippet(PortalServiceViewSet)


@hooks.register("insert_global_admin_js")
def admin_labels_js():
    """Names Wagtail's unnamed upload input (the editors' document upload, issue 13)."""
    return format_html('<script src="{}" defer></script>', static("js/admin_labels.js"))

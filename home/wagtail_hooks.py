from django.utils.translation import gettext_lazy as _
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

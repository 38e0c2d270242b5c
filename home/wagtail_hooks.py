from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from home.models import PortalService


class YesNoColumn(Column):
    """是 / 否 in words: Wagtail's BooleanColumn titles its icons with a raw True / False."""

    def get_value(self, instance):
        return _("Yes") if super().get_value(instance) else _("No")


class PortalServiceViewSet(SnippetViewSet):
    """The services list on the parents' home, kept by editors in the order shown."""

    model = PortalService
    icon = "link"
    menu_label = _("Services for parents")
    menu_order = 410
    add_to_admin_menu = True
    list_display = [
        "name",
        "link",
        # 是/否 marks, not a raw True/False (issue 13: no English in the zh-Hant admin).
        YesNoColumn("signs_in_through_portal", label=_("signs in through the portal")),
    ]
    copy_view_enabled = False


register_snippet(PortalServiceViewSet)


@hooks.register("insert_global_admin_js")
def admin_labels_js():
    """Names Wagtail's unnamed upload input (the images' multiple upload) and keeps a document's
    title from being filled in from its file name (issue 13)."""
    return format_html('<script src="{}" defer></script>', static("js/admin_labels.js"))


@hooks.register("register_admin_urls", order=-1)  # before wagtail.documents' own URLs
def document_upload_asks_for_a_title():
    """A document's title is asked for, not made from its file name ("handout-2.pdf" tells a
    parent nothing): Wagtail's "Add a document" opens the multiple upload, which saves each
    file at once titled by its name. Its address leads to the one-document form instead, whose
    title box is required and left empty; a post to it (a stale page's upload) saves nothing."""
    return [
        path(
            "documents/multiple/add/",
            RedirectView.as_view(pattern_name="wagtaildocs:add", query_string=True),
            name="document_upload_one",
        )
    ]

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from review_workflow.admin_views import MailResendView
from review_workflow.models import MailTemplate

# Notification mail -----------------------------------------------------------------------------


class MailTemplateViewSet(SnippetViewSet):
    """The editors' wording of each notification mail (one per kind), with a preview."""

    model = MailTemplate
    icon = "mail"
    menu_label = _("Mail templates")
    menu_order = 400
    add_to_admin_menu = True
    list_display = ["__str__", "subject", "updated_at"]
    copy_view_enabled = False


register_snippet(MailTemplateViewSet)


@hooks.register("register_admin_urls")
def register_mail_admin_urls():
    return [
        path(
            "review/mail/<int:pk>/resend/",
            MailResendView.as_view(),
            name="review_workflow_mail_resend",
        )
    ]


@hooks.register("register_log_actions")
def register_mail_log_actions(actions):
    actions.register_action(
        "review_workflow.mail_resend",
        _("Mail resent"),
        _("Sent a notification mail again, to a corrected address"),
    )

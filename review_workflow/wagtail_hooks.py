from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from binding_forms.accounts import two_factor
from binding_forms.models import Application, Student
from binding_forms.registry.scope import schools_served_by, serves_every_school
from review_workflow.admin.binding_letters import BindingLettersView
from review_workflow.admin.bulk_actions import ApplicationDeleteBulkAction, ApproveBulkAction
from review_workflow.admin.dashboard import BindingProgressPanel
from review_workflow.admin.mail import MailResendView
from review_workflow.admin.school_forms import SchoolFormSubmissionViewSet
from review_workflow.admin.viewsets import ApplicationViewSet, ParentStudentLinkViewSet
from review_workflow.models import (
    MailTemplate,
    ParentStudentLink,
    SchoolFormSubmission,
    SchoolLogEntry,
)
from review_workflow.permissions import (
    ApplicationPermissionPolicy,
    ParentStudentLinkPermissionPolicy,
    SchoolFormSubmissionPermissionPolicy,
)

# Two-factor sign-in ----------------------------------------------------------------------


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


# The registrar's screens: applications, bulk approve, ID reveal audit, links, dashboard ------

register_permission_policy(Application, ApplicationPermissionPolicy(Application))
register_permission_policy(ParentStudentLink, ParentStudentLinkPermissionPolicy(ParentStudentLink))


register_permission_policy(
    SchoolFormSubmission, SchoolFormSubmissionPermissionPolicy(SchoolFormSubmission)
)


register_snippet(ApplicationViewSet)
register_snippet(SchoolFormSubmissionViewSet)


@hooks.register("register_admin_viewset")
def register_parent_student_link_viewset():
    return ParentStudentLinkViewSet()


hooks.register("register_bulk_action", ApproveBulkAction)
# After wagtail.snippets' own bulk delete (order), so this one answers for applications.
hooks.register("register_bulk_action", ApplicationDeleteBulkAction, order=100)


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    # Their history names children and parents: logged with the school, shown to its registrars.
    for model in (Student, Application, ParentStudentLink, SchoolFormSubmission):
        actions.register_model(model, SchoolLogEntry)
    actions.register_action(
        "review_workflow.reveal_id",
        _("Reveal ID number"),
        _("Revealed an ID number in clear"),
    )
    actions.register_action(
        "review_workflow.revoke_link",
        _("Revoke link"),
        _("Revoked a parent–child link"),
    )
    actions.register_action(
        "review_workflow.registry_match.refer",
        _("Registry match: needs the registrar"),
        _("The registry match passed the application on to the registrar"),
    )
    actions.register_action(
        "review_workflow.request_unbinding",
        _("Request unbinding"),
        _("The parent asked to end a parent–child link"),
    )


@hooks.register("insert_global_admin_css")
def review_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("css/review_admin.css"))


@hooks.register("construct_homepage_panels")
def add_binding_progress_panel(request, panels):
    # A superuser serves every school: a panel each would be the whole city on one page.
    if serves_every_school(request.user):
        return
    schools = list(schools_served_by(request.user).order_by("moe_code"))
    if schools:
        panels.append(BindingProgressPanel(schools))


@hooks.register("register_admin_urls")
def register_binding_letter_urls():
    return [
        path(
            "binding-letters/<int:school_pk>/<int:grade>/<int:class_number>/",
            BindingLettersView.as_view(),
            name="review_workflow_binding_letters",
        )
    ]


# End of the registrar's screens ------------------------------------------------------------


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

"""Reactions to the school's decisions (Wagtail workflow signals) and to the mail provider,
connected in ``ReviewWorkflowConfig.ready``."""

from anymail.signals import tracking
from wagtail.admin.mail import (
    WorkflowStateApprovalEmailNotifier,
    WorkflowStateRejectionEmailNotifier,
)
from wagtail.models import WorkflowState
from wagtail.signals import workflow_approved, workflow_rejected

from binding_forms.reviewed_forms.signals import submission_sent

# What approval does ----------------------------------------------------------------------------


def application_approved(sender, instance, user=None, **kwargs):
    """The last step approved: accounts, links and their mails, inside Wagtail's approval
    transaction (the mails are sent after it commits)."""
    from binding_forms.models import Application
    from review_workflow.services.approval import binding_approve

    application = instance.content_object
    if isinstance(application, Application):
        binding_approve(application=application, user=user)


def registry_match_on_submission_sent(sender, submission, resent=False, **kwargs):
    """The review has started (its start logged): a registry-match step at its head decides now,
    in the same job and transaction, after the confirmation mail was written."""
    from binding_forms.models import Application
    from review_workflow.services.registry_match import registry_match_conclude

    if isinstance(submission, Application):
        registry_match_conclude(application=submission)
        submission.status_forget()


# Notification mail and delivery tracking -----------------------------------------------------


def mail_on_changes_requested(sender, instance, user=None, **kwargs):
    """要求修改: ``instance`` is the WorkflowState; the registrar's comment is on the task state
    that was just rejected (still the current one)."""
    from binding_forms.models import Application
    from review_workflow.mail.outbox import mail_for_form, mails_for_changes_requested
    from review_workflow.mail.wording import MailKind
    from review_workflow.models import SchoolFormSubmission

    reviewed = instance.content_object
    task_state = instance.current_task_state
    comment = task_state.get_comment() if task_state is not None else ""
    if isinstance(reviewed, Application):
        mails_for_changes_requested(application=reviewed, comment=comment)
    elif isinstance(reviewed, SchoolFormSubmission):
        mail_for_form(submission=reviewed, kind=MailKind.FORM_CHANGES_REQUESTED, comment=comment)


def mail_on_form_approved(sender, instance, user=None, **kwargs):
    """A school form's review approved it: its sender is told, with the reviewer's comment."""
    from review_workflow.mail.outbox import mail_for_form
    from review_workflow.mail.wording import MailKind
    from review_workflow.models import SchoolFormSubmission

    submission = instance.content_object
    if not isinstance(submission, SchoolFormSubmission):
        return
    approved = instance.task_states.filter(status="approved").order_by("-finished_at").first()
    comment = approved.get_comment() if approved is not None else ""
    mail_for_form(submission=submission, kind=MailKind.FORM_APPROVED, comment=comment)


def mail_on_tracking_event(sender, event, esp_name, **kwargs):
    """anymail's tracking webhook: delivered, bounced, complained… recorded on our mail."""
    from review_workflow.mail.outbox import mail_track

    if not event.message_id:
        return
    mail_track(
        message_id=str(event.message_id),
        event_type=str(event.event_type),
        recipient=event.recipient or "",
        occurred_at=event.timestamp,
        description=event.description or event.mta_response or "",
        esp_event_id=str(event.event_id or ""),
    )


def mail_on_submission_sent(sender, submission, resent=False, **kwargs):
    """確認送出 (first time or after changes): each applicant's confirmation, or a school form's
    sender's, written in the background job's transaction that started the review."""
    from binding_forms.models import Application
    from review_workflow.mail.outbox import mail_for_form, submission_mails_write
    from review_workflow.mail.wording import MailKind
    from review_workflow.models import SchoolFormSubmission

    if isinstance(submission, Application):
        submission_mails_write(application=submission)
    elif isinstance(submission, SchoolFormSubmission):
        mail_for_form(submission=submission, kind=MailKind.FORM_SENT)


def connect_mail():
    submission_sent.connect(
        mail_on_submission_sent, dispatch_uid="review_workflow.mail_on_submission_sent"
    )
    workflow_approved.connect(mail_on_form_approved, dispatch_uid="review_workflow.form_approved")
    workflow_rejected.connect(
        mail_on_changes_requested, dispatch_uid="review_workflow.mail_on_changes_requested"
    )
    tracking.connect(mail_on_tracking_event, dispatch_uid="review_workflow.mail_on_tracking")


# Wagtail's own workflow mails: for the admin's users only ----------------------------------------


class AdminUsersOnlyMixin:
    """Wagtail mails the requester when a workflow is approved or rejected: in English, naming
    the registrar, linking into the admin. A parent who requested a review gets the portal's own
    mails instead; Wagtail's stay for the people who use the admin."""

    def get_valid_recipients(self, instance, **kwargs):
        return {
            user
            for user in super().get_valid_recipients(instance, **kwargs)
            if user.has_perm("wagtailadmin.access_admin")
        }


class WorkflowApprovalNotifier(AdminUsersOnlyMixin, WorkflowStateApprovalEmailNotifier):
    pass


class WorkflowRejectionNotifier(AdminUsersOnlyMixin, WorkflowStateRejectionEmailNotifier):
    pass


def replace_wagtail_notifiers():
    """Take the place of Wagtail's receivers (wagtail/admin/signal_handlers.py) under their own
    dispatch_uid: removed if wagtail.admin connected them already, and a later connect of theirs
    finds the uid taken and does nothing (this app is listed before wagtail.admin)."""
    for signal, notifier, uid in (
        (
            workflow_approved,
            WorkflowApprovalNotifier(),
            "workflow_state_approved_email_notification",
        ),
        (
            workflow_rejected,
            WorkflowRejectionNotifier(),
            "workflow_state_rejected_email_notification",
        ),
    ):
        signal.disconnect(sender=WorkflowState, dispatch_uid=uid)
        signal.connect(notifier, sender=WorkflowState, dispatch_uid=uid, weak=False)


# ---------------------------------------------------------------------------------------------


def connect():
    workflow_approved.connect(application_approved, dispatch_uid="review_workflow.approved")
    connect_mail()
    # After the confirmation mail's receiver: the parent hears "received" before "approved".
    submission_sent.connect(
        registry_match_on_submission_sent, dispatch_uid="review_workflow.registry_match"
    )
    replace_wagtail_notifiers()

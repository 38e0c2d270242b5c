"""Reactions to the school's decisions (Wagtail workflow signals)."""

from wagtail.signals import workflow_approved

from binding_forms.models import Application


def application_approved(sender, instance, user=None, **kwargs):
    """The last step approved: accounts and links, inside Wagtail's approval transaction."""
    from review_workflow.services import binding_approve

    application = instance.content_object
    if isinstance(application, Application):
        binding_approve(application=application, user=user)


def connect():
    workflow_approved.connect(application_approved, dispatch_uid="review_workflow.approved")

"""Notification mail: the editors' templates, each outgoing mail and its delivery events."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import PreviewableMixin

from binding_forms.models import Applicant, Application
from review_workflow.mail.wording import (
    DEFAULTS,
    PLACEHOLDERS,
    SAMPLE_CONTEXT,
    MailKind,
    MailTemplateError,
    template_check,
    template_render,
)
from review_workflow.models.parents import ParentStudentLink

# Notification mail and delivery tracking ----------------------------------------------------


class MailTemplate(PreviewableMixin, models.Model):
    """The subject and body of one kind of notification mail, kept by the editors.

    One per kind, created with the handbook's wording by a migration; ``restore_default``
    puts that wording back.
    """

    kind = models.CharField(_("mail"), max_length=30, choices=MailKind.choices, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text. Placeholders such as {{ student_name }} are filled in for each mail; "
            "if one is not available for this mail, saving says which are. Never write an ID "
            "number or a password here."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [FieldPanel("kind"), FieldPanel("subject"), FieldPanel("body")]

    class Meta:
        ordering = ["kind"]
        verbose_name = _("mail template")
        verbose_name_plural = _("mail templates")

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self):
        super().clean()
        if self.kind not in PLACEHOLDERS:
            return
        errors = {}
        for field in ("subject", "body"):
            try:
                template_check(kind=self.kind, source=getattr(self, field))
            except MailTemplateError as error:
                errors[field] = str(error)
        if errors:
            raise ValidationError(errors)

    def restore_default(self) -> None:
        self.subject, self.body = DEFAULTS[self.kind]
        self.save()

    def render(self, context: dict[str, str]) -> tuple[str, str]:
        """(subject, body): the subject on one line."""
        subject = template_render(kind=self.kind, source=self.subject, context=context)
        body = template_render(kind=self.kind, source=self.body, context=context)
        return " ".join(subject.split()), body

    def get_preview_template(self, request, mode_name):
        return "review_workflow/mail_template_preview.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        try:
            for source in (self.subject, self.body):
                template_check(kind=self.kind, source=source)
        except MailTemplateError as error:
            context["error"] = str(error)
        else:
            # Plain text (template_render's result is a str, not safe HTML): the preview's
            # template escapes it like any other text.
            context["subject"], context["body"] = self.render(SAMPLE_CONTEXT)
        return context


class OutgoingMailQuerySet(models.QuerySet):
    def for_application(self, application):
        return self.filter(application=application).order_by("-created_at", "-pk")

    def due_for_retry(self, *, max_attempts: int, now=None):
        """Mail a worker should (re)try: failed with attempts left, or queued or sending for
        so long that its task was evidently lost."""
        now = now or timezone.now()
        return self.filter(
            attempts__lt=max_attempts,
            status__in=[
                OutgoingMail.Status.QUEUED,
                OutgoingMail.Status.SENDING,
                OutgoingMail.Status.FAILED,
            ],
            next_attempt_at__lte=now,
        )


class OutgoingMail(models.Model):
    """One notification mail, as sent: who to, what it said, and what became of it.

    Never holds an ID number or a password (the templates only have placeholders for names,
    addresses, links and the registrar's comment, and ID numbers in free text are masked).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        DELIVERED = "delivered", _("delivered")
        BOUNCED = "bounced", _("bounced")
        COMPLAINED = "complained", _("marked as spam")
        REJECTED = "rejected", _("rejected")

    PROBLEMS = frozenset({Status.FAILED, Status.BOUNCED, Status.COMPLAINED, Status.REJECTED})

    kind = models.CharField(_("mail"), max_length=30, choices=MailKind.choices)
    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    # The placeholder values it was rendered with (a resend renders them again).
    context = models.JSONField(default=dict, editable=False)
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("application"),
    )
    applicant = models.ForeignKey(
        Applicant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("applicant"),
    )
    link = models.ForeignKey(
        ParentStudentLink,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("binding"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )  # the parent account the mail is about (approval, unbinding)
    form_submission = models.ForeignKey(
        "review_workflow.SchoolFormSubmission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("form submission"),
    )
    resend_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("resend of"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    message_id = models.CharField(_("message ID"), max_length=255, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    template_error = models.TextField(
        _("template problem"),
        blank=True,
        help_text=_("Why the editors' template could not be used; the default wording was sent."),
    )
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address}"

    @property
    def needs_attention(self) -> bool:
        """Not delivered and not going to be by itself: a registrar should correct the address
        and send it again (unless that was done already)."""
        if self.status not in self.PROBLEMS:
            return False
        if self.status == self.Status.FAILED and self.next_attempt_at is not None:
            return False  # retried automatically
        return not self.resends.exists()


class MailEvent(models.Model):
    """A delivery event the mail provider reported through anymail's tracking webhook."""

    mail = models.ForeignKey(
        OutgoingMail, on_delete=models.CASCADE, related_name="events", verbose_name=_("mail")
    )
    event_type = models.CharField(_("event"), max_length=30)
    recipient = models.EmailField(_("recipient"), blank=True)
    occurred_at = models.DateTimeField(_("when"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    esp_event_id = models.CharField(max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("mail event")
        verbose_name_plural = _("mail events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.occurred_at:%Y-%m-%d %H:%M}"

"""What the school decides and what follows: the per-school review step, the parent accounts it
provisions and their links to children."""

from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.forms import TaskStateCommentForm
from wagtail.models import BaseLogEntry, PreviewableMixin, Task, TaskState
from wagtail.models.audit_log import ModelLogEntryManager

from binding_forms.models import Applicant, Application, Student
from binding_forms.personal_data import mask_id_numbers
from review_workflow.mail_text import (
    DEFAULTS,
    PLACEHOLDERS,
    SAMPLE_CONTEXT,
    MailKind,
    MailTemplateError,
    template_check,
    template_render,
)


def _school_ids(user) -> frozenset[int]:
    """The schools ``user`` is registrar of, once per request (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if (cached := getattr(user, "_registrar_school_ids", None)) is None:
        cached = frozenset(user.registrar_schools.values_list("pk", flat=True))
        user._registrar_school_ids = cached
    return cached


def reviewed_models() -> tuple[type[models.Model], ...]:
    """What a school's office reviews: every model with a ``student`` its workflow is about."""
    return (Application, SchoolFormSubmission)


class ChangesRequestedForm(TaskStateCommentForm):
    comment = forms.CharField(
        label=_("What must the parent change?"),
        help_text=_("Shown to the parent on the status page and in the mail."),
        widget=forms.Textarea({"rows": 3}),
        error_messages={"required": _("Say what the parent must change.")},
    )


class SchoolRegistrarTask(Task):
    """One review step done by the registration office (註冊組) of the application's school.

    A workflow is assigned per model, not per object, so the routing to a school happens here:
    a registrar sees, locks and acts on an application only if they are registrar of its
    student's school. Superusers may act on every application.
    """

    admin_form_fields = Task.admin_form_fields

    def _may_review(self, obj, user) -> bool:
        if not user.is_active:
            return False
        if user.is_superuser:
            return True
        if not isinstance(obj, reviewed_models()):
            return False
        return obj.student.school_id in _school_ids(user)

    def user_can_access_editor(self, obj, user) -> bool:
        return self._may_review(obj, user)

    def locked_for_user(self, obj, user) -> bool:
        return not self._may_review(obj, user)

    def user_can_lock(self, obj, user) -> bool:
        return self._may_review(obj, user)

    def user_can_unlock(self, obj, user) -> bool:
        return self._may_review(obj, user)

    def get_actions(self, obj, user):
        if not self._may_review(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def user_may_decide(self, task_state, user, action_name) -> bool:
        """Whether ``user`` may take ``action_name`` on ``task_state``: a state of this task,
        still in progress and its application's current one, and an application of a school
        ``user`` reviews."""
        if task_state.task_id != self.pk or task_state.status != TaskState.STATUS_IN_PROGRESS:
            return False
        workflow_state = task_state.workflow_state
        if workflow_state.current_task_state_id != task_state.pk:
            return False
        application = workflow_state.content_object
        return action_name in {name for name, _label, _modal in self.get_actions(application, user)}

    def get_form_for_action(self, action):
        return ChangesRequestedForm if action == "reject" else super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        # Decided from the task state's own application, never from the object a URL named:
        # Wagtail's workflow views load the task state by its id alone.
        if not self.user_may_decide(task_state, user, action_name):
            raise PermissionDenied
        if "comment" in kwargs:  # stored in the task state and the log: never an ID number
            kwargs["comment"] = mask_id_numbers(kwargs["comment"] or "")
        # The parent is told what to change: the modal's form requires it, and so does this, for
        # a request that skips the modal.
        if action_name == "reject" and not (kwargs.get("comment") or "").strip():
            raise PermissionDenied(_("Say what the parent must change."))
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_active and user.is_superuser:
            return states
        schools = _school_ids(user)
        if not schools:
            return TaskState.objects.none()
        # WorkflowState.object_id is text (it serves every model): compare it with text.
        of_schools = models.Q(pk__in=[])
        for model in reviewed_models():
            objects = (
                model.objects.filter(student__school__in=schools)
                .annotate(pk_text=Cast("pk", models.CharField()))
                .values("pk_text")
            )
            of_schools |= models.Q(
                workflow_state__base_content_type=ContentType.objects.get_for_model(model),
                workflow_state__object_id__in=objects,
            )
        return states.filter(of_schools)

    def start(self, workflow_state, user=None):
        # The parent may hold a lock from nowhere (they never use the admin); a registrar of
        # another school must not keep one either.
        reviewed = workflow_state.content_object
        if reviewed.locked_by_id and not self._may_review(reviewed, reviewed.locked_by):
            type(reviewed).objects.filter(pk=reviewed.pk).update(
                locked=False, locked_by=None, locked_at=None
            )
        return super().start(workflow_state, user=user)

    @classmethod
    def get_description(cls):
        return _("The registrars of the application's school approve it or request changes")

    class Meta:
        verbose_name = _("school registrar review")
        verbose_name_plural = _("school registrar reviews")


class ParentAccount(models.Model):
    """A parent's identity beside their user account (sign-in name = email).

    The ID number is kept as the registry keeps it: a keyed digest to find the same parent
    again (a second child, a second school) and an encrypted copy. Until the parent sets a
    password of their own, the first password is the last six digits of that ID, checked by
    ``review_workflow.backends.ParentFirstPasswordBackend``; it expires unused.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="parent_account",
        verbose_name=_("user"),
    )
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
    id_number_encrypted = models.TextField(editable=False)
    mobile = models.CharField(_("mobile"), max_length=10, blank=True)
    first_password_expires_at = models.DateTimeField(
        _("first password expires"),
        null=True,
        blank=True,
        help_text=_("After this the first password no longer signs in; a reset mail does."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("parent account")
        verbose_name_plural = _("parent accounts")

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username


class ParentStudentLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ParentStudentLink(models.Model):
    """A parent account bound to a child, with the relationship the applicant gave (父女…).

    One parent, many children; one child, several parents. A revoked link stays, with who
    revoked it, when and why.
    """

    parent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="child_links",
        verbose_name=_("parent"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="parent_links", verbose_name=_("student")
    )
    relationship = models.CharField(_("relationship"), max_length=20)
    application = models.ForeignKey(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        related_name="links",
        verbose_name=_("application"),
    )
    applicant = models.ForeignKey(
        Applicant,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("applicant"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(_("bound"), auto_now_add=True)
    unbinding_requested_at = models.DateTimeField(_("unbinding requested"), null=True, blank=True)
    unbinding_request_reason = models.TextField(_("reason given by the parent"), blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = ParentStudentLinkQuerySet.as_manager()

    # Links point at people, not content: no reference index rows for each approval.
    wagtail_reference_index_ignore = True

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "student"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_link_per_parent_and_student",
            )
        ]
        indexes = [models.Index(fields=["student", "revoked_at"])]
        verbose_name = _("parent–child link")
        verbose_name_plural = _("parent–child links")

    def __str__(self) -> str:
        return f"{self.parent} — {self.student.name}（{self.relationship}）"


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


# The history of a school's records, seen only by that school's registrars -------------------


def school_id_of(instance) -> int | None:
    """The school a registry record, application, form submission or link belongs to."""
    if isinstance(instance, Student):
        return instance.school_id
    if isinstance(instance, Application | ParentStudentLink | SchoolFormSubmission):
        return (
            Student.objects.filter(pk=instance.student_id)
            .values_list("school_id", flat=True)
            .first()
        )
    return None


class SchoolLogEntryManager(ModelLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.setdefault("school_id", school_id_of(instance))
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        """Wagtail shows a log model's entries to anyone with a permission on the model; these
        name children and parents, so a registrar sees only their own schools' (superusers all).
        """
        if user.is_active and user.is_superuser:
            return self.all()
        return self.filter(school_id__in=_school_ids(user))


class SchoolLogEntry(BaseLogEntry):
    """Wagtail's log entry (site history, each object's history) for students, applications and
    parent–child links, with the school they belong to (registered in wagtail_hooks.py)."""

    object_id = models.CharField(max_length=255, db_index=True)
    school = models.ForeignKey(
        "binding_forms.School",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("school"),
    )

    objects = SchoolLogEntryManager()

    def full_clean(self, exclude=None, **kwargs):
        # Wagtail validates each log entry before saving it; the school was just read from the
        # record being logged, so checking it exists again is a query per entry for nothing.
        return super().full_clean(exclude={*(exclude or ()), "school"}, **kwargs)

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("school log entry")
        verbose_name_plural = _("school log entries")


# Forms the editors build, reviewed by a school's office (their own module) -------------------

from review_workflow.school_forms import (  # noqa: E402
    SchoolFormField,
    SchoolFormPage,
    SchoolFormSubmission,
)

__all__ = ["SchoolFormField", "SchoolFormPage", "SchoolFormSubmission"]

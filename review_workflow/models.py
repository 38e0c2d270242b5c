"""What the school decides and what follows: the per-school review step, the parent accounts it
provisions and their links to children."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.models import Task, TaskState

from binding_forms.models import Applicant, Application, Student


def _school_ids(user) -> frozenset[int]:
    """The schools ``user`` is registrar of, once per request (cached on the user object)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if (cached := getattr(user, "_registrar_school_ids", None)) is None:
        cached = frozenset(user.registrar_schools.values_list("pk", flat=True))
        user._registrar_school_ids = cached
    return cached


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
        if not isinstance(obj, Application):
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

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_active and user.is_superuser:
            return states
        schools = _school_ids(user)
        if not schools:
            return TaskState.objects.none()
        # WorkflowState.object_id is text (it serves every model): compare it with text.
        applications = (
            Application.objects.filter(student__school__in=schools)
            .annotate(pk_text=Cast("pk", models.CharField()))
            .values("pk_text")
        )
        return states.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Application),
            workflow_state__object_id__in=applications,
        )

    def start(self, workflow_state, user=None):
        # The parent may hold a lock from nowhere (they never use the admin); a registrar of
        # another school must not keep one either.
        application = workflow_state.content_object
        if application.locked_by_id and not self._may_review(application, application.locked_by):
            Application.objects.filter(pk=application.pk).update(
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

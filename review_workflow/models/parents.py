"""The parent accounts a decision provisions, and their links to children."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binding_forms.identity.fields import IdNumberFields
from binding_forms.models import Applicant, Application, Student


class ParentAccount(IdNumberFields):
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
    # One account per person: the digest is unique here.
    id_number_digest = models.CharField(max_length=64, unique=True, editable=False)
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

    def of_parent(self, user):
        """The links a signed-in parent may act on (申請解除綁定): their own, still active. The one
        rule every parent page asks; another parent's link is simply not in it."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.active().filter(parent=user)


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

"""Printed binding letters (親子帳號綁定通知單): the paper route to the sign-in."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binding_forms.models.registry import Student


class BindingLetter(models.Model):
    """One printed letter for one student: its code opens the sign-in with the school chosen and
    the account filled in, once, until it expires or a reprint voids it.

    Only the code's digest is kept: the code itself exists on paper and in the PDF sent to the
    registrar who printed it, never in the database or a log.
    """

    class State(models.TextChoices):
        OPEN = "open", _("open")
        USED = "used", _("used")
        VOIDED = "voided", _("voided by a reprint")
        EXPIRED = "expired", _("expired")

    student = models.ForeignKey(
        Student,
        on_delete=models.CASCADE,
        related_name="binding_letters",
        verbose_name=_("student"),
    )
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("printed by"),
    )
    printed_at = models.DateTimeField(_("printed at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)

    class Meta:
        constraints = [
            # A reprint voids the letters before it: at most one letter a family can still use.
            models.UniqueConstraint(
                fields=["student"],
                condition=Q(used_at__isnull=True, voided_at__isnull=True),
                name="one_open_binding_letter_per_student",
            )
        ]
        ordering = ["-printed_at", "-pk"]
        verbose_name = _("binding letter")
        verbose_name_plural = _("binding letters")

    def __str__(self) -> str:
        return f"{self.student}（{self.printed_at:%Y-%m-%d}）"

    @property
    def state(self) -> "BindingLetter.State":
        if self.used_at is not None:
            return self.State.USED
        if self.voided_at is not None:
            return self.State.VOIDED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN

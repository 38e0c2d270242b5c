"""The people who use the portal: parents, student accounts and staff."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Parents, student accounts and staff are all users; what differs is what they may reach."""

    password_change_required = models.BooleanField(
        _("password change required"),
        default=False,
        help_text=_("Set while the account still has its first, one-time password."),
    )

    def get_full_name(self):
        """A student account is used by a parent, who applies with it: Wagtail names a
        workflow's submitter by this (awaiting review, the status panel, the history), and a
        registrar must read the applicant there, not the child (issue 13)."""
        full_name = super().get_full_name()
        if not self.pk or not self._is_student_account():
            return full_name
        if not hasattr(self, "_applicant"):
            from binding_forms.models.binding import Applicant

            # The application this account sent (its requester), whoever the student row links.
            self._applicant = (
                Applicant.objects.filter(application__requester=self)
                .order_by("position")
                .values_list("name", "application__student__name")
                .first()
            )
        if self._applicant:
            applicant, child = self._applicant
            return _("%(applicant)s (parent of %(child)s)") % {
                "applicant": applicant,
                "child": child,
            }
        return _("Parent of %(child)s") % {"child": self.first_name} if self.first_name else ""

    def _is_student_account(self) -> bool:
        from binding_forms.accounts.sign_in_name import parse_student_username

        return parse_student_username(self.get_username()) is not None

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

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

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

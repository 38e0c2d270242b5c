"""The people who use the portal, and the school registry parents are checked against."""

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


class District(models.Model):
    """One of Taipei City's 12 administrative districts (行政區)."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=40, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)

    class Meta:
        ordering = ["postal_code", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Level(models.TextChoices):
        ELEMENTARY = "elementary", _("elementary school (國小)")
        JUNIOR_HIGH = "junior_high", _("junior high school (國中)")
        SENIOR_HIGH = "senior_high", _("senior high school (高中)")
        VOCATIONAL = "vocational", _("vocational high school (高職)")

    moe_code = models.CharField(
        _("MOE school code"),
        max_length=6,
        unique=True,
        help_text=_("The Ministry of Education's six-digit school code."),
    )
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="schools", verbose_name=_("district")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    registration_office_contact = models.CharField(
        _("registration office contact"),
        max_length=200,
        blank=True,
        help_text=_("Shown to parents whose child's data is wrong, e.g. a phone extension."),
    )

    class Meta:
        ordering = ["district", "moe_code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return self.name

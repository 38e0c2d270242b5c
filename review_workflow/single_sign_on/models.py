"""The city's services that sign parents in through the portal, and what each was given."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import AbstractApplication

from binding_forms.models import Student


class ServiceApplication(AbstractApplication):
    """A city service registered by an administrator (django-oauth-toolkit's application, with
    the scopes this service may ask for)."""

    profile_allowed = models.BooleanField(
        _("may receive the name (profile)"),
        default=True,
        help_text=_(
            "Also tpeduSSO's profile and me, which carry the email address (profile: and the "
            "mobile number) to services written for it."
        ),
    )
    email_allowed = models.BooleanField(_("may receive the email address (email)"), default=True)
    children_allowed = models.BooleanField(
        _("may receive the bound children (children)"),
        default=False,
        help_text=_("School, class, student number and relationship of each bound child."),
    )
    pkce_required = models.BooleanField(
        _("PKCE required"),
        default=True,
        help_text=_(
            "Always required for public clients. Untick only for a confidential service written "
            "for tpeduSSO that does not send a code challenge yet."
        ),
    )

    class Meta(AbstractApplication.Meta):
        swappable = "OAUTH2_PROVIDER_APPLICATION_MODEL"
        verbose_name = _("service")
        verbose_name_plural = _("services signing in through the portal")

    def save(self, *args, **kwargs):
        # Services sign parents in with a browser: the code flow, tokens signed RS256.
        self.authorization_grant_type = self.GRANT_AUTHORIZATION_CODE
        self.algorithm = self.algorithm or self.RS256_ALGORITHM
        super().save(*args, **kwargs)

    @property
    def allowed_scopes(self) -> list[str]:
        scopes = ["openid"]
        if self.profile_allowed:
            scopes += ["profile", "me"]  # "me": tpeduSSO's name and email
        if self.email_allowed:
            scopes.append("email")
        if self.children_allowed:
            scopes.append("children")
        return scopes


class ServiceConsent(models.Model):
    """A parent's consent for one service: asked once, until revoked or a new scope is asked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_consents"
    )
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("service"),
    )
    scopes = models.CharField(_("scopes"), max_length=200)
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "application"], name="one_consent_per_service")
        ]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()


class Subject(models.Model):
    """The stable ``sub`` of a user: a random UUID, neither the email nor an ID number."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="oidc_subject"
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


class StudentSubject(models.Model):
    """A child's stable identifier towards services (tpeduSSO's student uuid)."""

    student = models.OneToOneField(Student, on_delete=models.CASCADE, related_name="oidc_subject")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

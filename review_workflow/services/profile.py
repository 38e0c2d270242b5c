"""A parent's own profile: mobile, email (proven by a one-time code first), recent sign-ins."""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django_otp.plugins.otp_email.models import EmailDevice

from binding_forms.accounts.sign_in_name import sign_in_name, sign_in_name_recorded
from binding_forms.identity.personal_data import mask_id_numbers
from review_workflow.models import ParentAccount

# The device that holds a pending new address and its code; one per parent.
EMAIL_CHANGE_DEVICE = "parent-email-change"


class EmailNotAvailable(ValueError):
    """The address signs in another account, or is the parent's own already."""


@transaction.atomic
def parent_mobile_set(*, account: ParentAccount, mobile: str) -> ParentAccount:
    """Store a mobile number already normalised by ``normalize_tw_mobile`` (or empty)."""
    account.mobile = mobile
    account.save(update_fields=["mobile"])
    return account


def _lock(user) -> None:
    """One email change of a parent at a time (a double tap): the device has no unique key to
    lock on, the user row does."""
    get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()


def _email_taken(*, user, email: str) -> bool:
    name = sign_in_name(email)
    if name == sign_in_name(user.get_username()):
        return True
    User = get_user_model()
    return User._default_manager.filter(username__iexact=name).exclude(pk=user.pk).exists()


def parent_email_code_send(*, user, email: str) -> str:
    """Mail a one-time code to the new address (django-otp's email device, its cooldown and
    expiry). The address changes only when that code is typed back. Returns what to tell the
    parent; raises ``EmailNotAvailable`` for an address that cannot become their sign-in name."""
    email = sign_in_name(email)
    if _email_taken(user=user, email=email):
        raise EmailNotAvailable
    with transaction.atomic():
        _lock(user)
        device, _created = EmailDevice.objects.get_or_create(
            user=user, name=EMAIL_CHANGE_DEVICE, defaults={"email": email, "confirmed": False}
        )
        if device.email != email:
            # Another address: its own code, without waiting for the previous one's cooldown.
            device.email = email
            device.last_generated_timestamp = None
        allowed, _refusal = device.generate_is_allowed()
        if not allowed:
            return _("A code was sent less than a minute ago: wait a moment and send again.")
        device.cooldown_set(commit=False)
        device.generate_token(valid_secs=settings.OTP_EMAIL_TOKEN_VALIDITY, commit=True)
        body = render_to_string(
            "review_workflow/email/email_change_code.txt",
            {"token": device.token, "minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60},
        )
        token_mail = (_("Taipei City School Portal: your email verification code"), body, email)
        transaction.on_commit(lambda: send_mail(*token_mail[:2], None, [token_mail[2]]))
    return _("A code was sent to the new address. Type it below within %(minutes)d minutes.") % {
        "minutes": settings.OTP_EMAIL_TOKEN_VALIDITY // 60
    }


def parent_email_pending(*, user) -> str:
    """The new address waiting for its code ("" when none)."""
    device = EmailDevice.objects.filter(user=user, name=EMAIL_CHANGE_DEVICE).first()
    return device.email if device is not None and device.token else ""


@transaction.atomic
def parent_email_change(*, user, code: str) -> bool:
    """With the right code, the pending address becomes the parent's email and sign-in name and
    the old address is told. False for a wrong or expired code (the device throttles guesses)."""
    _lock(user)
    device = EmailDevice.objects.filter(user=user, name=EMAIL_CHANGE_DEVICE).first()
    if device is None or not device.token or not device.verify_token(code.strip()):
        return False
    if _email_taken(user=user, email=device.email):
        device.delete()
        raise EmailNotAvailable
    old = user.email
    old_recorded = sign_in_name_recorded(user.get_username())
    user.email = device.email
    user.username = sign_in_name(device.email)
    user.save(update_fields=["email", "username"])
    device.delete()
    # The recent sign-ins follow the account to its new sign-in name.
    new_recorded = sign_in_name_recorded(user.username)
    AccessLog.objects.filter(username=old_recorded).update(username=new_recorded)
    AccessFailureLog.objects.filter(username=old_recorded).update(username=new_recorded)
    if old:
        body = render_to_string(
            "review_workflow/email/email_changed_notice.txt",
            {"name": mask_id_numbers(user.get_full_name())},
        )
        subject = _("Taipei City School Portal: the email of your parent account was changed")
        transaction.on_commit(lambda: send_mail(subject, body, None, [old]))
    return True


# Recent sign-ins ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    at: datetime
    device: str
    succeeded: bool


_BROWSERS = (
    ("Edg/", "Edge"),
    ("EdgiOS", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser", "Samsung Internet"),
    ("Line/", "LINE"),
    ("CriOS", "Chrome"),
    ("FxiOS", "Firefox"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "Mac"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A rough "Chrome on Android" from a user agent: enough for a parent to recognise their
    own phone, no version or model that would fingerprint it."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or _("Unknown device")


def sign_ins_recent(*, user, limit: int = 10) -> list[SignIn]:
    """The account's latest sign-ins, successes (django-axes' access log) and failures (its
    failure log), newest first. No address: the parent does not need it to recognise a device."""
    name = sign_in_name_recorded(user.get_username())
    rows = [
        SignIn(at=row.attempt_time, device=device_label(row.user_agent), succeeded=True)
        for row in AccessLog.objects.filter(username=name).order_by("-attempt_time")[:limit]
    ] + [
        SignIn(at=row.attempt_time, device=device_label(row.user_agent), succeeded=False)
        for row in AccessFailureLog.objects.filter(username=name).order_by("-attempt_time")[:limit]
    ]
    return sorted(rows, key=lambda row: row.at, reverse=True)[:limit]

"""Two-factor sign-in (TOTP, django-otp) for everyone who can reach the Wagtail admin.

The password is the first step (Wagtail's login with ``StaffLoginForm``: staff only, django-axes
behind it); a signed-in admin user whose session is not yet OTP-verified reaches nothing in the
admin but these pages: the enrolment (a QR code for an authenticator app, then backup codes) when
they have no confirmed authenticator yet, else the verification (a code from the app or a backup
code). Wrong codes slow down through django-otp's throttling on each device. Parents and student
accounts never use the admin and cannot sign in there.
"""

import logging
import secrets
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.forms.auth import LoginForm, PasswordResetForm
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from binding_forms.accounts.next_url import safe_next_url

BACKUP_CODE_COUNT = 10
BACKUP_CODE_DIGITS = 10  # TOTP codes have 6: the length tells which device a code is for
AUTHENTICATOR_NAME = "authenticator"
BACKUP_DEVICE_NAME = "backup"
ADMIN_ACCESS = "wagtailadmin.access_admin"

logger = logging.getLogger(__name__)


def two_factor_required() -> bool:
    return getattr(settings, "ADMIN_TWO_FACTOR_REQUIRED", True)


def confirmed_authenticator(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def authenticator_pending(*, user) -> TOTPDevice:
    """The not yet confirmed authenticator being set up: the same key until it is confirmed, so
    reloading the page does not invalidate a QR code the user has already scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


@transaction.atomic
def backup_codes_generate(*, user) -> list[str]:
    """A fresh set of single-use backup codes; the previous set stops working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [
        f"{secrets.randbelow(10**BACKUP_CODE_DIGITS):0{BACKUP_CODE_DIGITS}d}"
        for _ in range(BACKUP_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_reset(*, user) -> None:
    """Forget the user's authenticator and backup codes: they enrol again at the next sign-in."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def formatted_code(code: str) -> str:
    """A backup code as shown: two groups of five digits."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


class WhiteSvgPathImage(qrcode.image.svg.SvgPathImage):
    background = "#ffffff"  # readable in the admin's dark theme too


def qr_code_svg(data: str) -> str:
    """An inline SVG QR code (no image request, nothing sent to a third party)."""
    image = qrcode.make(data, image_factory=WhiteSvgPathImage, box_size=8, border=4)
    return image.to_string(encoding="unicode")


class CodeForm(forms.Form):
    """One code, checked against one device chosen by its length (django-otp 1.7 will not guess:
    trying every device would count a failure against each one that did not match)."""

    code = forms.CharField(
        label=_("Authentication code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, devices, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = devices
        self.device = None

    def clean_code(self):
        # Spaces and dashes as copied from the backup code list; full-width digits from a
        # Chinese input method.
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        code = code.translate({0xFF10 + digit: str(digit) for digit in range(10)})
        device = self.device_for(code)
        if device is None:
            raise forms.ValidationError(_("This code is not correct."), code="invalid")
        error = None
        with transaction.atomic():
            # Locked, so parallel guesses cannot slip past the throttle between read and write.
            device = type(device).objects.select_for_update().get(pk=device.pk)
            allowed, extra = device.verify_is_allowed()
            if not allowed:
                error = throttled_error(extra)
            elif not device.verify_token(code):  # counts the failure, committed below
                error = forms.ValidationError(_("This code is not correct."), code="invalid")
        if error:
            raise error
        self.device = device
        return code

    def device_for(self, code: str):
        if not code.isdigit():
            return None
        for device in self.devices:
            if isinstance(device, TOTPDevice) and len(code) == device.digits:
                return device
            if isinstance(device, StaticDevice) and len(code) == BACKUP_CODE_DIGITS:
                return device
        return None


class StaffLoginForm(LoginForm):
    """The admin's password step, for staff only (``WAGTAILADMIN_USER_LOGIN_FORM``).

    Parents and student accounts sign in at /signin/, behind a captcha. Here their sign-in fails
    like a wrong password, right password or not (the backends' ``staff_only``), so this page,
    which has no captcha, tells nobody whether a guess was right; the message says where to go.
    """

    error_messages = {
        **LoginForm.error_messages,
        "invalid_login": _(
            "The username or password is incorrect, or this account does not sign in here. Parents "
            "and student accounts sign in on the portal's sign-in page, /signin/."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            self.user_cache = authenticate(
                self.request, username=username, password=password, staff_only=True
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class StaffPasswordResetForm(PasswordResetForm):
    """The admin's password reset mails staff only; parents reset theirs from /signin/."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if user.has_perm(ADMIN_ACCESS))


def throttled_error(extra: dict | None) -> forms.ValidationError:
    locked_until = (extra or {}).get("locked_until")
    if locked_until is None:
        return forms.ValidationError(_("Codes cannot be checked now."), code="throttled")
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return forms.ValidationError(
        ngettext(
            "Too many wrong codes. Try again in %(seconds)d second.",
            "Too many wrong codes. Try again in %(seconds)d seconds.",
            seconds,
        )
        % {"seconds": seconds},
        code="throttled",
    )


def step_url(name: str, *, next_url: str | None = None) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def safe_next(request) -> str:
    return safe_next_url(request, default=reverse("wagtailadmin_home"))


sensitive_code = method_decorator(sensitive_post_parameters("code"), name="dispatch")
uncached = method_decorator(never_cache, name="dispatch")


@uncached
@sensitive_code
class EnrolView(View):
    """Set up an authenticator app: QR code and key, then a code from the app confirms it."""

    template_name = "binding_forms/two_factor/enrol.html"

    def dispatch(self, request, *args, **kwargs):
        if confirmed_authenticator(request.user) is not None:
            # Only a verified session may see its codes again; never a second authenticator from
            # a password alone.
            if request.user.is_verified():
                return redirect("two_factor:backup_codes")
            return redirect(step_url("two_factor:verify", next_url=safe_next(request)))
        self.device = authenticator_pending(user=request.user)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.render(CodeForm(devices=[self.device]))

    def post(self, request):
        form = CodeForm(request.POST, devices=[self.device])
        if not form.is_valid():
            logger.warning("two-factor enrolment code refused: account=%s", request.user)
            return self.render(form)
        device = form.device
        with transaction.atomic():
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()  # other tabs'
            codes = backup_codes_generate(user=request.user)
        otp_login(request, device)
        logger.info("two-factor enrolled: account=%s", request.user)
        return TemplateResponse(
            request,
            "binding_forms/two_factor/backup_codes_new.html",
            {
                "codes": [formatted_code(code) for code in codes],
                "next": safe_next(request),
                "enrolled": True,
            },
        )

    def render(self, form):
        secret = b32encode(self.device.bin_key).decode()
        return TemplateResponse(
            self.request,
            self.template_name,
            {
                "form": form,
                "qr_code": mark_safe(qr_code_svg(self.device.config_url)),  # noqa: S308 (ours)
                "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
                "next": safe_next(self.request),
            },
        )


@uncached
@sensitive_code
class VerifyView(View):
    """The second step of every admin sign-in: a code from the app, or a backup code."""

    template_name = "binding_forms/two_factor/verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_verified():
            return redirect(safe_next(request))
        self.authenticator = confirmed_authenticator(request.user)
        if self.authenticator is None:
            return redirect(step_url("two_factor:enrol", next_url=safe_next(request)))
        return super().dispatch(request, *args, **kwargs)

    def devices(self):
        backup = StaticDevice.objects.filter(user=self.request.user, confirmed=True)
        return [self.authenticator, *backup]

    def get(self, request):
        return self.render(CodeForm(devices=self.devices()))

    def post(self, request):
        form = CodeForm(request.POST, devices=self.devices())
        if not form.is_valid():
            logger.warning("two-factor code refused: account=%s", request.user)
            return self.render(form)
        otp_login(request, form.device)
        logger.info("two-factor verified: account=%s device=%s", request.user, form.device.name)
        if isinstance(form.device, StaticDevice):
            left = backup_codes_left(request.user)
            messages.warning(
                request,
                ngettext(
                    "You signed in with a backup code; %(count)d is left.",
                    "You signed in with a backup code; %(count)d are left.",
                    left,
                )
                % {"count": left},
            )
        return redirect(safe_next(request))

    def render(self, form):
        return TemplateResponse(
            self.request, self.template_name, {"form": form, "next": safe_next(self.request)}
        )


@uncached
class BackupCodesView(WagtailAdminTemplateMixin, View):
    """A new set of backup codes, for a verified session (the middleware sees to that)."""

    template_name = "binding_forms/two_factor/backup_codes.html"
    page_title = _("Backup codes")
    header_icon = "key"

    def get(self, request):
        return TemplateResponse(request, self.template_name, self.get_context_data())

    def post(self, request):
        codes = backup_codes_generate(user=request.user)
        return TemplateResponse(
            request,
            "binding_forms/two_factor/backup_codes_new.html",
            {
                "codes": [formatted_code(code) for code in codes],
                "next": reverse("wagtailadmin_account"),
            },
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(left=backup_codes_left(self.request.user), **kwargs)


urlpatterns = [
    path("enrol/", EnrolView.as_view(), name="enrol"),
    path("verify/", VerifyView.as_view(), name="verify"),
    path("backup-codes/", BackupCodesView.as_view(), name="backup_codes"),
]


def admin_urls():
    return [path("two-factor/", include((urlpatterns, "two_factor"), namespace="two_factor"))]


class TwoFactorRequiredMiddleware:
    """In the admin, a signed-in user whose session is not OTP-verified is sent to enrol or to
    verify, whatever they asked for (pages, snippets, JSON endpoints): nothing else is reachable.

    Goes after django-otp's OTPMiddleware, which tells whether the session is verified.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if two_factor_required() and self.guarded(request.path_info):
            user = request.user
            if user.is_authenticated and user.has_perm(ADMIN_ACCESS) and not user.is_verified():
                step = "two_factor:verify" if confirmed_authenticator(user) else "two_factor:enrol"
                # After the code, back to the page asked for (a GET; a POST is not replayed).
                back = request.get_full_path() if request.method == "GET" else None
                return redirect(step_url(step, next_url=back))
        return self.get_response(request)

    @staticmethod
    def guarded(path_info: str) -> bool:
        if not path_info.startswith(reverse("wagtailadmin_home")):
            return False
        open_paths = {
            reverse(name)
            for name in (
                "wagtailadmin_login",
                "wagtailadmin_logout",
                "wagtailadmin_sprite",
                "wagtailadmin_javascript_catalog",
                "two_factor:enrol",
                "two_factor:verify",
            )
        }
        return path_info not in open_paths and not path_info.startswith(
            reverse("wagtailadmin_password_reset")
        )

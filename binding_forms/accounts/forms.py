from captcha.fields import CaptchaField, CaptchaTextInput
from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _

from binding_forms.accounts.sign_in_name import normalize_account, sign_in_name, student_username
from binding_forms.models import District, School

# One message for every way a sign-in can fail: it must not tell whether a school, a student
# or an account exists.
SIGN_IN_FAILED = _(
    "The account or password is incorrect. Check them and try again; if you have forgotten the "
    "password, ask the school's registration office."
)


class CaptchaInput(CaptchaTextInput):
    template_name = "binding_forms/widgets/captcha.html"


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=_("Enter the code"),
        widget=CaptchaInput(
            attrs={"placeholder": _("Please enter the code"), "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": _("The code does not match the picture. Try the new one."),
            "required": _("Enter the code shown in the picture."),
            "incomplete": _("Enter the code shown in the picture."),
        },
    )


class SchoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.district.name}）"


class SchoolSelect(forms.Select):
    """The schools grouped by district; each option names its district for the script."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        district = getattr(getattr(value, "instance", None), "district_id", None)
        if district:
            option["attrs"]["data-district"] = district
        return option


class SignInForm(forms.Form):
    """What both tabs share: a password, a captcha, and one answer for every failure."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(
            attrs={"placeholder": _("Enter the password"), "autocomplete": "current-password"}
        ),
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)
        self.fields["captcha"] = captcha_field()

    def sign_in_name(self) -> str | None:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        username = self.sign_in_name()
        self.user = authenticate(
            self.request, username=username or "-", password=cleaned["password"]
        )
        if self.user is None:
            raise forms.ValidationError(SIGN_IN_FAILED, code="sign_in_failed")
        return cleaned


class StudentSignInForm(SignInForm):
    district = forms.ModelChoiceField(
        District.objects.all(),
        label=_("District"),
        required=False,
        empty_label=_("Choose the district"),
    )
    school = SchoolChoiceField(
        School.objects.select_related("district").order_by("district__postal_code", "moe_code"),
        label=_("School"),
        empty_label=_("Choose the school"),
        widget=SchoolSelect,
        error_messages={
            "required": _("Choose the school."),
            # An unknown school answers like a wrong password (see clean()).
            "invalid_choice": SIGN_IN_FAILED,
        },
    )
    account = forms.CharField(
        label=_("Account"),
        max_length=40,
        # Where to find the number, as the handbook shows it on the card.
        help_text=_(
            "A capital P followed by the student number, which is printed on the child's Taipei "
            "Card (student card) under 學號: for 學號 10301123 the account is P10301123."
        ),
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Enter P + student number"),
                "autocomplete": "username",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )
    field_order = ["district", "school", "account", "password", "captcha"]

    def __init__(self, *args, district: District | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if district is not None:
            self.fields["school"].queryset = self.fields["school"].queryset.filter(
                district=district
            )
            self.fields["district"].initial = district.pk

    def clean_account(self) -> str:
        account = normalize_account(self.cleaned_data["account"])
        if account is None:
            raise forms.ValidationError(
                _("The account is a capital P followed by the student number, e.g. P108035."),
                code="account_format",
            )
        return account

    def clean(self):
        school_error = self.errors.get("school")
        if school_error and school_error.as_data()[0].code == "invalid_choice":
            del self.errors["school"]
            self.add_error(None, forms.ValidationError(SIGN_IN_FAILED, code="sign_in_failed"))
        return super().clean()

    def sign_in_name(self) -> str:
        return student_username(self.cleaned_data["school"].moe_code, self.cleaned_data["account"])


class SignInEmailField(forms.EmailField):
    """An email as a sign-in name: full-width input from a Chinese input method is accepted;
    no longer than a user's email (254), which django-axes' records (255) can hold."""

    def __init__(self, **kwargs):
        super().__init__(max_length=254, **kwargs)

    def to_python(self, value):
        return super().to_python(sign_in_name(value))


class ParentSignInForm(SignInForm):
    email = SignInEmailField(
        label=_("Email"),
        widget=forms.EmailInput(
            attrs={"autocomplete": "username", "placeholder": _("The email of your parent account")}
        ),
    )
    field_order = ["email", "password", "captcha"]

    def sign_in_name(self) -> str:
        return self.cleaned_data["email"]


class ParentPasswordResetForm(PasswordResetForm):
    """Django mails only accounts with a usable password; a parent whose first password (the
    last six digits of the ID) was never used, or expired, has none yet and must get the link
    too. Student accounts have no email, so they are never matched."""

    def get_users(self, email):
        users = (
            get_user_model()
            ._default_manager.filter(email__iexact=email, is_active=True)
            .select_related("parent_account")
        )
        return (user for user in users if user.has_usable_password() or _is_parent(user))


def _is_parent(user) -> bool:
    try:
        return user.parent_account is not None
    except ObjectDoesNotExist:
        return False


class FirstPasswordChangeForm(SetPasswordForm):
    """The forced change: Django's validators plus NotIdentityValidator (settings)."""

    def save(self, commit=True):
        self.user.password_change_required = False
        return super().save(commit=commit)

"""The parent's profile forms: each field's errors in zh-Hant beside it, never a 500."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from binding_forms.identity.personal_data import holds_id_number
from binding_forms.identity.validators import normalize_tw_mobile


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("A Taiwan mobile number, e.g. 0912345678."),
    )

    def clean_mobile(self) -> str:
        return normalize_tw_mobile(self.cleaned_data["mobile"])


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_(
            "We mail a code to the new address; it becomes your sign-in name once you type the "
            "code here."
        ),
    )

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if holds_id_number(email):
            raise ValidationError(
                _("Use an email address that does not contain an ID number."), code="id_number"
            )
        return email


class EmailCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Verification code"),
        regex=r"^\s*[0-9]{6}\s*$",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"invalid": _("Enter the six digits of the code in the mail.")},
    )


class UnbindingRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The school's registration office reads it. Do not write ID numbers."),
    )

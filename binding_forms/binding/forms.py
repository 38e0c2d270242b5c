import unicodedata

from django import forms
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from binding_forms.accounts.forms import StudentSignInForm
from binding_forms.identity.personal_data import decrypt, id_number_digest, mask_id_number
from binding_forms.identity.validators import (
    normalize_tw_id,
    normalize_tw_mobile,
    reject_control_characters,
    without_control_characters,
)
from binding_forms.languages import lang_unless_active, lang_unless_active_language
from binding_forms.models import Applicant, User

# The binding wizard --------------------------------------------------------------------------

# An applicant's email becomes the sign-in name of the parent account made at approval
# (review_workflow.services.approval.parent_account_provision): it must fit there and in every
# other place it is stored (the applicant, the user's email, the code's email device).
EMAIL_MAX_LENGTH = min(
    User._meta.get_field("username").max_length,
    User._meta.get_field("email").max_length,
    Applicant._meta.get_field("email").max_length,
)
NAME_MAX_LENGTH = Applicant._meta.get_field("name").max_length


def storable_text(value: str, max_length: int | None) -> str:
    """What of ``value`` a form field can keep: no control characters, at most ``max_length``
    characters (what a browser lets a person type into the field)."""
    return without_control_characters(value)[:max_length]


class OneLineMixin:
    """A one-line text field as people type it: control characters (NUL included) are an error
    beside the field, and the field is shown again without them, so sending it again works.
    PostgreSQL refuses NUL in the draft's JSON column; exports and mail refuse the others."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One message for NUL and its kin, instead of Django's own for NUL alone.
        self.validators = [
            *(v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)),
            reject_control_characters,
        ]

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return storable_text(data, self.max_length) if isinstance(data, str) else data


class OneLineField(OneLineMixin, forms.CharField):
    pass


class OneLineEmailField(OneLineMixin, forms.EmailField):
    pass


def _check_length(value: str, max_length: int) -> str:
    """Normalising (NFC, lower case) can lengthen a value the field already measured."""
    MaxLengthValidator(max_length)(value)
    return value


class EditorsOptionsMixin:
    """A choice widget whose options editors wrote, in ``options_lang`` when that is not the
    language of the labels around them (an untranslated page): each option says so."""

    options_lang = ""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if self.options_lang and value != "":
            option["attrs"]["lang"] = self.options_lang
        return option


class EditorsRadioSelect(EditorsOptionsMixin, forms.RadioSelect):
    pass


class EditorsSelect(EditorsOptionsMixin, forms.Select):
    pass


class ConsentForm(forms.Form):
    choice = forms.ChoiceField(
        # The handbook's words above the two choices.
        label=_("Based on the above, tick one of the options below:"),
        widget=EditorsRadioSelect,
        error_messages={"required": _("Choose whether you agree.")},
    )

    def __init__(self, *args, page, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].widget.options_lang = lang_unless_active(page)
        self.fields["choice"].choices = [
            ("agreed", page.consent_agree_label),
            ("refused", page.consent_refuse_label),
        ]


APPLICANT_LABELS = (_("First applicant"), _("Second applicant"))  # 第一位, 第二位


class ApplicantForm(forms.Form):
    """One applicant (第一位 or 第二位); the wizard's applicants form holds two, by prefix."""

    name = OneLineField(label=_("Applicant's name"), max_length=NAME_MAX_LENGTH)
    relationship = forms.ChoiceField(label=_("Relationship"), widget=EditorsSelect)
    id_number = OneLineField(
        label=_("National ID or resident certificate number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    mobile = OneLineField(
        label=_("Mobile"),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    email = OneLineEmailField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(
        self,
        *args,
        relationships,
        stored_relationships=None,
        options_lang: str = "",
        required: bool = True,
        kept_id_number: str = "",
        **kwargs,
    ):
        """``relationships``: the labels shown, ``stored_relationships`` what is kept for each
        (the source language's, in the same order); ``options_lang``: their language where it
        is not the labels'; ``required``: whether the chosen application type takes this
        applicant (the stars say so); ``kept_id_number``: the encrypted ID of a draft or of what
        was sent, shown masked and kept unless the parent types another."""
        super().__init__(*args, **kwargs)
        self.fields["relationship"].choices = [
            ("", _("Choose the relationship")),
            *zip(stored_relationships or relationships, relationships, strict=True),
        ]
        self.fields["relationship"].widget.options_lang = options_lang
        for field in self.fields.values():
            field.required = required
        self.kept_id_number = kept_id_number
        self.kept_plain = _readable(kept_id_number)
        if self.kept_plain:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _(
                "Saved as %(masked)s. To change it, type the whole number here; leave it empty "
                "to keep it."
            ) % {"masked": mask_id_number(self.kept_plain)}

    def clean_name(self) -> str:
        name = unicodedata.normalize("NFC", self.cleaned_data["name"]).strip()
        return _check_length(name, NAME_MAX_LENGTH)

    def clean_id_number(self) -> str:
        value = self.cleaned_data["id_number"] or self.kept_plain
        if not value:  # not required (a second applicant the type does not take)
            return value
        return normalize_tw_id(value)

    def clean_mobile(self) -> str:
        value = self.cleaned_data["mobile"]
        return normalize_tw_mobile(value) if value else value

    def clean_email(self) -> str:
        return _check_length(self.cleaned_data["email"].strip().lower(), EMAIL_MAX_LENGTH)


def _readable(encrypted: str) -> str:
    """The plain ID of an encrypted copy, or "" when there is none or today's key cannot read
    it (then the parent types it again)."""
    if not encrypted:
        return ""
    try:
        return decrypt(encrypted)
    except ValueError:
        return ""


def error_entries(form, prefix: str = "") -> list[dict]:
    """What a form's error summary lists: each field with an error (named, with the id of the
    control to jump to) in the order of the page, then the form's own errors."""
    entries = [
        {
            # A radio list has no control of its own id: its first button.
            "id": field.id_for_label or f"{field.auto_id}_0",
            "label": f"{prefix}{field.label}",
            "message": " ".join(str(error) for error in field.errors),
        }
        for field in form
        if field.errors
    ]
    entries += [{"id": "", "label": "", "message": str(e)} for e in form.non_field_errors()]
    return entries


class ApplicantsForm:
    """Step 3: the application type, then one or two applicants, checked against each other and
    against the student. Holds what the parent typed even when it is wrong (it is re-shown)."""

    def __init__(
        self,
        data=None,
        *,
        page,
        student_id_digest: str,
        initial=None,
        kept_id_numbers: dict[int, str] | None = None,
    ):
        initial = initial or {}
        kept_id_numbers = kept_id_numbers or {}
        self.page = page
        self.student_id_digest = student_id_digest
        self.choices = page.step_choices()
        # The types are chosen by their place in the list; what is stored is the source's.
        self.types = self.choices.application_types
        options_lang = lang_unless_active_language(self.choices.language)
        self.type_field = forms.Form(
            data,
            initial={"application_type": initial.get("application_type")},
        )
        type_widget = EditorsRadioSelect()
        type_widget.options_lang = options_lang
        self.type_field.fields["application_type"] = forms.ChoiceField(
            label=_("Application type"),
            choices=[(str(index), item.label) for index, item in enumerate(self.types)],
            widget=type_widget,
            error_messages={"required": _("Choose the application type.")},
        )
        # Without JavaScript the server decides from the type chosen (or saved) what is
        # required: the first applicant always, the second for a type of two.
        chosen = self._type_at((data or initial).get("application_type"))
        count = chosen.applicant_count if chosen else 1
        self.applicants = [
            ApplicantForm(
                data,
                prefix=f"applicant{position}",
                relationships=self.choices.relationships,
                stored_relationships=self.choices.stored_relationships,
                options_lang=options_lang,
                initial=initial.get(f"applicant{position}", {}),
                use_required_attribute=False,
                required=position <= count,
                kept_id_number=kept_id_numbers.get(position, ""),
            )
            for position in (1, 2)
        ]
        self.non_field_errors: list[str] = []

    @property
    def chosen_type(self):
        """The source page's row of the type chosen: its label is what the application keeps."""
        try:
            return self._type_at(self.type_field.cleaned_data["application_type"])
        except (AttributeError, KeyError):
            return None

    def _type_at(self, index):
        try:
            return self.choices.stored_types[int(index)] if int(index) >= 0 else None
        except (TypeError, ValueError, IndexError):
            return None

    def is_valid(self) -> bool:
        if not self.type_field.is_valid() or self.chosen_type is None:
            if not self.type_field.errors:
                self.type_field.add_error("application_type", _("Choose the application type."))
            # Still check the first applicant so every error shows at once.
            self.applicants[0].is_valid()
            return False
        needed = self.applicants[: self.chosen_type.applicant_count]
        valid = all([form.is_valid() for form in needed])  # noqa: C419 (validate both: all errors)
        if not valid:
            return False
        return self._check_together(needed)

    def _check_together(self, forms_: list[ApplicantForm]) -> bool:
        ok = True
        for form in forms_:
            if id_number_digest(form.cleaned_data["id_number"]) == self.student_id_digest:
                form.add_error(
                    "id_number", _("This is the student's ID number; enter the applicant's own.")
                )
                ok = False
        if len(forms_) == 2:
            # An ID refused above has left cleaned_data: compare only what is still there.
            first, second = (form.cleaned_data for form in forms_)
            if "id_number" in first and first["id_number"] == second.get("id_number"):
                forms_[1].add_error(
                    "id_number", _("The two applicants must have different ID numbers.")
                )
                ok = False
            if first["email"] == second["email"]:
                forms_[1].add_error("email", _("The two applicants must have different emails."))
                ok = False
        return ok

    def applicant_data(self) -> list[dict]:
        return [
            {"position": position, **form.cleaned_data}
            for position, form in enumerate(
                self.applicants[: self.chosen_type.applicant_count], start=1
            )
        ]

    def raw_data(self) -> dict:
        """What was typed, for 暫存: as each field shows it again (without control characters,
        which PostgreSQL's JSON column refuses, and no longer than the field), IDs left to the
        caller to encrypt."""
        typed_type = self._typed(self.type_field, "application_type")
        raw = {"application_type": storable_text(typed_type, 10)}
        for position, form in enumerate(self.applicants, start=1):
            values = raw[f"applicant{position}"] = {
                # A choice longer than any label is no choice: cut like the rest.
                name: storable_text(self._typed(form, name), getattr(field, "max_length", 100))
                for name, field in form.fields.items()
            }
            if not values["id_number"] and form.kept_id_number:  # left empty: kept
                del values["id_number"]
                values["id_number_encrypted"] = form.kept_id_number
        return raw

    @staticmethod
    def _typed(form, name: str) -> str:
        value = form.data.get(form.add_prefix(name), "")
        return value.strip() if isinstance(value, str) else ""

    def flag_unkept(self) -> bool:
        """For 暫存, which checks nothing else: an error beside each field whose value the draft
        could not keep as typed (control characters, too long); True if there was one."""
        unkept = [
            {
                name
                for name, field in form.fields.items()
                if isinstance(field, OneLineMixin)
                and storable_text(typed := self._typed(form, name), field.max_length) != typed
            }
            for form in self.applicants
        ]
        if not any(unkept):
            return False
        # A bound form shows every error it finds: find them, then keep only those.
        self.type_field.errors.clear()
        for form, names in zip(self.applicants, unkept, strict=True):
            for name in [name for name in form.errors if name not in names]:
                del form.errors[name]
        return True

    def error_summary(self) -> list[dict]:
        entries = error_entries(self.type_field)
        for label, form in zip(APPLICANT_LABELS, self.applicants, strict=True):
            entries += error_entries(form, prefix=f"{label} ")  # as shown beside the fields
        return entries


class EmailCodeForm(forms.Form):
    code = OneLineField(
        label=_("Code"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self) -> str:
        # Full-width digits from a phone's Chinese keyboard are the same code.
        return unicodedata.normalize("NFKC", self.cleaned_data["code"]).strip()


class ChildForm(StudentSignInForm):
    """A parent account binds another child by giving that child's student account: the
    student sign-in (its district filter included) without the captcha."""

    field_order = ["district", "school", "account", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["captcha"]  # the parent is already signed in; axes still counts failures

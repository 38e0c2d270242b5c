"""The applicants step writes its fields without the template engine (wizard_fields.py): the
markup must be what the includes and Django's widget templates write, empty, filled and with
errors."""

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation

from binding_forms.binding.forms import ApplicantsForm
from binding_forms.templatetags.wizard_fields import plain_choice_field, plain_field
from tests.binding_forms.test_wizard import FATHER, MOTHER, TWO_APPLICANTS, applicants_post


@pytest.fixture(autouse=True)
def _in_zh_hant():
    """The forms are built outside a request here: in the page's own language, whatever an
    earlier test's request left active (English choices beside English labels carry a lang)."""
    with translation.override("zh-hant"):
        yield


def normalised(html: str) -> str:
    """Whitespace between tags means nothing here; runs of it inside text read as one space."""
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def assert_same_markup(form: ApplicantsForm) -> None:
    choice = form.type_field["application_type"]
    assert normalised(plain_choice_field(choice)) == normalised(
        render_to_string("includes/choice_field.html", {"field": choice})
    )
    for applicant in form.applicants:
        for field in applicant:
            assert normalised(plain_field(field)) == normalised(
                render_to_string("includes/field.html", {"field": field})
            ), field.html_name


@pytest.mark.django_db
def test_empty(wizard):
    assert_same_markup(ApplicantsForm(page=wizard, student_id_digest=""))


@pytest.mark.django_db
def test_filled_from_a_draft(wizard):
    initial = {
        "application_type": TWO_APPLICANTS,
        "applicant1": FATHER,
        "applicant2": {**MOTHER, "name": 'A & <B> "C"'},
    }
    assert_same_markup(ApplicantsForm(page=wizard, student_id_digest="", initial=initial))


@pytest.mark.django_db
def test_with_errors_everywhere(wizard):
    data = applicants_post(
        TWO_APPLICANTS,
        {**FATHER, "id_number": "A123456788", "relationship": "鄰居"},
        {**MOTHER, "email": "not-an-email", "mobile": "02-2720-8889"},
    )
    form = ApplicantsForm(data, page=wizard, student_id_digest="")
    assert not form.is_valid()
    assert_same_markup(form)

    unchosen = ApplicantsForm({"application_type": "9"}, page=wizard, student_id_digest="")
    assert not unchosen.is_valid()
    assert_same_markup(unchosen)


@pytest.mark.django_db
def test_help_text_and_other_widgets():
    class Other(forms.Form):
        note = forms.CharField(help_text="Say <why>", widget=forms.Textarea)
        code = forms.CharField(
            label='The "code" & <more>',
            help_text='Say "hi" & <b>',
            error_messages={"required": 'Type "it" & <go>'},
        )
        day = forms.DateField(help_text="YYYY-MM-DD")
        many = forms.MultipleChoiceField(
            choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
        )

    for form in (Other(), Other({"day": "x", "many": ["z"]})):
        form.is_valid()
        for field in form:
            assert normalised(plain_field(field)) == normalised(
                render_to_string("includes/field.html", {"field": field})
            ), field.html_name

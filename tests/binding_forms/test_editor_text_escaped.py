"""Text that staff write and parents read is shown as text, never run: the wizard's wording and
choices (editors) and a registrar's comment. The rich-text fields (consent notice, refusal text)
are HTML on purpose: Wagtail keeps only its editor's whitelist of elements when they are saved,
and ``|richtext`` shows what was kept."""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import rich_text

from binding_forms.models import Application, BindingWizardPage
from tests.binding_forms.test_wizard import applicants_post, walk_to_applicants
from tests.binding_forms.test_wizard_editors import edit_data, url
from tests.factories import admin_login, editor_user

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SHORT_SCRIPT = "<script>x()</script>"  # a relationship label holds 20 characters
WORDING = (
    "greeting_text",
    "student_text",
    "wrong_data_text",
    "consent_intro",
    "consent_agree_label",
    "consent_refuse_label",
    "applicants_text",
    "success_text",
)


def assert_shown_as_text(html: str, count: int = 1, escaped: str = ESCAPED):
    assert "<script>" not in html
    assert html.count(escaped) >= count


@pytest.mark.django_db
def test_the_wizards_wording_and_choices_are_shown_as_text(parent_client, wizard, xiaohua):
    editor = Client()
    admin_login(editor, editor_user())
    data = edit_data(wizard, extra_type=SCRIPT)
    data.update({name: f"{SCRIPT}{name}" for name in WORDING})
    data["relationships-0-label"] = SHORT_SCRIPT
    data["consent_notice"] = rich_text(f"<p>告知事項</p>{SCRIPT}<p onclick='alert(1)'>點我</p>")

    response = editor.post(reverse("wagtailadmin_pages:edit", args=(wizard.pk,)), data)

    assert response.status_code == 302
    wizard = BindingWizardPage.objects.get()
    assert "script" not in wizard.consent_notice and "onclick" not in wizard.consent_notice
    parent_client.post(url(wizard, "student"), {"action": "confirm"})
    student_step = parent_client.get(url(wizard, "student")).content.decode()
    assert_shown_as_text(student_step, count=3)  # greeting, text above the data, what if wrong
    consent = parent_client.get(url(wizard, "consent")).content.decode()
    assert_shown_as_text(consent, count=3)  # introduction, agree and refuse choices
    assert "告知事項" in consent and "點我" in consent
    walk_to_applicants(parent_client, wizard)
    applicants = parent_client.get(url(wizard, "applicants")).content.decode()
    assert_shown_as_text(applicants, count=2)  # introduction, an application type
    assert_shown_as_text(applicants, escaped="&lt;script&gt;x()&lt;/script&gt;")  # a relation
    parent_client.post(url(wizard, "applicants"), applicants_post())
    assert_shown_as_text(parent_client.get(url(wizard, "done")).content.decode())


@pytest.mark.django_db
def test_a_registrars_comment_is_shown_to_the_parent_as_text(
    parent_client, wizard, xiaohua, workflow, admin_user
):
    walk_to_applicants(parent_client, wizard)
    parent_client.post(url(wizard, "applicants"), applicants_post())
    task_state = Application.objects.get().current_workflow_state.current_task_state
    task_state.task.specific.on_action(task_state, admin_user, "reject", comment=SCRIPT)

    assert_shown_as_text(parent_client.get(url(wizard, "done")).content.decode())

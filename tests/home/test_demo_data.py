"""``manage.py demo_data`` with either task backend: run at once (development) or the database
queue (production's ``TASK_BACKEND=django_tasks_db.DatabaseBackend``)."""

import pytest
from django.core.management import call_command
from wagtail.models import WorkflowState

from binding_forms.models import Application
from review_workflow.models import (
    ParentAccount,
    RegistryMatchTask,
    RegistryMatchTaskState,
    SchoolOfficeTask,
)
from tests.factories import FATHER, submitted_application

QUEUE = "django_tasks_db.DatabaseBackend"


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [None, QUEUE], ids=["immediate", "queue"])
def test_demo_data_loads_whatever_runs_the_background_tasks(settings, backend):
    if backend is not None:
        settings.TASKS = {**settings.TASKS, "background": {"BACKEND": backend}}

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    statuses = sorted(
        (application.student.student_number, application.live, state.status)
        for application in Application.objects.select_related("student")
        if (state := application.current_workflow_state or application.workflow_states.last())
    )
    assert statuses == [
        ("108036", False, WorkflowState.STATUS_IN_PROGRESS),
        ("108037", False, WorkflowState.STATUS_IN_PROGRESS),
        ("108038", False, WorkflowState.STATUS_IN_PROGRESS),
        ("108041", True, WorkflowState.STATUS_APPROVED),
    ]
    assert list(ParentAccount.objects.values_list("user__username", flat=True)) == [
        "chang.kuochiang@example.com"
    ]
    # The registry match approved the one whose father the registry knows; the three others
    # wait for the registrar, each for its reason.
    outcomes = {
        state.workflow_state.content_object.student.student_number: state.outcome
        for state in RegistryMatchTaskState.objects.select_related("workflow_state")
    }
    assert outcomes == {
        "108036": "needs_registrar",
        "108037": "needs_registrar",
        "108038": "needs_registrar",
        "108041": "auto_approved",
    }


@pytest.mark.django_db
def test_demo_data_has_a_leave_request_form_built_as_data():
    from review_workflow.models import SchoolFormPage

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    page = SchoolFormPage.objects.get()
    assert page.live and page.url == "/leave/" and page.workflow.name.startswith("學務處")
    assert [field.label for field in page.form_fields.all()] == [
        "請假日期（起）",
        "請假日期（迄）",
        "假別",
        "節次",
        "事由",
        "證明文件",
    ]
    assert [step.title for step in page.get_steps()] == [
        "子女",
        "請假資料",
        "事由與證明",
        "確認送出",
        "審核狀態",
    ]


@pytest.mark.django_db
def test_demo_data_registers_the_demo_payment_service():
    from oauth2_provider.models import get_application_model

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115  (twice: no duplicate)
    demo = get_application_model().objects.get()
    assert demo.name == "校園繳費系統 (示範)" and demo.client_type == "confidential"
    assert "children" in demo.allowed_scopes
    assert demo.redirect_uri_allowed("http://127.0.0.1:8000/demo/payments/callback/")


@pytest.mark.django_db
def test_the_demo_review_is_the_registry_match_then_the_registrar_also_on_an_older_database():
    workflow = Application().get_workflow()
    assert [type(task.specific) for task in workflow.tasks] == [SchoolOfficeTask]  # before

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    steps = [type(task.specific) for task in Application().get_workflow().tasks]
    assert steps == [RegistryMatchTask, SchoolOfficeTask]


@pytest.mark.django_db
def test_the_handbooks_father_is_approved_by_the_registry_match():
    from binding_forms.models import Student

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    xiaohua = Student.objects.get(student_number="108035")

    application = submitted_application(student=xiaohua, applicants=(FATHER,))

    application.refresh_from_db()
    assert application.live
    assert RegistryMatchTaskState.objects.filter(
        workflow_state__object_id=str(application.pk), outcome="auto_approved"
    ).exists()


@pytest.mark.django_db
def test_demo_data_has_english_versions_made_once(client):
    from django.conf import settings
    from wagtail.models import Locale

    from binding_forms.models import BindingWizardPage
    from home.models import HomePage, PortalService

    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115

    english = Locale.objects.get(language_code="en")
    home = HomePage.objects.get(locale=english)
    assert home.live and home.title == "Taipei City School Portal"
    wizard = BindingWizardPage.objects.get(locale=english)
    assert wizard.live and wizard.url == "/binding/"
    choices = wizard.step_choices()
    assert choices.application_types[1].label == "One account"
    assert choices.stored_types[1].label == "一位申請帳號"
    assert choices.relationships[0] == "Father–son" and choices.stored_relationships[0] == "父子"
    assert "Article 8" in wizard.consent_notice
    names = set(PortalService.objects.filter(locale=english).values_list("name", flat=True))
    assert names == {"Taipei CooC Cloud", "School fees (demo)", "Primary school records"}

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "<h1>Taipei City School Portal</h1>" in html
    # The bulletins have no English version: listed in zh-Hant, and marked so.
    assert 'lang="zh-Hant-TW">臺北市第2代校務行政系統' in html

"""A submission's revision read back as an object (Wagtail does it twice an approval): the same
values and inline rows as Wagtail's own reading, without a query for each foreign key this row
already holds; a key that no longer holds is still checked, as django-modelcluster does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from binding_forms.binding.services import wizard_page_create
from binding_forms.models import Application
from tests.factories import FATHER, MOTHER, school, student, submitted_application


@pytest.fixture
def wizard(home_page):
    page = wizard_page_create(parent=home_page)
    page.save_revision().publish()
    return page


@pytest.fixture
def application(wizard):
    return submitted_application(
        student=student(school=school()), page=wizard, applicants=(FATHER, MOTHER)
    )


def fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def applicants(instance) -> list[tuple]:
    return [
        (row.position, row.name, row.id_number_digest, row.application is instance)
        for row in instance.applicants.all()
    ]


@pytest.mark.django_db
def test_a_revision_reads_back_as_wagtail_reads_it_without_checking_its_own_keys(application):
    revision = Application.objects.get(pk=application.pk).latest_revision
    plain = Application.objects.get(pk=application.pk)
    wagtails = super(Application, plain).with_content_json(revision.content)

    live = Application.objects.get(pk=application.pk)
    with CaptureQueriesContext(connection) as queries:
        ours = live.with_content_json(revision.content)

    assert fields(ours) == fields(wagtails)
    assert applicants(ours) == applicants(wagtails)
    assert [row[3] for row in applicants(ours)] == [True, True]
    read = " ".join(query["sql"] for query in queries)
    for table in ("binding_forms_student", "wagtailcore_page", "binding_forms_user"):
        assert table not in read
    assert "binding_forms_application" not in read  # the applicants' key to this submission
    assert revision.content["student"] == application.student_id  # the revision is untouched


@pytest.mark.django_db
def test_a_key_that_no_longer_holds_is_still_checked(application, wizard):
    revision = Application.objects.get(pk=application.pk).latest_revision
    wizard.delete()  # the application's page is set to NULL; the revision still names it

    ours = Application.objects.get(pk=application.pk).with_content_json(revision.content)

    assert revision.content["page"] == wizard.pk
    assert ours.page_id is None
    assert ours.student_id == application.student_id

"""Two tabs or a double click sending 確認送出 at the same moment, on a real PostgreSQL."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from wagtail.models import WorkflowState

from binding_forms.binding import services
from binding_forms.models import Applicant, Application, ApplicationType
from tests.concurrency import at_once
from tests.factories import school, student

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_rows_kept"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks need PostgreSQL (CI runs the suite on it: DATABASE_URL=postgres://…)",
    ),
]

FATHER = {
    "position": 1,
    "name": "陳大名",
    "relationship": "父女",
    "id_number": "A123456789",
    "mobile": "0912123456",
    "email": "alle@schoolsoft.com.tw",
}


def test_simultaneous_submissions_make_one_application_and_one_review():
    pupil = student(school=school())
    user = get_user_model().objects.create_user("313601-P108035")
    application = services.application_for(student=pupil, page=None, user=user)
    services.application_confirm_student(application=application)
    Application.objects.filter(pk=application.pk).update(consent="agreed")
    one_applicant = ApplicationType(label="一位申請帳號", applicant_count=1)

    def submit():
        services.application_submit(
            application=Application.objects.get(pk=application.pk),
            application_type=one_applicant,
            applicants=[FATHER],
            user=user,
        )

    at_once(submit, submit, submit, submit)

    assert Application.objects.count() == 1
    assert Applicant.objects.count() == 1
    assert WorkflowState.objects.filter(status="in_progress").count() == 1
    assert Application.objects.get().revisions.count() == 1

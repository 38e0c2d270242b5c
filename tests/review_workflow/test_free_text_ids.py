"""ID numbers that staff type into free text are masked before they are stored: the whole
database and the log are searched after such input."""

import logging

import pytest
from django.urls import reverse
from wagtail.models import TaskState

from review_workflow.models import ParentStudentLink
from tests.factories import admin_login, student, submitted_application
from tests.pii import tables_holding

# Shaped like ID numbers (half- and full-width); none is the ID of anyone in these tests.
IN_COMMENT = "F131104093"
IN_APPROVAL = "B223344556"
IN_REASON = "Ｃ１８７６５４３２１"


def test_ids_in_free_text_are_masked_whatever_their_width():
    from binding_forms.identity.personal_data import mask_id_numbers

    assert mask_id_numbers("請更正 a123456789、Ａ１２３４５６７８９；學號 108035") == (
        "請更正 a12****789、Ａ１２****７８９；學號 108035"
    )
    assert mask_id_numbers("ticket XA123456789 or A1234567890") == (
        "ticket XA123456789 or A1234567890"  # part of a longer code: not an ID number
    )


def logged(caplog) -> str:
    return "\n".join(record.getMessage() for record in caplog.records).lower()


@pytest.mark.django_db
def test_ids_staff_type_are_stored_masked(client, songshan, registrar, caplog):
    caplog.set_level(logging.INFO)
    asked = submitted_application(student=student(school=songshan))
    approved = submitted_application(
        student=student(school=songshan, number="108036", id_number="A287654328")
    )
    admin_login(client, registrar)

    # A registrar asks for changes in the admin's modal, approves with a comment, revokes a link.
    task_state = asked.current_workflow_state.current_task_state
    modal = reverse("application:workflow_action", args=(asked.pk, "reject", task_state.pk))
    comment = f"申請人身分證 {IN_COMMENT} 與戶籍資料不符"
    said = client.post(modal, {"comment": comment}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    state = approved.current_workflow_state.current_task_state
    state.task.specific.on_action(state, registrar, "approve", comment=f"核對 {IN_APPROVAL} 無誤")
    link = ParentStudentLink.objects.get(student__student_number="108036")
    revoked = client.post(
        reverse("parent_student_link:revoke", args=(link.pk,)),
        {"reason": f"監護權變更（新監護人 {IN_REASON}）"},
    )

    assert said.status_code == 200 and revoked.status_code == 302
    assert (
        TaskState.objects.get(pk=task_state.pk).comment == "申請人身分證 F13****093 與戶籍資料不符"
    )
    link.refresh_from_db()
    assert link.revoke_reason == "監護權變更（新監護人 Ｃ１８****３２１）"
    for id_number in (IN_COMMENT, IN_APPROVAL, IN_REASON):
        assert tables_holding(id_number) == [], id_number
        assert id_number.lower() not in logged(caplog), id_number

"""線上請假, built by an editor with no code: a parent files it for a bound child, the office of
the child's school approves it or asks for changes, and the parent sees where it stands."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import TaskState

from review_workflow.models import OutgoingMail, SchoolFormSubmission
from tests.factories import PDF_BYTES, admin_login, use_mail_backend

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
FIRST = {
    "u8acbu5047u65e5u671fu8d77": "2026-12-01",
    "u8acbu5047u65e5u671fu8fc4": "2026-12-02",
    "u5047u5225": "病假",
    "u7bc0u6b21": ["第一節", "第二節"],
}
REASON = "u4e8bu7531"
PROOF = "u8b49u660eu6587u4ef6"


def fill_leave(client, page, *, reason="感冒發燒，在家休養。", proof=True):
    """The parent's path through the form: both screens, then confirm and send."""
    response = client.get(page.url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{page.url}part1/")
    part1 = response["Location"]
    response = client.post(part1, FIRST)
    assert response.status_code == 302, response.content.decode()
    assert "/part2/" in response["Location"]
    data = {REASON: reason}
    if proof:
        data[PROOF] = SimpleUploadedFile("診斷證明.pdf", PDF_BYTES, "application/pdf")
    response = client.post(response["Location"], data)
    assert response.status_code == 302, response.content.decode()
    assert "/confirm/" in response["Location"]
    confirm = client.get(response["Location"])
    assert "感冒發燒" in confirm.content.decode()
    response = client.post(response["Location"])
    assert response.status_code == 302
    assert "/status/" in response["Location"]
    return response["Location"]


def _state(submission) -> TaskState:
    return submission.current_workflow_state.current_task_state


@pytest.mark.django_db
def test_a_parent_files_a_leave_request_and_the_schools_office_approves_it(
    client, leave_form, parent, child, reviewer
):
    client.force_login(parent)
    status_url = fill_leave(client, leave_form)

    submission = SchoolFormSubmission.objects.get()
    assert submission.student == child
    assert submission.status.name == "in_review"
    sent = {answer["label"]: answer["value"] for answer in submission.sent_data}
    assert sent["請假日期（起）"] == "2026-12-01"
    assert sent["節次"] == ["第一節", "第二節"]
    assert sent["證明文件"]["name"] == "診斷證明.pdf"
    page = client.get(status_url).content.decode()
    assert "審核中" in page and "感冒發燒" in page

    admin_login(client, reviewer)
    listing = client.get(reverse("school_form_submission:list"))
    assert child.name in listing.content.decode()
    url = reverse(
        "school_form_submission:workflow_action",
        args=(submission.pk, "approve", _state(submission).pk),
    )
    assert client.post(url, {"comment": ""}, **XHR).status_code == 200

    submission.refresh_from_db()
    assert submission.live
    assert submission.status.name == "approved"
    client.force_login(parent)
    assert "已核准" in client.get(status_url).content.decode()


@pytest.mark.django_db
def test_changes_requested_the_parent_edits_and_resends(
    client, settings, leave_form, parent, reviewer
):
    use_mail_backend(settings)
    parent.email = "dad@example.com"
    parent.save()
    client.force_login(parent)
    status_url = fill_leave(client, leave_form, proof=False)
    submission = SchoolFormSubmission.objects.get()
    assert [m.kind for m in OutgoingMail.objects.filter(form_submission=submission)] == [
        "form_sent"
    ]

    admin_login(client, reviewer)
    url = reverse(
        "school_form_submission:workflow_action",
        args=(submission.pk, "reject", _state(submission).pk),
    )
    assert client.post(url, {"comment": "請附上醫生證明。"}, **XHR).status_code == 200
    submission.refresh_from_db()
    assert submission.status.name == "changes_requested"
    mail = OutgoingMail.objects.get(form_submission=submission, kind="form_changes_requested")
    assert "請附上醫生證明。" in mail.body and mail.to_address == "dad@example.com"
    assert f"/leave/status/?submission={submission.pk}" in mail.body

    client.force_login(parent)
    page = client.get(status_url).content.decode()
    assert "請附上醫生證明。" in page
    # The parent lands on the confirmation, every answer kept, and changes the second screen.
    response = client.get(leave_form.url)
    assert "/confirm/" in response["Location"]
    part2 = f"{leave_form.url}part2/?submission={submission.pk}"
    assert "感冒發燒" in client.get(part2).content.decode()
    proof = SimpleUploadedFile("證明.png", b"\x89PNG\r\n\x1a\n" + b"0" * 32, "image/png")
    response = client.post(part2, {REASON: "感冒發燒，附醫生證明。", PROOF: proof})
    assert "/confirm/" in response["Location"]
    response = client.post(response["Location"])
    assert "/status/" in response["Location"]

    submission.refresh_from_db()
    assert submission.status.name == "in_review"
    sent = {answer["label"]: answer["value"] for answer in submission.sent_data}
    assert sent["事由"] == "感冒發燒，附醫生證明。"
    assert sent["證明文件"]["name"] == "證明.png"
    assert SchoolFormSubmission.objects.count() == 1

    admin_login(client, reviewer)
    url = reverse(
        "school_form_submission:workflow_action",
        args=(submission.pk, "approve", _state(submission).pk),
    )
    assert client.post(url, {"comment": "已收到證明。"}, **XHR).status_code == 200
    approved = OutgoingMail.objects.get(form_submission=submission, kind="form_approved")
    assert "已收到證明。" in approved.body

"""A school's office sees and decides only its own school's forms: the listing, each screen, the
workflow's action URLs, the attachments, the export and bulk approve all ask the one scope rule."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import TaskState

from binding_forms.reviewed_forms.builder import attachment_keep
from review_workflow.models import ParentStudentLink, SchoolFormSubmission
from tests.factories import (
    PDF_BYTES,
    UserFactory,
    admin_login,
    sent_form_submission,
    student,
)

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def submissions(leave_form, parent, child, yingqiao):
    """One leave request in review at each school: (松山's, 螢橋's)."""
    theirs_child = student(school=yingqiao, number="200001", name="林大明", id_number="F131104093")
    theirs_parent = UserFactory(username="lin@example.com", first_name="林爸爸")
    ParentStudentLink.objects.create(
        parent=theirs_parent, student=theirs_child, relationship="父子"
    )
    ours = sent_form_submission(page=leave_form, parent=parent, child=child)
    theirs = sent_form_submission(
        page=leave_form, parent=theirs_parent, child=theirs_child, reason="林家有事。"
    )
    return ours, theirs


def _with_attachment(submission):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kept = attachment_keep(
        submission=submission,
        upload=SimpleUploadedFile("證明.pdf", PDF_BYTES, "application/pdf"),
    )
    submission.sent_data = [
        *submission.sent_data,
        {"name": "proof", "label": "證明文件", "type": "file", "value": kept},
    ]
    SchoolFormSubmission.objects.filter(pk=submission.pk).update(sent_data=submission.sent_data)
    return kept


def _state(submission) -> TaskState:
    return submission.current_workflow_state.current_task_state


def _urls(submission) -> dict[str, str]:
    pk = submission.pk
    state = _state(submission)
    return {
        "edit": reverse("school_form_submission:edit", args=(pk,)),
        "inspect": reverse("school_form_submission:inspect", args=(pk,)),
        "history": reverse("school_form_submission:history", args=(pk,)),
        "workflow_history": reverse("school_form_submission:workflow_history", args=(pk,)),
        "attachment": reverse("school_form_submission:attachment", args=(pk, "proof")),
        "approve": reverse(
            "school_form_submission:workflow_action", args=(pk, "approve", state.pk)
        ),
        "collect": reverse(
            "school_form_submission:collect_workflow_action_data",
            args=(pk, "approve", state.pk),
        ),
        "lock": reverse("school_form_submission:lock", args=(pk,)),
        "chosen": reverse(
            "wagtailsnippetchoosers_review_workflow_schoolformsubmission:chosen", args=(pk,)
        ),
    }


@pytest.mark.django_db
def test_the_listing_and_export_show_only_the_reviewers_school(client, reviewer, submissions):
    ours, theirs = submissions
    admin_login(client, reviewer)

    listing = client.get(reverse("school_form_submission:list")).content.decode()
    assert "陳小花" in listing and "林大明" not in listing
    export = client.get(reverse("school_form_submission:list") + "?export=csv")
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "陳小花" in text and "感冒發燒" in text
    assert "林大明" not in text and "林家有事" not in text
    chooser = reverse("wagtailsnippetchoosers_review_workflow_schoolformsubmission:choose")
    assert "林大明" not in client.get(chooser).content.decode()


@pytest.mark.django_db
def test_every_url_of_another_schools_submission_is_closed(
    client, reviewer, other_reviewer, submissions
):
    ours, theirs = submissions
    _with_attachment(theirs)
    admin_login(client, reviewer)

    for name, url in _urls(theirs).items():
        assert client.get(url, **XHR).status_code in (403, 404), name
        assert client.post(url, {"comment": "核准"}, **XHR).status_code in (403, 404, 405), name
    # Another school's task state named in the reviewer's own submission's URL.
    crossed = reverse(
        "school_form_submission:workflow_action", args=(ours.pk, "approve", _state(theirs).pk)
    )
    assert client.post(crossed, **XHR).status_code == 404
    bulk = reverse(
        "wagtail_bulk_action", args=("review_workflow", "schoolformsubmission", "approve")
    )
    assert client.post(f"{bulk}?id={theirs.pk}").status_code == 404

    theirs.refresh_from_db()
    assert not theirs.live
    assert _state(theirs).status == TaskState.STATUS_IN_PROGRESS
    # Their own office still can.
    admin_login(client, other_reviewer)
    attachment = client.get(_urls(theirs)["attachment"])
    assert attachment.status_code == 200
    assert b"".join(attachment.streaming_content) == PDF_BYTES
    assert "attachment" in attachment["Content-Disposition"]


@pytest.mark.django_db
def test_bulk_approve_approves_only_the_reviewers_own(client, reviewer, submissions):
    ours, theirs = submissions
    admin_login(client, reviewer)
    bulk = reverse(
        "wagtail_bulk_action", args=("review_workflow", "schoolformsubmission", "approve")
    )

    response = client.post(f"{bulk}?id={ours.pk}&id={theirs.pk}", {"next": "/admin/"})

    assert response.status_code == 302
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.live and ours.status.name == "approved"
    assert not theirs.live


@pytest.mark.django_db
def test_filters_by_form_status_and_class(client, reviewer, submissions, leave_form):
    ours, _theirs = submissions
    admin_login(client, reviewer)
    listing = reverse("school_form_submission:list")

    def shown(query):
        return "陳小花" in client.get(f"{listing}?{query}").content.decode()

    assert shown(f"page={leave_form.pk}")
    assert shown("status=in_review")
    assert not shown("status=approved")
    assert shown("grade=2&class_number=1")
    assert not shown("grade=3")
    assert shown("q=陳小花")
    assert not shown("q=林大明")


@pytest.mark.django_db
def test_drafts_are_the_parents_alone(client, reviewer, leave_form, parent, child):
    draft = SchoolFormSubmission.objects.create(
        page=leave_form, requester=parent, student=child, live=False
    )
    admin_login(client, reviewer)

    assert client.get(reverse("school_form_submission:edit", args=(draft.pk,))).status_code == 404
    assert "陳小花" not in client.get(reverse("school_form_submission:list")).content.decode()


@pytest.mark.django_db
def test_the_reviewer_opens_their_schools_submission_screens(client, reviewer, submissions):
    ours, _theirs = submissions
    kept = _with_attachment(ours)
    admin_login(client, reviewer)

    for name in ("edit", "inspect", "history", "workflow_history"):
        response = client.get(_urls(ours)[name])
        assert response.status_code == 200, name
    for name in ("edit", "inspect"):
        html = client.get(_urls(ours)[name]).content.decode()
        assert "感冒發燒" in html, name
    inspect = client.get(_urls(ours)["inspect"]).content.decode()
    assert kept["name"] in inspect and _urls(ours)["attachment"] in inspect
    # An attachment name the submission did not send, or a path outside its folder: nothing.
    missing = reverse("school_form_submission:attachment", args=(ours.pk, "other"))
    assert client.get(missing).status_code == 404


@pytest.mark.django_db
def test_another_office_of_the_same_school_does_not_review_the_form(client, registrar, submissions):
    """線上請假's workflow names 學務處: the school's registration office (註冊組) neither sees
    nor decides it."""
    ours, _theirs = submissions
    admin_login(client, registrar)

    assert "陳小花" not in client.get(reverse("school_form_submission:list")).content.decode()
    for name, url in _urls(ours).items():
        assert client.get(url, **XHR).status_code in (403, 404), name
    state = _state(ours)
    with pytest.raises(PermissionDenied):
        state.task.specific.on_action(state, registrar, "approve")
    ours.refresh_from_db()
    assert not ours.live

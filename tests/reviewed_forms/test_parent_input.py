"""What a parent may type into a school form, and what the form refuses: a child who is not
theirs, a screen skipped, bad dates, choices or files — each told beside the field, in zh-Hant,
never a server error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from review_workflow.models import ParentStudentLink, SchoolFormSubmission
from tests.factories import PDF_BYTES, UserFactory, student

FIRST = {
    "u8acbu5047u65e5u671fu8d77": "2026-12-01",
    "u8acbu5047u65e5u671fu8fc4": "2026-12-02",
    "u5047u5225": "病假",
}
REASON = "u4e8bu7531"
PROOF = "u8b49u660eu6587u4ef6"


@pytest.fixture
def sibling(songshan, parent):
    brother = student(school=songshan, number="110021", name="陳小明", id_number="A100000001")
    ParentStudentLink.objects.create(parent=parent, student=brother, relationship="父子")
    return brother


@pytest.fixture
def stranger(yingqiao):
    return student(school=yingqiao, number="200001", name="林大明", id_number="F131104093")


@pytest.mark.django_db
def test_a_parent_of_two_chooses_the_child_and_a_crafted_child_is_refused(
    client, leave_form, parent, child, sibling, stranger, songshan
):
    revoked = student(school=songshan, number="110022", name="陳小美", id_number="A200000003")
    ParentStudentLink.objects.create(
        parent=parent, student=revoked, relationship="父女", revoked_at="2026-01-01T00:00Z"
    )
    client.force_login(parent)

    response = client.get(leave_form.url)
    assert response["Location"] == f"{leave_form.url}child/"
    page = client.get(response["Location"]).content.decode()
    assert "陳小花" in page and "陳小明" in page and "陳小美" not in page

    for crafted in (stranger.pk, revoked.pk, "x", ""):
        refused = client.post(f"{leave_form.url}child/", {"child": crafted})
        assert refused.status_code == 200
        html = refused.content.decode()
        assert "field-error" in html
        assert "林大明" not in html and "陳小美" not in html
    assert not SchoolFormSubmission.objects.exists()

    chosen = client.post(f"{leave_form.url}child/", {"child": sibling.pk})
    assert chosen.status_code == 302 and "/part1/" in chosen["Location"]
    assert SchoolFormSubmission.objects.get().student == sibling


@pytest.mark.django_db
def test_signed_out_visitors_sign_in_and_accounts_without_a_bound_child_are_told(
    client, leave_form, songshan
):
    signed_out = client.get(leave_form.url)
    assert signed_out.status_code == 302 and "next=" in signed_out["Location"]

    pupil = UserFactory(username="313601-P108035")
    client.force_login(pupil)
    for url in (leave_form.url, f"{leave_form.url}part1/", f"{leave_form.url}confirm/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "已綁定子女的家長" in response.content.decode()
    assert client.post(f"{leave_form.url}confirm/").status_code == 403
    assert not SchoolFormSubmission.objects.exists()


@pytest.mark.django_db
def test_a_crafted_post_cannot_skip_a_screen(client, leave_form, parent):
    client.force_login(parent)
    client.get(leave_form.url)
    submission = SchoolFormSubmission.objects.get()

    skipped = client.post(f"{leave_form.url}confirm/?submission={submission.pk}")
    assert skipped.status_code == 302 and "/part1/" in skipped["Location"]
    client.post(f"{leave_form.url}part1/?submission={submission.pk}", FIRST)
    skipped = client.post(f"{leave_form.url}confirm/?submission={submission.pk}")
    assert "/part2/" in skipped["Location"]

    submission.refresh_from_db()
    assert submission.submitted_at is None


@pytest.mark.django_db
def test_a_draft_that_no_longer_validates_is_not_sent(client, leave_form, parent):
    """The confirmation validates every screen again from the draft: an answer the form no
    longer accepts (an editor removed the choice) sends the parent back to that screen."""
    client.force_login(parent)
    client.get(leave_form.url)
    url = leave_form.url
    client.post(f"{url}part1/", FIRST)
    client.post(f"{url}part2/", {REASON: "家中有事。"})
    leave_form.form_fields.filter(label="假別").update(choices="事假\n公假")

    response = client.post(f"{url}confirm/")

    assert response.status_code == 200
    assert 'href="/leave/part1/' in response.content.decode()
    assert SchoolFormSubmission.objects.get().submitted_at is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("u8acbu5047u65e5u671fu8d77", "2026-13-45", "有效的日期"),
        ("u8acbu5047u65e5u671fu8d77", "", "必要欄位"),
        ("u5047u5225", "喪假", "有效的選項"),
        ("u8acbu5047u65e5u671fu8fc4", "x" * 5000, "有效的日期"),
    ],
)
def test_bad_input_is_told_beside_the_field(client, leave_form, parent, field, value, message):
    client.force_login(parent)
    client.get(leave_form.url)

    response = client.post(f"{leave_form.url}part1/", {**FIRST, field: value})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html and message in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("證明.pdf", b"\x89PNG\r\n\x1a\n0000", "application/pdf"), "PDF"),
        (SimpleUploadedFile("script.exe", b"MZ" + b"0" * 30, "application/pdf"), "PDF"),
        (SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * 64, "application/pdf"), "大於"),
    ],
)
def test_an_attachment_of_the_wrong_kind_or_size_is_refused(
    client, settings, leave_form, parent, upload, message
):
    settings.REVIEWED_FORMS_ATTACHMENT_MAX_BYTES = len(PDF_BYTES) + 10
    client.force_login(parent)
    client.get(leave_form.url)
    client.post(f"{leave_form.url}part1/", FIRST)

    response = client.post(f"{leave_form.url}part2/", {REASON: "就醫。", PROOF: upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{PROOF}-error"' in html and message in html


@pytest.mark.django_db
def test_a_submission_named_in_the_url_is_only_ever_the_parents_own(
    client, leave_form, parent, stranger
):
    other_parent = UserFactory(username="lin@example.com")
    ParentStudentLink.objects.create(parent=other_parent, student=stranger, relationship="父子")
    theirs = SchoolFormSubmission.objects.create(
        page=leave_form,
        requester=other_parent,
        student=stranger,
        live=False,
        draft_data={"part1": {"u5047u5225": "林家的假別"}},
    )
    client.force_login(parent)

    for crafted in (str(theirs.pk), "²", "9" * 30, "-1", "1e3"):
        response = client.get(f"{leave_form.url}part1/?submission={crafted}")
        assert response.status_code in (200, 302), crafted
        if response.status_code == 200:
            assert (
                "林家" not in response.content.decode()
                and "林大明" not in response.content.decode()
            )
    mine = SchoolFormSubmission.objects.get(requester=parent)
    assert mine.student.name == "陳小花"


@pytest.mark.django_db
def test_a_replaced_attachment_is_deleted_unless_it_was_sent(client, leave_form, parent, reviewer):
    from binding_forms.reviewed_forms.builder import attachment_storage

    client.force_login(parent)
    client.get(leave_form.url)
    client.post(f"{leave_form.url}part1/", FIRST)

    def upload(name):
        client.post(
            f"{leave_form.url}part2/",
            {REASON: "就醫。", PROOF: SimpleUploadedFile(name, PDF_BYTES, "application/pdf")},
        )
        return SchoolFormSubmission.objects.get().draft_data["part2"][PROOF]["path"]

    first = upload("一.pdf")
    sent = upload("二.pdf")
    assert not attachment_storage().exists(first) and attachment_storage().exists(sent)
    client.post(f"{leave_form.url}confirm/")
    submission = SchoolFormSubmission.objects.get()
    state = submission.current_workflow_state.current_task_state
    state.task.specific.on_action(state.specific, reviewer, "reject", comment="請附清楚的證明。")

    # Asked for changes, the parent attaches another: what was sent stays for the school.
    third = upload("三.pdf")
    assert attachment_storage().exists(sent) and attachment_storage().exists(third)

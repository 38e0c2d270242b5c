"""The registrar's review screens: own school only, checks, masked IDs, bulk approve, export,
dashboard, links."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import TaskState

from binding_forms.identity.personal_data import encrypt, id_number_digest
from binding_forms.models import Applicant, Application, RegistryGuardian
from binding_forms.reviewed_forms.services import submission_review_start
from review_workflow.models import ParentAccount, ParentStudentLink, SchoolLogEntry
from tests.factories import admin_login, registrar_user, school, student

FATHER_ID = "A123456789"
STRANGER_ID = "F131104093"


@pytest.fixture
def workflow(db):
    return Application().get_workflow()


def _user(username):
    return get_user_model().objects.create_user(username)


def application(
    *,
    pupil,
    applicants=(("陳大名", "父女", FATHER_ID, "0912123456", "dad@example.com"),),
    submit=True,
):
    """An application as the wizard leaves it: applicants, a revision, the workflow started."""
    parent = _user(f"{pupil.school.moe_code}-P{pupil.student_number}")
    app = Application.objects.create(
        student=pupil,
        requester=parent,
        live=False,
        application_type="一位申請帳號" if len(applicants) == 1 else "雙親為監護人，二位申請帳號",
        applicant_count=len(applicants),
        submitted_at=timezone.now() if submit else None,
    )
    for position, (name, relationship, id_number, mobile, email) in enumerate(applicants, 1):
        Applicant.objects.create(
            application=app,
            position=position,
            name=name,
            relationship=relationship,
            id_number_digest=id_number_digest(id_number),
            id_number_encrypted=encrypt(id_number),
            mobile=mobile,
            email=email,
        )
    if submit:
        submission_review_start(submission=app, user=parent)
    return Application.objects.get(pk=app.pk)


def guardian(pupil, *, name="陳大名", relationship="父", id_number=FATHER_ID):
    return RegistryGuardian.objects.create(
        student=pupil,
        name=name,
        relationship=relationship,
        id_number_digest=id_number_digest(id_number),
        id_number_encrypted=encrypt(id_number),
    )


def parent_with_link(*, to, id_number=FATHER_ID, username="dad"):
    user = _user(username)
    ParentAccount.objects.create(
        user=user, id_number_digest=id_number_digest(id_number), id_number_encrypted="x"
    )
    return ParentStudentLink.objects.create(parent=user, student=to, relationship="父女")


def urls(app):
    pk = app.pk
    return {
        "edit": reverse("application:edit", args=(pk,)),
        "inspect": reverse("application:inspect", args=(pk,)),
        "history": reverse("application:history", args=(pk,)),
        "workflow_history": reverse("application:workflow_history", args=(pk,)),
        "usage": reverse("application:usage", args=(pk,)),
        "delete": reverse("application:delete", args=(pk,)),
        "lock": reverse("application:lock", args=(pk,)),
        "unlock": reverse("application:unlock", args=(pk,)),
        "unpublish": reverse("application:unpublish", args=(pk,)),
        "history_results": reverse("application:history_results", args=(pk,)),
        "compare": reverse("application:revisions_compare", args=(pk, "earliest", "latest")),
        "cancel_workflow": reverse("application:confirm_workflow_cancellation", args=(pk,)),
        "chosen": reverse("wagtailsnippetchoosers_binding_forms_application:chosen", args=(pk,)),
    }


# Own school only ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_listing_shows_only_the_registrars_school_with_masked_ids(
    client, registrar, songshan, yingqiao, workflow
):
    ours = application(pupil=student(school=songshan))
    application(
        pupil=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID),
        applicants=(("林爸爸", "父子", "B120000003", "0922000000", "lin@example.com"),),
    )
    admin_login(client, registrar)

    response = client.get(reverse("application:list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "陳小花" in html and "2年01班" in html and "陳大名" in html
    assert "林大明" not in html and "林爸爸" not in html
    assert FATHER_ID not in html
    assert str(ours.pk) in html


@pytest.mark.django_db
def test_every_url_of_another_schools_application_is_closed(client, registrar, yingqiao, workflow):
    theirs = application(
        pupil=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID)
    )
    admin_login(client, registrar)

    for name, url in urls(theirs).items():
        assert client.get(url).status_code in (403, 404), name
    workflow_state = theirs.current_workflow_state
    detail = reverse("application:workflow_history_detail", args=(theirs.pk, workflow_state.pk))
    assert client.get(detail).status_code in (403, 404)
    revision = theirs.latest_revision
    revert = reverse("application:revisions_revert", args=(theirs.pk, revision.pk))
    assert client.get(revert).status_code in (403, 404)
    chooser = client.get(reverse("wagtailsnippetchoosers_binding_forms_application:choose"))
    assert "林大明" not in chooser.content.decode()
    bulk_delete = reverse("wagtail_bulk_action", args=("binding_forms", "application", "delete"))
    assert client.get(f"{bulk_delete}?id={theirs.pk}").status_code == 404
    state = workflow_state.current_task_state
    action_url = reverse("application:workflow_action", args=(theirs.pk, "approve", state.pk))
    assert client.post(action_url).status_code in (403, 404)
    reveal = client.post(reverse("application:reveal_id", args=(theirs.pk,)), {"which": "student"})
    assert reveal.status_code == 404
    assert not SchoolLogEntry.objects.filter(action="review_workflow.reveal_id").exists()
    state.refresh_from_db()
    assert state.status == TaskState.STATUS_IN_PROGRESS


@pytest.mark.django_db
def test_nobody_adds_copies_or_deletes_applications_in_the_admin(
    client, registrar, admin_user, songshan, workflow
):
    app = application(pupil=student(school=songshan))
    for user in (registrar, admin_user):
        admin_login(client, user)
        assert client.get(reverse("application:add")).status_code in (302, 403)
        assert client.get(reverse("application:delete", args=(app.pk,))).status_code in (
            302,
            403,
        )
        assert client.post(reverse("application:delete", args=(app.pk,))).status_code in (
            302,
            403,
        )
        bulk_delete = reverse(
            "wagtail_bulk_action", args=("binding_forms", "application", "delete")
        )
        client.post(f"{bulk_delete}?id={app.pk}")
    assert Application.objects.filter(pk=app.pk).exists()


@pytest.mark.django_db
def test_editors_do_not_reach_applications_or_links(client):
    from tests.factories import editor_user

    admin_login(client, editor_user())

    assert client.get(reverse("application:list")).status_code in (302, 403)
    assert client.get(reverse("parent_student_link:index")).status_code in (302, 403)


@pytest.mark.django_db
def test_registrar_opens_their_schools_application_screens(client, registrar, songshan, workflow):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    for name in ("edit", "inspect", "history", "workflow_history"):
        assert client.get(urls(app)[name]).status_code == 200, name


# The application's screen -------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_view_shows_registry_beside_applicants_with_checks_and_masks(
    client, registrar, songshan, workflow
):
    pupil = student(school=songshan)
    guardian(pupil)
    app = application(
        pupil=pupil,
        applicants=(
            ("陳大名", "父女", FATHER_ID, "0912123456", "dad@example.com"),
            ("王小美", "母女", "B223456781", "0933000000", "mom@example.com"),
        ),
    )
    admin_login(client, registrar)

    html = client.get(urls(app)["edit"]).content.decode()

    assert "A12****789" in html and "A23****893" in html
    assert FATHER_ID not in html and "A234567893" not in html and "B223456781" not in html
    assert "陳大名" in html and "王小美" in html
    # The father is the registry's guardian; the mother is not known to it.
    assert "與學籍資料監護人 陳大名（父）身分證字號相同" in html
    assert "非學籍資料中的監護人" in html
    # Workflow actions are offered; publishing outside the workflow is not.
    assert 'name="workflow-action-name"' in html or "核准" in html
    assert 'name="action-publish"' not in html
    assert 'name="applicant_1_email"' in html


@pytest.mark.django_db
def test_checks_flag_siblings_and_contacts_of_another_family(client, registrar, songshan, workflow):
    pupil = student(school=songshan)
    sibling = student(school=songshan, number="108040", name="陳小明", id_number="A287654328")
    parent_with_link(to=sibling)
    app = application(pupil=pupil)
    # Another family gives the same mobile number; the same father for the sibling is no warning.
    application(
        pupil=student(school=songshan, number="108050", name="張三", id_number="A200000001"),
        applicants=(("張先生", "父子", "C100000001", "0912123456", "chang@example.com"),),
    )
    admin_login(client, registrar)

    listing = client.get(reverse("application:list")).content.decode()
    html = client.get(urls(app)["edit"]).content.decode()

    assert "已綁定兄弟姊妹" in listing
    assert "電子郵件或手機與其他家庭相同" in listing
    assert "已綁定其他 1 位子女" in html
    assert "手機與其他家庭相同" in html
    assert "電子郵件與其他家庭相同" not in html


@pytest.mark.django_db
def test_the_same_parent_for_two_siblings_is_not_a_reused_contact(songshan, workflow):
    from review_workflow.review_checks import with_review_data

    application(pupil=student(school=songshan))
    application(
        pupil=student(school=songshan, number="108040", name="陳小明", id_number="A287654328")
    )

    flags = list(
        with_review_data(Application.objects.all()).values_list("contact_reused", flat=True)
    )

    assert flags == [False, False]


@pytest.mark.django_db
def test_revealing_an_id_is_a_post_audited_and_shown_only_in_that_response(
    client, registrar, songshan, workflow
):
    app = application(pupil=student(school=songshan))
    applicant = app.applicants.get()
    admin_login(client, registrar)
    url = reverse("application:reveal_id", args=(app.pk,))

    assert client.get(url).status_code == 405
    response = client.post(url, {"which": f"applicant:{applicant.pk}"})

    assert response.status_code == 200
    assert FATHER_ID in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    entry = SchoolLogEntry.objects.get(action="review_workflow.reveal_id")
    assert entry.user_id == registrar.pk and entry.object_id == str(app.pk)
    assert entry.data["which"] == "applicant" and entry.data["id"] == applicant.pk
    assert FATHER_ID not in str(entry.data)
    # Someone else's applicant cannot be named through this application.
    other = application(
        pupil=student(school=songshan, number="108040", name="陳小明", id_number="A287654328"),
        applicants=(("李四", "父子", "D100000006", "0955000000", "li@example.com"),),
    )
    stray = client.post(url, {"which": f"applicant:{other.applicants.get().pk}"})
    assert stray.status_code == 404


@pytest.mark.django_db
def test_registrar_corrects_an_email_and_approval_publishes_it(
    client, registrar, songshan, workflow
):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)
    edit = urls(app)["edit"]

    response = client.post(edit, {"applicant_1_email": "dad.new@example.com"})
    assert response.status_code == 302
    bad = client.post(edit, {"applicant_1_email": "not an email"})
    assert bad.status_code == 200

    app.refresh_from_db()
    state = app.current_workflow_state.current_task_state
    state.task.specific.on_action(state, registrar, "approve")

    applicant = Applicant.objects.get(application=app)
    assert applicant.email == "dad.new@example.com"
    assert applicant.id_number_digest == id_number_digest(FATHER_ID)
    assert applicant.name == "陳大名"


@pytest.mark.django_db
def test_a_crafted_post_cannot_publish_outside_the_workflow(client, registrar, songshan, workflow):
    app = application(pupil=student(school=songshan))
    admin_login(client, registrar)

    client.post(urls(app)["edit"], {"applicant_1_email": "dad@example.com", "action-publish": "1"})

    app.refresh_from_db()
    assert not app.live
    assert app.current_workflow_state.status == "in_progress"


# Bulk approve --------------------------------------------------------------------------------


def bulk_url(action, ids):
    query = "&".join(f"id={pk}" for pk in ids) + "&next=" + reverse("application:list")
    return reverse("wagtail_bulk_action", args=("binding_forms", "application", action)) + (
        "?" + query
    )


@pytest.mark.django_db
def test_bulk_approve_approves_what_is_in_review_and_reports_the_rest(
    client, registrar, songshan, workflow
):
    in_review = [
        application(pupil=student(school=songshan, number=f"1080{n}", id_number=id_number))
        for n, id_number in ((41, "A287654328"), (42, "A200000001"))
    ]
    draft = application(
        pupil=student(school=songshan, number="108043", id_number="C100000001"), submit=False
    )
    admin_login(client, registrar)
    url = bulk_url("approve", [*(a.pk for a in in_review), draft.pk])

    confirm = client.get(url)
    response = client.post(url, follow=True)

    assert confirm.status_code == 200
    html = response.content.decode()
    assert "已核准 2 件申請" in html
    assert "略過" in html and "未在審核中" in html
    for app in in_review:
        app.refresh_from_db()
        assert app.live
        assert app.workflow_states.get().status == "approved"
    draft.refresh_from_db()
    assert not draft.live


@pytest.mark.django_db
def test_bulk_approve_with_another_schools_ids_touches_nothing(
    client, registrar, songshan, yingqiao, workflow
):
    theirs = application(
        pupil=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID)
    )
    admin_login(client, registrar)
    url = bulk_url("approve", [theirs.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert not theirs.live
    # Mixed with one of ours: theirs is neither approved nor named back.
    ours = application(pupil=student(school=songshan))
    response = client.post(bulk_url("approve", [theirs.pk, ours.pk]), follow=True)
    assert "林大明" not in response.content.decode()
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert ours.live and not theirs.live


@pytest.mark.django_db
def test_bulk_approve_skips_an_application_the_task_does_not_let_the_user_approve(
    songshan, workflow
):
    from review_workflow.services.bulk import applications_approve

    app = application(pupil=student(school=songshan))
    outsider = registrar_user(of_school=school(moe_code="999999", name="別校"), username="x")

    report = applications_approve(applications=[app], by=outsider)

    assert report.approved == [] and len(report.skipped) == 1
    app.refresh_from_db()
    assert not app.live


# Export ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_csv_and_xlsx_hold_only_the_filtered_rows_of_the_school_masked(
    client, registrar, songshan, yingqiao, workflow
):
    from openpyxl import load_workbook

    application(pupil=student(school=songshan))
    application(
        pupil=student(
            school=songshan, number="108099", name="王峯", grade=3, id_number="A287654328"
        ),
        applicants=(("王大", "父子", "D100000006", "0955000000", "=cmd@example.com"),),
    )
    application(
        pupil=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID),
        applicants=(("林爸爸", "父子", "B120000003", "0922000000", "lin@example.com"),),
    )
    admin_login(client, registrar)
    url = reverse("application:list")

    csv_response = client.get(url, {"export": "csv", "grade": "2"})
    csv_text = b"".join(csv_response.streaming_content).decode()
    everything = client.get(url, {"export": "csv"})
    all_text = b"".join(everything.streaming_content).decode()
    xlsx = client.get(url, {"export": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row]

    assert (
        csv_response.status_code == 200
        and "applications.csv" in csv_response["Content-Disposition"]
    )
    assert "陳小花" in csv_text and "A12****789" in csv_text and "王峯" not in csv_text
    assert "王峯" in all_text and "'=cmd@example.com" in all_text
    for text in (csv_text, all_text, " ".join(cells)):
        assert FATHER_ID not in text and "林大明" not in text and "林爸爸" not in text
    assert "陳小花" in cells and "A12****789" in cells


@pytest.mark.django_db
def test_filters_and_search(client, registrar, songshan, workflow):
    application(pupil=student(school=songshan))
    application(
        pupil=student(
            school=songshan, number="108099", name="王峯", grade=3, id_number="A287654328"
        ),
        applicants=(("王大", "父子", "D100000006", "0955000000", "w@example.com"),),
        submit=False,
    )
    admin_login(client, registrar)
    url = reverse("application:list")

    def names(params):
        html = client.get(url, params).content.decode()
        return {name for name in ("陳小花", "王峯") if name in html}

    assert names({"review_status": "in_progress"}) == {"陳小花"}
    assert names({"review_status": "draft"}) == {"王峯"}
    assert names({"grade": "3"}) == {"王峯"}
    assert names({"class_number": "1"}) == {"陳小花", "王峯"}
    assert names({"application_type": "一位申請帳號"}) == {"陳小花", "王峯"}
    assert names({"q": "陳大名"}) == {"陳小花"}
    assert names({"q": "108099"}) == {"王峯"}
    today = timezone.localdate().isoformat()
    assert names({"submitted_at_from": today}) == {"陳小花"}


# Speed -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_listing_runs_a_constant_number_of_queries(
    client, registrar, songshan, workflow, django_assert_num_queries
):
    def add(count, start):
        for n in range(start, start + count):
            pupil = student(
                school=songshan, number=f"2{n:05d}", name=f"學生{n}", id_number="A234567893"
            )
            guardian(pupil)
            application(
                pupil=pupil,
                applicants=(
                    (f"家長{n}", "父子", FATHER_ID, f"09{n:08d}", f"p{n}@example.com"),
                    (f"母親{n}", "母子", "B223456781", f"08{n:08d}", f"m{n}@example.com"),
                ),
            )

    admin_login(client, registrar)
    url = reverse("application:list")
    add(5, 0)
    client.get(url)  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    add(25, 5)

    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count("學生") >= 30


# Dashboard ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dashboard_shows_binding_progress_per_class_lagging_first(
    client, registrar, songshan, yingqiao
):
    bound = student(school=songshan, number="108001", grade=1, class_number=1)
    student(school=songshan, number="108002", grade=1, class_number=1, id_number="A287654328")
    full = student(school=songshan, number="108003", grade=2, class_number=1)
    student(school=songshan, number="108004", grade=2, class_number=1, enrolled=False)
    student(school=yingqiao, number="200001", grade=6, class_number=9)
    parent_with_link(to=bound)
    ParentStudentLink.objects.create(parent=_user("mum"), student=full, relationship="母子")
    revoked = ParentStudentLink.objects.create(
        parent=_user("gone"), student=bound, relationship="父子", revoked_at=timezone.now()
    )
    assert revoked.revoked_at
    admin_login(client, registrar)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "綁定進度" in html
    assert "1年01班" in html and "2年01班" in html and "6年09班" not in html
    assert html.index("1年01班") < html.index("2年01班")  # lagging (50 %) first
    assert '<progress max="2" value="1"' in html
    assert '<progress max="1" value="1"' in html
    assert '<progress max="3" value="2"' in html  # the school: 2 of 3 enrolled


@pytest.mark.django_db
def test_binding_progress_is_one_query_per_school(songshan, django_assert_num_queries):
    from review_workflow.admin.dashboard import binding_progress

    for n in range(6):
        student(school=songshan, number=f"3000{n}", grade=n % 3 + 1, class_number=n % 2 + 1)

    with django_assert_num_queries(1):
        progress = binding_progress(songshan)

    assert len(progress["classes"]) == 6 and progress["total"] == 6


@pytest.mark.django_db
def test_awaiting_review_lists_only_the_registrars_school(
    client, registrar, songshan, yingqiao, workflow
):
    application(pupil=student(school=songshan))
    application(
        pupil=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID)
    )
    admin_login(client, registrar)

    html = client.get(reverse("wagtailadmin_home")).content.decode()

    assert "awaiting-review" in html
    assert "陳小花" in html
    assert "林大明" not in html


# Parent–child links ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_links_screen_lists_own_school_and_filters_by_state(client, registrar, songshan, yingqiao):
    active = parent_with_link(to=student(school=songshan), username="dad")
    asking = ParentStudentLink.objects.create(
        parent=_user("mum"),
        student=student(school=songshan, number="108040", name="陳小明", id_number="A287654328"),
        relationship="母子",
        unbinding_requested_at=timezone.now(),
    )
    theirs = ParentStudentLink.objects.create(
        parent=_user("lin"),
        student=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID),
        relationship="父子",
    )
    admin_login(client, registrar)
    url = reverse("parent_student_link:index")

    html = client.get(url).content.decode()
    asking_only = client.get(url, {"state": "unbinding_requested"}).content.decode()

    assert "陳小花" in html and "陳小明" in html and "林大明" not in html
    assert "陳小明" in asking_only and "陳小花" not in asking_only
    assert active.pk and asking.pk
    for name in ("inspect", "history", "revoke"):
        other = reverse(f"parent_student_link:{name}", args=(theirs.pk,))
        assert client.get(other).status_code == 404, name
    assert (
        client.post(
            reverse("parent_student_link:revoke", args=(theirs.pk,)), {"reason": "x"}
        ).status_code
        == 404
    )
    for name in ("edit", "delete"):
        ours = reverse(f"parent_student_link:{name}", args=(active.pk,))
        assert client.get(ours).status_code in (302, 403), name
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.django_db
def test_revoking_a_link_needs_a_reason_and_is_logged(client, registrar, songshan):
    link = parent_with_link(to=student(school=songshan))
    admin_login(client, registrar)
    url = reverse("parent_student_link:revoke", args=(link.pk,))

    empty = client.post(url, {"reason": " "})
    done = client.post(url, {"reason": "家長申請解除綁定"})

    assert empty.status_code == 200
    assert done.status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == registrar
    assert link.revoke_reason == "家長申請解除綁定"
    entry = SchoolLogEntry.objects.get(action="review_workflow.revoke_link")
    assert entry.user_id == registrar.pk and entry.object_id == str(link.pk)
    again = client.post(url, {"reason": "again"})
    assert again.status_code == 302
    assert SchoolLogEntry.objects.filter(action="review_workflow.revoke_link").count() == 1


@pytest.mark.django_db
def test_site_history_names_only_the_registrars_school(
    client, registrar, songshan, yingqiao, workflow, admin_user
):
    application(pupil=student(school=songshan, number="100001", name="王小明"))
    application(
        pupil=student(school=yingqiao, number="200001", name="林大明", id_number=STRANGER_ID)
    )
    admin_login(client, registrar)

    html = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    results = client.get(reverse("wagtailadmin_reports:site_history_results")).content.decode()

    assert "王小明" in html and "王小明" in results
    assert "林大明" not in html and "林大明" not in results
    admin_login(client, admin_user)  # superusers see every school's, beside Wagtail's own logs
    everything = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
    assert "王小明" in everything and "林大明" in everything

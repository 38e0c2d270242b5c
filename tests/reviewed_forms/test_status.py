"""A submission's status is one rule: the property the parent's pages read and the annotation
the reviewers' listings filter on agree in every state a review can be in."""

import pytest

from binding_forms.models import Application
from binding_forms.reviewed_forms.models import SubmissionStatus
from tests.factories import student, submitted_application


def _both(application) -> tuple[str, str]:
    fresh = Application.objects.get(pk=application.pk)
    annotated = Application.with_status(Application.objects.filter(pk=application.pk)).get()
    return fresh.status.name, annotated.review_status


def _decide(application, user, action, comment=""):
    state = application.current_workflow_state.current_task_state
    state.task.specific.on_action(state, user, action, comment=comment)


@pytest.mark.django_db
def test_the_property_and_the_annotation_agree_in_every_state(songshan, registrar, admin_user):
    draft = Application.objects.create(
        student=student(school=songshan, number="108001", id_number="A100000001"),
        requester=admin_user,
        live=False,
    )
    in_review = submitted_application(
        student=student(school=songshan, number="108002", id_number="A100000010")
    )
    changes = submitted_application(
        student=student(school=songshan, number="108003", id_number="A100000029")
    )
    _decide(changes, registrar, "reject", "請改正手機號碼")
    approved = submitted_application(
        student=student(school=songshan, number="108004", id_number="A100000038")
    )
    _decide(approved, registrar, "approve")
    cancelled = submitted_application(
        student=student(school=songshan, number="108005", id_number="A100000047")
    )
    cancelled.current_workflow_state.cancel(user=admin_user)

    assert _both(draft) == ("draft", "draft")
    assert _both(in_review) == ("in_review", "in_review")
    assert _both(changes) == ("changes_requested", "changes_requested")
    assert _both(approved) == ("approved", "approved")
    assert _both(cancelled) == ("cancelled", "cancelled")
    assert Application.objects.get(pk=changes.pk).status.comment == "請改正手機號碼"
    for name in SubmissionStatus.LABELS:
        matching = Application.objects.filter(Application.status_q(name))
        assert [row.status.name for row in matching] == [name]


@pytest.mark.django_db
def test_the_registrar_listing_filters_on_the_same_rule(client, songshan, registrar, admin_user):
    from django.urls import reverse

    from tests.factories import admin_login

    cancelled = submitted_application(
        student=student(school=songshan, name="王小明", number="108005", id_number="A100000047")
    )
    cancelled.current_workflow_state.cancel(user=admin_user)
    submitted_application(student=student(school=songshan, number="108002", id_number="A100000010"))
    admin_login(client, registrar)

    html = client.get(reverse("application:list"), {"review_status": "cancelled"}).content.decode()

    assert "王小明" in html and "陳小花" not in html
    assert "已取消" in html

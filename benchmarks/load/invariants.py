"""What must hold in the database after a run, however the requests interleaved: every
submission present exactly once, no account or link twice, every review started once and
decided, every job of the worker done, every mail sent once."""

import time
from collections import Counter

from benchmarks.load.client import Mailbox
from benchmarks.load.stack import Person


def queue_drain(timeout: float = 180.0) -> int:
    """Wait until the worker has run every job that is due; returns how many are left."""
    from django.db import close_old_connections
    from django.utils import timezone
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while True:
        close_old_connections()
        left = (
            DBTaskResult.objects.filter(
                status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
                run_after__lte=timezone.now() + timezone.timedelta(seconds=5),
            ).count()
            + DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
        )
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def check(
    people: list[Person],
    *,
    approved: set[int],
    mailbox: Mailbox | None,
    signed_in: set[int] = frozenset(),
) -> list[str]:
    """The violations found (empty: all hold). ``approved``: indexes of the people whose
    application a registrar approved (all of them in a full run); ``signed_in``: those who then
    signed in with their parent account."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import close_old_connections
    from django.db.models import Count
    from django.db.models.functions import Lower
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult
    from wagtail.models import WorkflowState

    from binding_forms.models import Application
    from review_workflow.models import OutgoingMail, ParentAccount, ParentStudentLink

    close_old_connections()
    problems = []
    numbers = {p.student_number for p in people}
    by_number = {p.student_number: p for p in people}

    # Every submission present exactly once, whole.
    applications = list(
        Application.objects.filter(student__student_number__in=numbers)
        .annotate(applicants_count=Count("applicants"))
        .values("pk", "student__student_number", "submitted_at", "live", "applicants_count")
    )
    per_student = Counter(a["student__student_number"] for a in applications)
    if twice := [n for n, c in per_student.items() if c > 1]:
        problems.append(f"{len(twice)} students with more than one application: {twice[:5]}")
    if missing := sorted(numbers - per_student.keys()):
        problems.append(f"{len(missing)} parents' applications are missing: {missing[:5]}")
    unsent = [a for a in applications if a["submitted_at"] is None]
    if unsent:
        problems.append(f"{len(unsent)} applications were never submitted")
    half = [a for a in applications if a["applicants_count"] != 1]
    if half:
        problems.append(
            f"{len(half)} applications without exactly their one applicant (half-written)"
        )

    # Every review started once, and decided where a registrar approved.
    content_type = ContentType.objects.get_for_model(Application)
    states = Counter(
        WorkflowState.objects.filter(
            base_content_type=content_type,
            object_id__in=[str(a["pk"]) for a in applications],
        ).values_list("object_id", flat=True)
    )
    not_started = [a for a in applications if states[str(a["pk"])] == 0]
    started_twice = [pk for pk, count in states.items() if count > 1]
    if not_started:
        problems.append(f"{len(not_started)} submitted applications whose review never started")
    if started_twice:
        problems.append(f"{len(started_twice)} applications whose review started twice")
    not_live = [
        a
        for a in applications
        if by_number[a["student__student_number"]].index in approved and not a["live"]
    ]
    if not_live:
        problems.append(f"{len(not_live)} approved applications not approved in the database")

    # No account or link twice.
    users = get_user_model().objects
    duplicate_emails = (
        users.exclude(email="")
        .annotate(address=Lower("email"))
        .values("address")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    if duplicate_emails.exists():
        problems.append(f"{duplicate_emails.count()} email addresses with more than one account")
    accounts = ParentAccount.objects.count()
    if accounts != len(approved):
        problems.append(f"{accounts} parent accounts for {len(approved)} approved applicants")
    links = ParentStudentLink.objects.values("parent_id", "student_id").annotate(n=Count("pk"))
    if doubled := [row for row in links if row["n"] > 1]:
        problems.append(f"{len(doubled)} parent–child links present more than once")
    if len(links) != len(approved):
        problems.append(f"{len(links)} parent–child links for {len(approved)} approvals")
    never_signed_in = users.filter(
        email__in=[people[i].email for i in signed_in], last_login__isnull=True
    ).count()
    if never_signed_in:
        problems.append(f"{never_signed_in} parents who signed in have no last sign-in")

    # The worker's jobs: all done, none failed.
    unfinished = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
    if unfinished.exists():
        states = Counter(unfinished.values_list("status", flat=True))
        problems.append(f"worker jobs not successful: {dict(states)}")

    # Mail: every notification sent, and every message received once.
    unsent_mail = OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT)
    if unsent_mail.exists():
        problems.append(
            f"{unsent_mail.count()} notification mails not sent: "
            f"{dict(Counter(unsent_mail.values_list('status', flat=True)))}"
        )
    if mailbox is not None:
        received = Counter((to, subject) for to, subject, _ in mailbox.all_messages())
        if twice := [key for key, count in received.items() if count > 1]:
            problems.append(f"{len(twice)} mails received more than once: {twice[:3]}")
        expected = OutgoingMail.objects.count()
        notifications = sum(1 for (to, subject) in received if "電子郵件驗證碼" not in subject)
        if notifications != expected:
            problems.append(f"{notifications} notification mails received, {expected} written")
    return problems

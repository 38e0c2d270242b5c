"""Time a registrar's bulk approval against its budget: 500 applications in at most 30 s,
including the parent accounts, their links to the children and the queued mails.

Run from the project root (PostgreSQL must be reachable; nothing else is touched):

    python benchmarks/bulk_approve.py
    python benchmarks/bulk_approve.py --applications 500 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres

It creates a throwaway database (``portal_bulk_bench``, dropped at the end whatever happens) with
the production settings (DEBUG off, the database task queue of ``django_tasks_db``), migrates it,
loads the schools, publishes the wizard, and submits ``--applications`` applications of one
school through the wizard's services (half of them with two applicants; one in ten by a parent
who already has an account for an elder sibling), each with its review started. Then it times
``review_workflow.services.bulk.applications_approve`` — what the admin's bulk action calls — as
the school's registrar, and checks the outcome: every application approved and published, an
account and a link for each applicant, the approval mails queued for the worker.
"""

import argparse
import os
import random
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "portal_bulk_bench"
BUDGET_SECONDS = 30.0
BUDGET_APPLICATIONS = 500
QUEUE = "django_tasks_db.DatabaseBackend"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=BUDGET_APPLICATIONS)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help=f"a PostgreSQL server; '{BENCH_DATABASE}' is created there and dropped afterwards",
    )
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_ROOT))
    server = urlsplit(args.database_url)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "PERSONAL_DATA_KEY": secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": urlunsplit(server._replace(path=f"/{BENCH_DATABASE}")),
            "TASK_BACKEND": QUEUE,
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore",
        }
    )
    maintenance = urlunsplit(server._replace(path="/postgres"))
    _recreate(maintenance)
    try:
        return _run(args)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        _drop(maintenance)


def _recreate(maintenance: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{BENCH_DATABASE}"')


def _drop(maintenance: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{BENCH_DATABASE}" WITH (FORCE)')


def _run(args) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from binding_forms.binding.services import wizard_page_create
    from binding_forms.models import Application, School
    from binding_forms.registry.services import (
        districts_load_csv,
        schools_load_csv,
        staff_assign,
    )
    from home.models import HomePage
    from review_workflow.models import ParentAccount, ParentStudentLink
    from review_workflow.services.bulk import applications_approve

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    wizard = wizard_page_create(parent=HomePage.objects.get())
    school = School.objects.get(moe_code="313601")
    registrar = get_user_model().objects.create_user("songshan-registrar", is_staff=True)
    registrar.groups.add(Group.objects.get(name="Registrars"))
    staff_assign(user=registrar, school=school)
    applicants = _submit(args, school, wizard)
    DBTaskResult.objects.all().delete()  # the review starts, run above: only mail counts below
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Set-up: {args.applications:,} applications of {school.name} with {applicants:,} "
        f"applicants under review ({time.perf_counter() - started:.1f} s)"
    )

    pending = list(
        Application.objects.filter(student__school=school)
        .select_related("student__school")
        .order_by("pk")
    )
    accounts_before = ParentAccount.objects.count()
    started = time.perf_counter()
    queries = []
    with connection.execute_wrapper(lambda execute, *params: queries.append(1) or execute(*params)):
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            result = profile.runcall(applications_approve, applications=pending, by=registrar)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        else:
            result = applications_approve(applications=pending, by=registrar)
    seconds = time.perf_counter() - started

    approved = len(result.approved)
    live = Application.objects.filter(student__school=school, live=True).count()
    links = ParentStudentLink.objects.filter(student__school=school).count()
    new_accounts = ParentAccount.objects.count() - accounts_before
    queued_mails = DBTaskResult.objects.exclude(
        task_path="binding_forms.reviewed_forms.tasks.submission_review_start_task"
    ).count()
    print(
        f"Bulk approval: {approved:,} approved, {len(result.skipped):,} skipped in "
        f"{seconds:.1f} s = {approved / seconds:,.1f} applications/s, "
        f"{len(queries) / max(approved, 1):.0f} queries each"
    )
    print(
        f"Outcome: {live:,} published, {new_accounts:,} new parent accounts, {links:,} links, "
        f"{queued_mails:,} tasks queued for the worker (mail)"
    )
    budget = BUDGET_SECONDS * args.applications / BUDGET_APPLICATIONS
    problems = []
    if approved != args.applications or live != args.applications:
        problems.append(f"{approved} approved / {live} published of {args.applications}")
        problems += [f"  skipped: {reason}" for _app, reason in result.skipped[:5]]
    if links != applicants:
        problems.append(f"{links} links for {applicants} applicants")
    for problem in problems:
        print(f"Check: {problem}")
    verdict = "PASS" if seconds <= budget and not problems else "FAIL"
    print(
        f"{verdict}  {seconds:.1f} s for {args.applications:,} applications (budget {budget:.0f} s)"
    )
    return 0 if verdict == "PASS" else 1


def _submit(args, school, wizard, *, first: int = 0) -> int:
    """Applications as the wizard leaves them, each with its review started (numbers ``first``
    to ``args.applications``; benchmarks/registrar_listing.py adds them in two batches); returns
    how many applicants they name."""
    from django.contrib.auth import get_user_model

    from benchmarks.roster_import import tw_id
    from binding_forms.binding import services
    from binding_forms.identity.personal_data import encrypt, id_number_digest
    from binding_forms.models import ApplicationType, Student
    from binding_forms.reviewed_forms.services import submission_review_start

    rng = random.Random(args.seed)
    one, two = (
        ApplicationType(label="一位申請帳號", applicant_count=1),
        ApplicationType(label="雙親為監護人，二位申請帳號", applicant_count=2),
    )
    parents = []  # (id, name, email) of earlier applicants, for siblings
    count = 0
    for index in range(first, args.applications):
        number = f"113{index:04d}"
        user = get_user_model().objects.create_user(f"{school.moe_code}-P{number}")
        child_id = tw_id(rng, rng.choice((1, 2)))
        pupil = Student.objects.create(
            school=school,
            student_number=number,
            name=f"王小明{index}",
            grade=index % 6 + 1,
            class_number=index % 9 + 1,
            id_number_digest=id_number_digest(child_id),
            id_number_encrypted=encrypt(child_id),
            user=user,
        )
        if parents and rng.random() < 0.1:  # a younger sibling: the same father applies
            people = [rng.choice(parents)]
        else:
            people = [(tw_id(rng, 1), f"王大同{index}", f"father{index}@example.com")]
            if index % 2:
                people.append((tw_id(rng, 2), f"林美玲{index}", f"mother{index}@example.com"))
            parents.append(people[0])
        application = services.application_for(student=pupil, page=wizard, user=user)
        services.application_confirm_student(application=application)
        services.application_record_consent(application=application, page=wizard, agreed=True)
        application = services.application_submit(
            application=application,
            application_type=one if len(people) == 1 else two,
            applicants=[
                {
                    "position": position,
                    "name": name,
                    "relationship": "父子" if position == 1 else "母子",
                    "id_number": id_number,
                    "mobile": f"09{rng.randrange(10**8):08d}",
                    "email": email,
                }
                for position, (id_number, name, email) in enumerate(people, 1)
            ],
            user=user,
        )
        submission_review_start(submission=application, user=user)
        count += len(people)
    return count


if __name__ == "__main__":
    sys.exit(main())

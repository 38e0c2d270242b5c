"""The registrar's application listing (申請案件, /admin/applications/) at 10,000 applications of
one school: the same number of queries as at 100, and how long a page takes.

Goal (issue 14): constant queries — the listing at ``--applications`` (10,000) runs exactly the
queries it runs at ``--first`` (100). The time of a page at each size is printed as information.

Run from the project root (PostgreSQL must be reachable; nothing else is touched):

    python benchmarks/registrar_listing.py [--applications 10000] [--first 100]

It creates a throwaway database (``--database-name``, dropped at the end) with the production
settings, the schools, the wizard and the school's registrar (two-factor verified session), and
submits ``--first`` applications through the wizard's services with their reviews started
(benchmarks/bulk_approve.py's set-up: half with two applicants, some siblings; the registry
match refers each to the registrar). It reads the listing (Django's test client, after one
warm-up request) at ``--first`` applications, adds the rest in bulk as copies of real ones
(benchmarks/bulk_applications.py: minutes, not hours), checks the listing shows a copy as it
shows a real one, and reads it again, also filtered by status and by 學籍比對 and searched.
Exit status: 0 the query counts match, 1 they do not, 2 a page did not answer 200, lacks the
applications, or shows a copy unlike a real one.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))  # run as a script: the project and benchmarks.harness

from benchmarks.harness import (  # noqa: E402
    add_database_arguments,
    production_environment,
    run_on_throwaway_database,
    since,
)

BENCH_DATABASE = "portal_listing_bench"
SLOW_PAGE = 1.0  # seconds: a page slower than this shows the plan of its slowest query
ADDRESSES = {
    "list": "/admin/applications/",
    "list, in review": "/admin/applications/?review_status=in_review",
    "list, searched": "/admin/applications/?q=%E7%8E%8B%E5%B0%8F%E6%98%8E",  # 王小明
    "list, 學籍比對": "/admin/applications/?registry_match=needs_registrar",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, BENCH_DATABASE)
    parser.add_argument("--applications", type=int, default=10_000)
    parser.add_argument("--first", type=int, default=100)
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each page's slowest query"
    )
    args = parser.parse_args()

    def environment(scratch: Path) -> dict[str, str]:
        return {
            **production_environment(args.database_url, args.database_name, scratch),
            "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        }

    return run_on_throwaway_database(
        args, "listing-bench-", environment, lambda _env, _scratch: _run(args)
    )


def _run(args) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.bulk_applications import in_review_copies
    from benchmarks.bulk_approve import _submit
    from binding_forms.binding.services import wizard_page_create
    from binding_forms.models import Application, School
    from binding_forms.registry.services import districts_load_csv, schools_load_csv, staff_assign
    from home.models import HomePage
    from review_workflow.services.registry_match import registry_match_step_add

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    wizard = wizard_page_create(parent=HomePage.objects.get())
    # 學籍比對 at the head of the review, as an administrator sets it up: no guardian is in the
    # registry here, so it refers every application to the registrar (需人工審核).
    registry_match_step_add(workflow=Application().get_workflow())
    school = School.objects.get(moe_code="313601")
    registrar = get_user_model().objects.create_user("songshan-registrar", is_staff=True)
    registrar.groups.add(Group.objects.get(name="Registrars"))
    staff_assign(user=registrar, school=school)
    device = TOTPDevice.objects.create(user=registrar, name="authenticator", confirmed=True)
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(registrar)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()

    def read(size: int) -> dict[str, tuple[int, float]]:
        """Queries and the median seconds of five reads of each address."""
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        figures = {}
        for what, address in ADDRESSES.items():
            browser.get(address)  # warm-up: this process's caches
            times, counts = [], set()
            for _ in range(5):
                queries = []
                began = time.perf_counter()
                with connection.execute_wrapper(_timed(queries)):
                    response = browser.get(address)
                times.append(time.perf_counter() - began)
                counts.add(len(queries))
                if response.status_code != 200 or "王小明".encode() not in response.content:
                    raise _PageError(f"{address} at {size:,}: HTTP {response.status_code}")
            if len(counts) != 1:
                raise _PageError(f"{address}: the query count varies between reads {counts}")
            figures[what] = (counts.pop(), statistics.median(times))
            print(
                f"  {what:<18} at {size:>6,} applications: {figures[what][0]:3d} queries, "
                f"{figures[what][1] * 1000:6.0f} ms",
                flush=True,
            )
            if figures[what][1] > SLOW_PAGE or args.explain:
                _explain_slowest(connection, queries)
        return figures

    small = argparse.Namespace(applications=args.first, seed=args.seed)
    _submit(small, school, wizard)
    print(f"Set-up: {args.first:,} applications under review ({since(started)})")
    try:
        at_first = read(args.first)

        started = time.perf_counter()
        templates = [
            Application.objects.filter(student__school=school, applicant_count=count)
            .order_by("pk")
            .first()
            for count in (1, 2)
        ]
        in_review_copies(
            school=school,
            templates=templates,
            first=args.first,
            last=args.applications,
            seed=args.seed,
        )
        total = Application.objects.filter(student__school=school).count()
        print(f"Set-up: {total:,} applications under review ({since(started)} more, in bulk)")
        _copies_read_as_real(browser, school, templates, args.applications - 1)
        at_all = read(total)
    except _PageError as error:
        print(f"\nFAIL  {error}")
        return 2

    passed = all(at_first[what][0] == at_all[what][0] for what in ADDRESSES)
    verdict = "PASS" if passed and total == args.applications else "FAIL"
    print(
        f"\n{verdict}  the registrar's listing runs "
        + ", ".join(
            f"{what}: {at_first[what][0]} → {at_all[what][0]} queries" for what in ADDRESSES
        )
        + f" from {args.first:,} to {total:,} applications (goal: the same)"
    )
    return 0 if verdict == "PASS" else 1


def _timed(queries: list):
    """An execute wrapper that keeps each query's SQL, parameters and seconds."""

    def wrapper(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - began, sql, params))

    return wrapper


def _explain_slowest(connection, queries) -> None:
    seconds, sql, params = max(queries, key=lambda query: query[0])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = "\n".join(f"      {row[0]}" for row in cursor.fetchall())
    print(f"    its slowest query ({seconds * 1000:.0f} ms):\n{plan}", flush=True)


class _PageError(Exception):
    """A page did not answer as a registrar's listing should."""


def _copies_read_as_real(browser, school, templates, last_index: int) -> None:
    """A copy has what the listing shows of a real application of its shape: the same status,
    registry match and checks (the annotations the listing reads), and its row on the page."""
    from binding_forms.models import Application
    from binding_forms.reviewed_forms.models import SubmissionStatus
    from review_workflow.review_checks import with_review_data

    shown = ("review_status", "registry_match", "has_applicants", "unknown_applicant")
    shown += ("sibling_link", "contact_reused", "applicant_count", "live")
    rows = with_review_data(Application.objects.filter(student__school=school))
    real_rows = rows.filter(pk__in=[template.pk for template in templates]).values(*shown)
    real = {row["applicant_count"]: row for row in real_rows}
    copy = rows.filter(student__student_number=f"113{last_index:04d}").values(*shown).get()
    if copy != real[copy["applicant_count"]]:
        raise _PageError(f"a copy reads {copy}, a real one {real[copy['applicant_count']]}")
    response = browser.get(f"/admin/applications/?q=%E7%8E%8B%E5%B0%8F%E6%98%8E{last_index}")
    page = response.content.decode()
    status = str(SubmissionStatus.LABELS[copy["review_status"]])
    if response.status_code != 200 or f"113{last_index:04d}" not in page or status not in page:
        raise _PageError(f"the copy 113{last_index:04d} is not listed as under review")
    print(f"  a copy (113{last_index:04d}) lists as a real one: {copy}")


if __name__ == "__main__":
    sys.exit(main())

"""Time printing a class's binding letters: a class of 30 must print in seconds.

Run from the project root:

    python benchmarks/binding_letters.py [--students 30] [--rounds 3]
    python benchmarks/binding_letters.py --database-url postgres://postgres@127.0.0.1:5432/postgres

It never touches a real database: a temporary SQLite file, or with --database-url a throwaway
database on that PostgreSQL server (dropped afterwards). It imports a generated class through
the roster import registrars use (names with rare characters included), then prints the class
as the print page does — new codes, the older letters voided, one audit entry a letter, the
A4 PDF with its QR codes — several rounds (each a reprint), and compares the slowest round with
the budget. The first round includes loading the fonts, as a fresh server process would.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.roster_import import roster_csv, throwaway_database  # noqa: E402

BUDGET_SECONDS = 10.0
CLASS_SIZE = 30


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=CLASS_SIZE, help="students in the class")
    parser.add_argument("--rounds", type=int, default=3, help="prints of the class, timed each")
    parser.add_argument("--database-url", help="a PostgreSQL server (postgres://…)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    cleanup = throwaway_database(args.database_url, name="portal_bench_letters")
    try:
        return _run(args)
    finally:
        cleanup()


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from binding_forms.letters.pdf import letters_pdf
    from binding_forms.letters.services import letters_issue
    from binding_forms.models import BindingLetter, School, Student, User
    from binding_forms.registry.roster import roster_import
    from binding_forms.registry.services import (
        districts_load_csv,
        schools_load_csv,
        staff_assign,
    )
    from review_workflow.admin.binding_letters import letter_link

    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    school = School.objects.get(moe_code="313601")
    # One grade of ``--students`` in one class: the generator spreads a school over six grades.
    data = roster_csv(rows=args.students * 6, school_codes=[school.moe_code], rng=random.Random(1))
    roster_import(data=data, full=True)
    grade, class_number = 1, 1
    Student.objects.filter(school=school, grade=grade).update(class_number=class_number)
    students = list(
        Student.objects.filter(school=school, grade=grade, class_number=class_number)
        .select_related("school__district")
        .order_by("student_number")
    )
    registrar = User.objects.create_user("bench-registrar", is_staff=True)
    staff_assign(user=registrar, school=school)
    print(f"Class: {len(students)} students of {school.name}")

    rounds = []
    for number in range(1, args.rounds + 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        issued = letters_issue(students=students, printed_by=registrar)
        pdf = letters_pdf(letters=issued, link_for=letter_link)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        rounds.append(seconds)
        print(
            f"round {number}: {len(issued)} letters, {len(pdf) / 1024:.0f} KiB PDF in "
            f"{seconds:.2f} s ({seconds / len(issued) * 1000:.0f} ms a letter; {cpu:.2f} s of "
            f"CPU, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
    open_letters = BindingLetter.objects.filter(used_at=None, voided_at=None).count()
    if open_letters != len(students):
        print(f"Expected one working letter a student, found {open_letters}.")
        return 2
    slowest = max(rounds)
    verdict = "PASS" if slowest <= BUDGET_SECONDS else "FAIL"
    print(
        f"{verdict}: slowest print {slowest:.2f} s for {len(students)} letters "
        f"(budget {BUDGET_SECONDS:.0f} s; {slowest / BUDGET_SECONDS:.0%} of it)"
    )
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())

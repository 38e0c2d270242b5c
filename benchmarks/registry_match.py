"""How much of the registrar's work the registry match (學籍比對) takes off: the share of
applications decided by themselves among those whose applicants are all guardians the registry
knows (goal: at least 80%), and never one approval of an applicant the registry does not know.

Run from the project root:

    python benchmarks/registry_match.py [--students 3000] [--applications 300]
    python benchmarks/registry_match.py --database-url postgres://postgres@127.0.0.1:5432/postgres

It never touches a real database: a temporary SQLite file, or with --database-url a throwaway
database created on that PostgreSQL server and dropped afterwards. It imports a generated
roster of one school through the roster import (1–2 guardians a student as the registry has
them: some without an ID number, some marked as not living with the child), puts 學籍比對 in
front of the registrar's step as the demo data does, and sends ``--applications`` applications
through the wizard's services, each review started by the real background job. The parents
make the mistakes parents make, at the shares the options set: an ID number mistyped in a way
the check digit does not catch, the wrong relationship picked, and applicants the registry does
not know at all (a new partner, a relative who is not a registered guardian).

Exit status 0 when the goal is met and no unknown applicant was approved, 1 otherwise.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GOAL = 0.80


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=3000, help="students on the roster")
    parser.add_argument("--applications", type=int, default=300, help="applications sent")
    parser.add_argument("--database-url", help="a PostgreSQL server (postgres://…)")
    parser.add_argument("--seed", type=int, default=20240901)
    parser.add_argument("--unknown", type=float, default=0.10, help="share by unknown applicants")
    parser.add_argument("--typo", type=float, default=0.015, help="mistyped ID, valid check digit")
    parser.add_argument("--wrong-relationship", type=float, default=0.025)
    parser.add_argument("--not-living-with", type=float, default=0.04, help="of the guardians")
    parser.add_argument("--no-guardian-id", type=float, default=0.02, help="of the guardians")
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The approval mails are written and sent as in production, to memory.
    os.environ.setdefault("EMAIL_BACKEND", "anymail.backends.test.EmailBackend")
    from benchmarks.roster_import import throwaway_database

    cleanup = throwaway_database(args.database_url, name="portal_bench_registry_match")
    try:
        return _run(args)
    finally:
        cleanup()


def _roster(args, rng: random.Random, school_code: str):
    """The roster CSV, and what the registry holds per student number: [(name, relationship,
    id or "", lives with)]."""
    import csv
    import io

    from benchmarks.roster_import import given_name, person_surname, tw_id

    header = ["學校代碼", "學號", "姓名", "年級", "班級", "身分證統一編號"]
    for slot in (1, 2):
        header += [f"監護人{slot}{column}" for column in ("姓名", "關係", "身分證統一編號", "同住")]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    used: set[str] = set()

    def new_id(gender: int) -> str:
        while (id_number := tw_id(rng, gender)) in used:
            pass
        used.add(id_number)
        return id_number

    registry = {}
    for index in range(args.students):
        number = f"113{index:04d}"
        surname = person_surname(rng)
        kinds = rng.choices(
            [
                (("父", 1), ("母", 2)),
                (("父", 1),),
                (("母", 2),),
                (("祖母", 2),),
                (("父", 1), ("繼母", 2)),
            ],
            weights=[60, 15, 15, 5, 5],
        )[0]
        guardians = []
        for relationship, gender in kinds:
            name = (surname if gender == 1 else person_surname(rng)) + given_name(rng)
            id_number = "" if rng.random() < args.no_guardian_id else new_id(gender)
            guardians.append((name, relationship, id_number, rng.random() >= args.not_living_with))
        registry[number] = guardians
        cells = [school_code, number, surname + given_name(rng), index % 6 + 1, index // 150 + 1]
        cells.append(new_id(rng.choice((1, 2))))
        for name, relationship, id_number, lives in guardians:
            cells += [name, relationship, id_number, "是" if lives else "否"]
        writer.writerow(cells)
    return buffer.getvalue().encode(), registry, used


def _slip(rng, id_number: str, used: set[str]) -> str:
    """``id_number`` with two neighbouring digits swapped and a check digit that still fits (a
    slip the form's check does not catch)."""
    from benchmarks.roster_import import LETTER_CODES, WEIGHTS

    while True:
        digits = list(map(int, id_number[1:9]))
        at = rng.randrange(1, 7)
        digits[at], digits[at + 1] = digits[at + 1], digits[rng.randrange(1, 8)]
        tens, units = divmod(LETTER_CODES[id_number[0]], 10)
        total = tens + 9 * units + sum(w * d for w, d in zip(WEIGHTS, digits, strict=True))
        typed = f"{id_number[0]}{''.join(map(str, digits))}{-total % 10}"
        if typed != id_number and typed not in used:
            return typed


def _applicants(args, rng, guardians, used, index):
    """Who applies for one child, as they type it; and whether they are all guardians the
    registry knows (the truth, whatever they typed)."""
    from benchmarks.roster_import import given_name, person_surname, tw_id

    wording = {"父": "父子", "母": "母子", "繼母": "母子", "祖母": "祖孫"}
    applicants, known = [], True
    if rng.random() < args.unknown:  # nobody the registry knows: a new partner, an aunt…
        known = False
        name = person_surname(rng) + given_name(rng)
        while (stranger := tw_id(rng, 2)) in used:
            pass
        applicants.append((name, rng.choice(["母子", "監護人", "父子"]), stranger))
    else:
        for name, relationship, id_number, _lives in guardians:
            typed = id_number or tw_id(rng, 1)  # the registry lacks it; the parent knows it
            if id_number and rng.random() < args.typo:
                typed = _slip(rng, id_number, used)
            said = wording[relationship]
            if rng.random() < args.wrong_relationship:
                said = rng.choice([r for r in ("父子", "母子", "祖孫", "監護人") if r != said])
            applicants.append((name, said, typed))
    return [
        {
            "position": position,
            "name": name,
            "relationship": relationship,
            "id_number": id_number,
            "mobile": f"09{index:04d}{position:04d}",
            "email": f"parent{index}-{position}@example.com",
        }
        for position, (name, relationship, id_number) in enumerate(applicants, 1)
    ], known


def _run(args) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from binding_forms.binding import services
    from binding_forms.binding.services import wizard_page_create
    from binding_forms.models import Application, ApplicationType, RegistryGuardian, School, Student
    from binding_forms.registry.roster import roster_import
    from binding_forms.registry.services import districts_load_csv, schools_load_csv
    from binding_forms.reviewed_forms.tasks import submission_review_start_task
    from home.models import HomePage
    from review_workflow.models import RegistryMatchTaskState
    from review_workflow.services.registry_match import registry_match_step_add

    settings.DEBUG = False
    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    school = School.objects.get(moe_code="313601")
    wizard = wizard_page_create(parent=HomePage.objects.get())
    registry_match_step_add(workflow=Application().get_workflow())
    rng = random.Random(args.seed)
    data, registry, used = _roster(args, rng, school.moe_code)
    report = roster_import(data=data, school=school, full=True)
    if report.errors:
        print(
            f"Roster: unexpected bad row, line {report.errors[0].line}: {report.errors[0].reason}"
        )
        return 2
    guardians_count = RegistryGuardian.objects.count()
    print(f"Roster: {report.rows:,} students, {guardians_count:,} guardians in the registry")

    started = time.perf_counter()
    numbers = rng.sample(sorted(registry), min(args.applications, len(registry)))
    truth = {}  # application pk -> all applicants are guardians the registry knows
    for index, number in enumerate(numbers):
        pupil = Student.objects.get(school=school, student_number=number)
        user = get_user_model().objects.create_user(f"{school.moe_code}-P{number}")
        pupil.user = user
        pupil.save(update_fields=["user"])
        applicants, known = _applicants(args, rng, registry[number], used, index)
        application = services.application_for(student=pupil, page=wizard, user=user)
        services.application_confirm_student(application=application)
        services.application_record_consent(application=application, page=wizard, agreed=True)
        services.application_submit(
            application=application,
            application_type=ApplicationType(label="申辦", applicant_count=len(applicants)),
            applicants=applicants,
            user=user,
        )
        # The job the worker runs (immediate here: run again, as a worker's retry would).
        submission_review_start_task.call(Application._meta.label, application.pk, user.pk)
        truth[application.pk] = known
    seconds = time.perf_counter() - started
    print(f"Reviews: {len(numbers):,} applications sent and started in {seconds:.1f} s")

    outcomes = dict(
        RegistryMatchTaskState.objects.values_list("workflow_state__object_id", "outcome")
    )
    live = set(Application.objects.filter(live=True).values_list("pk", flat=True))
    known_apps = [pk for pk, known in truth.items() if known]
    automatic = [pk for pk in known_apps if outcomes.get(str(pk)) == "auto_approved"]
    share = len(automatic) / max(len(known_apps), 1)
    # Never approved: an applicant whose ID digest is no guardian's of that child.
    wrongly = [
        application.pk
        for application in Application.objects.filter(pk__in=live).prefetch_related(
            "applicants", "student__registry_guardians"
        )
        if {a.id_number_digest for a in application.applicants.all()}
        - {g.id_number_digest for g in application.student.registry_guardians.all()}
    ]
    strangers_approved = [pk for pk in live if not truth[pk]]
    auto_total = sum(1 for outcome in outcomes.values() if outcome == "auto_approved")
    print(
        f"Registry match: {auto_total:,} approved by itself, "
        f"{len(truth) - auto_total:,} for the registrar ({len(live):,} approved in all)"
    )
    print(
        f"Applications by guardians the registry knows: {len(known_apps):,}, "
        f"decided by themselves: {len(automatic):,} = {share:.1%} (goal {GOAL:.0%})"
    )
    print(
        f"Approved with an applicant the registry does not know: {len(wrongly)} "
        f"(by ID number), {len(strangers_approved)} (by who applied)"
    )
    ok = share >= GOAL and not wrongly and not strangers_approved and len(live) == auto_total
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

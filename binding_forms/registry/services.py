"""What changes the registry: loading the city's districts and schools, who serves a school in
which office, a student's password."""

import csv
from pathlib import Path

from django.db import transaction
from wagtail.log_actions import log

from binding_forms.models import District, Office, School, StaffAssignment, Student

DATA_DIR = Path(__file__).resolve().parent / "data"


@transaction.atomic
def districts_load_csv(*, path: Path = DATA_DIR / "taipei_districts.csv") -> int:
    """Create or update the districts listed in ``path``; returns how many rows were read."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        District.objects.update_or_create(
            name=row["district"].strip(),
            defaults={
                "name_en": row["district_en"].strip(),
                "postal_code": row["postal_code"].strip(),
            },
        )
    return len(rows)


@transaction.atomic
def schools_load_csv(
    *, path: Path = DATA_DIR / "taipei_schools.csv", level: str = School.Level.ELEMENTARY
) -> int:
    """Create or update the schools in ``path`` (MOE public data), keyed by MOE code."""
    districts = {district.name: district for district in District.objects.all()}
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    for row in rows:
        district = districts.get(row["district"].strip())
        if district is None:
            district = District.objects.create(
                name=row["district"].strip(), postal_code=row["postal_code"].strip()
            )
            districts[district.name] = district
        School.objects.update_or_create(
            moe_code=row["moe_school_code"].strip(),
            defaults={
                "name": row["name_full_derived"].strip(),
                "short_name": row["name_moe"].strip(),
                "district": district,
                "level": level,
                "address": row["address"].strip(),
            },
        )
    return len(rows)


@transaction.atomic
def student_password_reset(*, student: Student, by) -> None:
    """Return a student account to its first password (the child's ID number), audited.

    The account keeps its links; every open session of it ends, because Django ties sessions to
    the password hash.
    """
    user = student.user
    if user is not None:
        user.set_unusable_password()
        user.password_change_required = True
        user.save(update_fields=["password", "password_change_required"])
    log(instance=student, action="binding_forms.reset_password", user=by)


def staff_assign(*, user, school: School, office: str = Office.REGISTRATION) -> StaffAssignment:
    """``user`` serves ``school`` in ``office`` (kept if already so)."""
    assignment, _created = StaffAssignment.objects.get_or_create(
        user=user, school=school, office=office
    )
    return assignment

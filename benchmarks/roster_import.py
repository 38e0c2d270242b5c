"""Time the roster import against its budget: 120,000 students in at most 60 s.

Run from the project root:

    python benchmarks/roster_import.py [--rows 120000] [--schools 139]
    python benchmarks/roster_import.py --database-url postgres://postgres@127.0.0.1:5432/postgres

It never touches a real database: by default a temporary SQLite file, or with --database-url a
throwaway database (`portal_bench`) created on that PostgreSQL server and dropped afterwards.
It loads the real schools, generates a realistic roster in memory (grades 1-6, ~25 per class,
valid ID numbers, ~1.6 guardians per student), then times a full import and a full re-import of
the same file (the upsert path, which should write nothing).
"""

import argparse
import csv
import io
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "portal_bench"
BUDGET_SECONDS = 60.0
BUDGET_ROWS = 120_000

SURNAMES = (  # the most common, roughly by frequency
    "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅"
    "高潘簡朱鍾游彭詹胡施沈余盧梁趙顏柯翁魏孫戴"
)
COMPOUND_SURNAMES = ("歐陽", "司馬", "張簡", "范姜")
GIVEN = (
    "志明俊傑家豪冠宇承翰宥廷品睿柏翰子晴雅婷欣怡詠晴芷若語彤心妍宜蓁思妤庭瑄佳穎宏偉建華淑芬美玲"
)
RARE = "堃峯𠮷喆犇淼焱"  # the registry must keep these as they are
RELATIONSHIPS = (("父", "母"), ("祖父", "祖母"), ("父", "繼母"))
HEADER = [
    "學校代碼",
    "學號",
    "姓名",
    "年級",
    "班級",
    "身分證統一編號",
    "監護人1姓名",
    "監護人1關係",
    "監護人1身分證統一編號",
    "監護人2姓名",
    "監護人2關係",
    "監護人2身分證統一編號",
]
# 內政部 letter codes and weights, written out here rather than imported: the generator is a
# second reading of the rule that the validator then checks.
LETTER_CODES = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=BUDGET_ROWS, help="students in the file")
    parser.add_argument("--schools", type=int, default=139, help="schools they are spread over")
    parser.add_argument(
        "--database-url",
        help=f"a PostgreSQL server (postgres://…); the benchmark uses a throwaway "
        f"'{BENCH_DATABASE}' database there instead of a temporary SQLite file",
    )
    parser.add_argument("--seed", type=int, default=20240901)
    args = parser.parse_args()

    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    cleanup = throwaway_database(args.database_url)
    try:
        return _run(args)
    finally:
        cleanup()


def throwaway_database(server_url: str | None, name: str = BENCH_DATABASE):
    """Point DATABASE_URL at a new, empty database (before django.setup()); return its cleanup."""
    if server_url is None:
        folder = Path(tempfile.mkdtemp(prefix="roster-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
        return lambda: shutil.rmtree(folder, ignore_errors=True)

    import psycopg

    parts = urlsplit(server_url)
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return drop


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from binding_forms.models import RegistryGuardian, School, Student
    from binding_forms.registry.roster import roster_import
    from binding_forms.registry.services import districts_load_csv, schools_load_csv

    # Production runs with DEBUG off; on, Django keeps every query's SQL in memory.
    settings.DEBUG = False
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    codes = list(School.objects.order_by("moe_code").values_list("moe_code", flat=True))
    if args.schools > len(codes):
        print(f"Only {len(codes)} schools in the data; using all of them.")
    codes = codes[: args.schools]
    if connection.vendor == "postgresql":
        version = connection.pg_version
        vendor = f"PostgreSQL {version // 10000}.{version % 100}"
    else:
        vendor = f"SQLite {connection.Database.sqlite_version}"
    print(f"Database: {vendor} (migrated in {time.perf_counter() - started:.1f} s)")

    started = time.perf_counter()
    data = roster_csv(rows=args.rows, school_codes=codes, rng=random.Random(args.seed))
    print(
        f"Roster: {args.rows:,} students in {len(codes)} schools, {len(data) / 1e6:.1f} MB "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )

    results = []
    for label in ("first import", "re-import"):
        started = time.perf_counter()
        report = roster_import(data=data, full=True)
        seconds = time.perf_counter() - started
        results.append(seconds)
        print(
            f"{label:>12}: {report.rows:,} rows in {seconds:.1f} s = "
            f"{report.rows / seconds:,.0f} rows/s  (created {report.created:,}, "
            f"updated {report.updated:,}, unchanged {report.unchanged:,}, left {report.left:,}, "
            f"errors {len(report.errors)})"
        )
        if report.errors:
            print(
                f"Unexpected bad rows, e.g. line {report.errors[0].line}: {report.errors[0].reason}"
            )
            return 2
    students, guardians = Student.objects.count(), RegistryGuardian.objects.count()
    print(f"Stored: {students:,} students, {guardians:,} guardians")
    if students != args.rows:
        print("Stored students do not match the file.")
        return 2

    needed = BUDGET_ROWS / BUDGET_SECONDS
    slowest = min(args.rows / seconds for seconds in results)
    projected = BUDGET_ROWS / slowest
    verdict = "PASS" if slowest >= needed else "FAIL"
    print(
        f"{verdict}: slowest {slowest:,.0f} rows/s, projected {projected:.1f} s for "
        f"{BUDGET_ROWS:,} students (budget {BUDGET_SECONDS:.0f} s, needs {needed:,.0f} rows/s)"
    )
    return 0 if verdict == "PASS" else 1


def roster_csv(*, rows: int, school_codes: list[str], rng: random.Random) -> bytes:
    """A UTF-8 roster of ``rows`` students spread evenly over the schools."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # as Excel writes it
    writer.writerow(HEADER)
    used_ids: set[str] = set()

    def new_id(gender: int) -> str:
        while True:
            id_number = tw_id(rng, gender)
            if id_number not in used_ids:
                used_ids.add(id_number)
                return id_number

    per_school, extra = divmod(rows, len(school_codes))
    for index, code in enumerate(school_codes):
        count = per_school + (index < extra)
        per_grade, grade_extra = divmod(count, 6)
        for grade in range(1, 7):
            in_grade = per_grade + (grade <= grade_extra)
            classes = max(1, round(in_grade / 25))
            entry_year = 114 - grade  # ROC year the class started
            for seat in range(in_grade):
                surname = person_surname(rng)
                gender = rng.choice((1, 2))
                guardians: list[str] = []
                father, mother = rng.choice(RELATIONSHIPS)
                if rng.random() < 0.6:  # both guardians: ~1.6 a student
                    guardians += [surname + given_name(rng), father, new_id(1)]
                    guardians += [person_surname(rng) + given_name(rng), mother, new_id(2)]
                elif rng.random() < 0.5:
                    guardians += [surname + given_name(rng), father, new_id(1), "", "", ""]
                else:
                    guardians += [person_surname(rng) + given_name(rng), mother, new_id(2)]
                    guardians += ["", "", ""]
                writer.writerow(
                    [
                        code,
                        f"{entry_year}{seat + 1:04d}",
                        surname + given_name(rng),
                        grade,
                        seat % classes + 1,
                        new_id(gender),
                        *guardians,
                    ]
                )
    return buffer.getvalue().encode()


def tw_id(rng: random.Random, gender: int) -> str:
    """A random national ID number with a correct check digit."""
    letter = rng.choice(tuple(LETTER_CODES))
    tens, units = divmod(LETTER_CODES[letter], 10)
    digits = [gender, *(rng.randrange(10) for _ in range(7))]
    total = tens + 9 * units + sum(w * d for w, d in zip(WEIGHTS, digits, strict=True))
    return f"{letter}{''.join(map(str, digits))}{-total % 10}"


def person_surname(rng: random.Random) -> str:
    return rng.choice(COMPOUND_SURNAMES) if rng.random() < 0.01 else rng.choice(SURNAMES)


def given_name(rng: random.Random) -> str:
    pool = RARE if rng.random() < 0.02 else GIVEN
    return rng.choice(pool) + (rng.choice(GIVEN) if rng.random() < 0.9 else "")


if __name__ == "__main__":
    sys.exit(main())

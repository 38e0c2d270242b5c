"""Compare the binding wizard with a Wagtail form page of the same fields, on one gunicorn server
and one PostgreSQL database, and print the throughput ratios against the goals.

Goals (the issue): the wizard's step GET serves at least 1.5 times, and its final POST at least
as many requests a second as Wagtail's ``AbstractEmailForm`` page with the same eleven fields.

The final POST is judged as production runs it: the request writes the application and its two
applicants and queues the review start (Wagtail's ``workflow.start``, some forty queries) for the
``db_worker`` (``TASK_BACKEND`` ``django_tasks_db.DatabaseBackend``), so the verdict compares (d')
with (c'). The same POST with the review started inside the request (the immediate backend, (d)
against (c)) is printed as information only: it measures the worker's job, not the parent's wait.

Run from the project root (PostgreSQL must be reachable; nothing else is touched):

    python benchmarks/wizard_vs_form.py
    python benchmarks/wizard_vs_form.py --duration 20 --rounds 5 --connections 8 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres

In one run it:

1. creates a throwaway database (``--database-name``, default ``portal_wizard_bench``; dropped at
   the end whatever happens; give a concurrent run from another checkout its own name),
   migrates it, loads the districts and schools, publishes the wizard under the home page with
   email codes off (so the applicants step's POST is the submit), keeps the school's review a
   migration assigns to applications (``SchoolOfficeTask``), and publishes
   ``benchmarks.peer.PeerFormPage`` (Wagtail's ``AbstractEmailForm``) beside it with the
   applicants step's eleven fields and a ``to_address``, so each submission sends a mail (to
   the in-memory backend both pages share);
2. creates student accounts and walks each through steps 1 and 2 with the services (student
   confirmed, consent agreed), with a session as ``login()`` leaves it (the sign-in form has a
   captcha) and a CSRF cookie, so every measured final POST submits a fresh application (a
   repeated POST would be a cheap no-op); passwords use the benchmark's fast hasher, since no
   measured request checks one;
3. counts the queries of one request of each kind (Django's test client, in a process set up
   like the server), which also checks that each answers as it should;
4. starts gunicorn (``portal.wsgi``, ``benchmarks.settings``: the production settings, DEBUG off,
   persistent database connections; 2 sync workers, which served best on 2 cores) on a free
   port of 127.0.0.1 and loads it with the same client and concurrency, after a warm-up,
   alternating the two pages for a few rounds: (a) GET of the Wagtail form page, (b) GET of the
   wizard's applicants step signed in, (c) valid POSTs of the Wagtail form page, (d) the
   wizard's final POSTs, one per student, with tasks run immediately (the review starts inside
   the request; information only); then restarts the same server with production's task backend
   (``django_tasks_db``) and measures (c') and (d') again, and times one ``db_worker --batch``
   running the queued review starts (and checks they all started a review);
5. prints requests per second (the median of the rounds), latencies, queries per request, the
   ratios, the goals and PASS/FAIL. Exit status: 0 both goals pass (step GET (b)/(a), final POST
   in production's configuration (d')/(c')), 1 a goal fails, 2 a request failed or the data does
   not add up.

The client is Python threads, one ``http.client`` connection each, on the same machine as the
server and the database; it takes the same share of the CPU for both pages.
"""

import argparse
import http.client
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))  # run as a script: the project and benchmarks.harness

from benchmarks.harness import (  # noqa: E402
    Load,
    Result,
    add_database_arguments,
    add_load_arguments,
    alternate,
    expect,
    others_cpu_share,
    parse_load_arguments,
    production_environment,
    run_on_throwaway_database,
    since,
    start_server,
)

BENCH_DATABASE = "portal_wizard_bench"
GOAL_GET = 1.5
GOAL_POST = 1.0
# Django 6's own immediate backend where it exists (a task takes its class from its backend).
IMMEDIATE = (
    "django.tasks.backends.immediate.ImmediateBackend"
    if importlib.util.find_spec("django.tasks")
    else "django_tasks.backends.immediate.ImmediateBackend"
)
DATABASE_QUEUE = "django_tasks_db.DatabaseBackend"

WIZARD_SLUG = "binding"
PEER_SLUG = "peer-form"
# The applicants of tests/binding_forms/test_wizard.py; both on every application.
FATHER = {
    "name": "陳大名",
    "relationship": "父女",
    "id_number": "A123456789",
    "mobile": "0912123456",
    "email": "alle@schoolsoft.com.tw",
}
MOTHER = {
    "name": "林美𠮷",
    "relationship": "母女",
    "id_number": "A228704139",
    "mobile": "+886 987 654 321",
    "email": "mei@example.com",
}
TWO_APPLICANTS = "0"  # 雙親為監護人，二位申請帳號: the first application type
APPLICANT_FIELDS = (  # the wizard's field, the peer's label, the peer's Wagtail field type
    ("name", "申請人姓名", "singleline"),
    ("relationship", "親屬關係", "dropdown"),
    ("id_number", "身分證字號", "singleline"),
    ("mobile", "手機", "singleline"),
    ("email", "電子郵件", "email"),
)
POSITIONS = ((1, "第一位"), (2, "第二位"))
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def main() -> int:
    if sys.argv[1:2] == ["--count-queries"]:  # the helper process of _count_queries()
        sys.path.insert(0, str(PROJECT_ROOT))
        print(json.dumps(_count_queries_here(json.loads(sys.argv[2]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, BENCH_DATABASE)
    add_load_arguments(parser, rounds_help="alternations of the two pages")
    parser.add_argument(
        "--students",
        type=int,
        default=10000,
        help="pre-walked students for each final-POST measurement (one POST each; at 250 POSTs "
        "a second the default rounds need about 9,000)",
    )
    parser.add_argument(
        "--no-workflow",
        action="store_true",
        help="no review workflow for applications (the review start then only saves a revision)",
    )
    parser.add_argument(
        "--no-route-memory",
        action="store_true",
        help="without binding_forms.routing.WizardRouteMiddleware: Wagtail's own routing only "
        "(to measure what the middleware gains)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=300.0,
        help="seconds one db_worker may take to run the queued review starts (0: skip)",
    )
    args = parse_load_arguments(parser)

    def environment(scratch: Path) -> dict[str, str]:
        env = _environment(args.database_url, args.database_name, scratch)
        if args.no_route_memory:
            env["BENCH_NO_ROUTE_MEMORY"] = "1"
        return env

    return run_on_throwaway_database(
        args, "wizard-bench-", environment, lambda env, scratch: _run(args, env, scratch)
    )


def _environment(server_url: str, name: str, scratch: Path) -> dict[str, str]:
    """What the set-up, gunicorn and the worker share: production settings plus the peer app,
    tasks run in the request unless a server is started with the database queue."""
    return {**production_environment(server_url, name, scratch), "TASK_BACKEND": IMMEDIATE}


# The data ---------------------------------------------------------------------------------------


@dataclass
class Visitor:
    """A browser signed in with a student account that stands at the applicants step."""

    student_id: int
    session_key: str
    csrf_secret: str  # the csrftoken cookie
    csrf_token: str  # the form's hidden csrfmiddlewaretoken (masked)


@dataclass
class Fixture:
    wizard_path: str
    done_path: str
    peer_path: str
    peer_post: dict[str, str]
    browsing: list[Visitor]  # one per connection, for the GETs
    probes: list[Visitor]  # for counting the queries of a final POST, two a task backend
    pools: dict[str, list[Visitor]]  # by task backend: one final POST each


def _build(args: argparse.Namespace) -> Fixture:
    from django.core.management import call_command
    from django.db import connection

    from binding_forms.binding.services import wizard_page_create
    from binding_forms.registry.services import districts_load_csv, schools_load_csv
    from home.models import HomePage

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    home = HomePage.objects.get()
    wizard = wizard_page_create(parent=home, slug=WIZARD_SLUG)
    wizard.verify_email = False  # no email codes: the applicants step's POST submits
    wizard.save_revision().publish()
    wizard.refresh_from_db()
    if args.no_workflow:
        _remove_review_workflow()
    peer, peer_post = _peer_page(home, wizard)
    print(f"Set-up: migrated; the wizard and the Wagtail form page published ({since(started)})")

    started = time.perf_counter()
    browsing, probes = args.connections, 4
    visitors = _students(wizard, count=browsing + probes + 2 * args.students)
    with connection.cursor() as cursor:  # fresh statistics; no autovacuum during the rounds
        cursor.execute("VACUUM ANALYZE")
    print(
        f"Set-up: {len(visitors):,} student accounts at the applicants step, each signed in; "
        f"vacuumed and analysed ({since(started)})"
    )
    first_pool = browsing + probes + args.students
    return Fixture(
        wizard_path=wizard.step_url(None, "applicants"),
        done_path=wizard.step_url(None, "done"),
        peer_path=peer.url,
        peer_post=peer_post,
        browsing=visitors[:browsing],
        probes=visitors[browsing : browsing + probes],
        pools={
            IMMEDIATE: visitors[browsing + probes : first_pool],
            DATABASE_QUEUE: visitors[first_pool:],
        },
    )


def _remove_review_workflow() -> None:
    """--no-workflow: unassign the school's review a migration assigns to applications."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import WorkflowContentType

    from binding_forms.models import Application

    WorkflowContentType.objects.filter(
        content_type=ContentType.objects.get_for_model(Application)
    ).delete()


def _peer_page(home, wizard):
    """Wagtail's email form page with the applicants step's eleven fields; and a valid POST."""
    from benchmarks.peer.models import PeerFormField, PeerFormPage

    types = [item.label for item in wizard.application_types.all()]
    relationships = [item.label for item in wizard.relationships.all()]
    page = PeerFormPage(
        title=wizard.title,
        slug=PEER_SLUG,
        intro=f"<p>{wizard.applicants_text}</p>",
        thank_you_text=f"<p>{wizard.success_text}</p>",
        to_address="registrar@example.com",
        from_address="noreply@example.com",
        subject="親子帳號綁定申請",
    )
    page.form_fields.add(
        PeerFormField(label="申請類別", field_type="radio", choices="\n".join(types))
    )
    for position, ordinal in POSITIONS:
        for _name, label, field_type in APPLICANT_FIELDS:
            page.form_fields.add(
                PeerFormField(
                    label=f"{ordinal}{label}",
                    field_type=field_type,
                    required=position == 1,  # as on the wizard: the second only for two
                    choices="\n".join(relationships) if field_type == "dropdown" else "",
                )
            )
    home.add_child(instance=page)
    page.save_revision().publish()

    fields = list(page.form_fields.all())
    assert len({item.clean_name for item in fields}) == 11, "two peer fields share a name"
    values = [types[int(TWO_APPLICANTS)]]
    for applicant in (FATHER, MOTHER):
        values += [applicant[name] for name, _label, _type in APPLICANT_FIELDS]
    return page, {item.clean_name: value for item, value in zip(fields, values, strict=True)}


def _students(wizard, *, count: int) -> list[Visitor]:
    """Student accounts with their own password, walked through steps 1 and 2 by the services,
    each with a signed-in session and a CSRF cookie.

    The sessions are written as ``django.contrib.auth.login()`` leaves them: the sign-in form has
    a captcha that production settings never waive. Passwords are hashed with the benchmark's
    fast hasher; no measured request checks one.
    """
    import random
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.base import VALID_KEY_CHARS
    from django.contrib.sessions.models import Session
    from django.db import transaction
    from django.http import HttpRequest
    from django.middleware.csrf import get_token
    from django.utils import timezone
    from django.utils.crypto import get_random_string
    from django.utils.module_loading import import_string

    from benchmarks.roster_import import tw_id
    from binding_forms.accounts.sign_in_name import student_username
    from binding_forms.binding.services import (
        application_confirm_student,
        application_for,
        application_record_consent,
    )
    from binding_forms.identity.personal_data import encrypt, id_number_digest
    from binding_forms.models import School, Student

    rng = random.Random(20240901)
    schools = list(School.objects.order_by("moe_code"))
    taken = {FATHER["id_number"], MOTHER["id_number"]}
    store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    in_database = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    visitors, sessions = [], []
    with transaction.atomic():
        rows = []
        for index in range(count):
            school = schools[index % len(schools)]
            number = f"113{index:05d}"
            while (id_number := tw_id(rng, rng.choice((1, 2)))) in taken:
                pass
            taken.add(id_number)
            user = get_user_model()(
                username=student_username(school.moe_code, f"P{number}"),
                password=make_password(f"Bench-{number}-pass"),
            )
            rows.append((user, school, number, id_number))
        get_user_model().objects.bulk_create([user for user, *_ in rows])
        students = Student.objects.bulk_create(
            Student(
                school=school,
                student_number=number,
                name=f"王小明{index}",
                grade=index % 6 + 1,
                class_number=index % 9 + 1,
                id_number_digest=id_number_digest(id_number),
                id_number_encrypted=encrypt(id_number),
                user=user,
            )
            for index, (user, school, number, id_number) in enumerate(rows)
        )
        for student, (user, *_rest) in zip(students, rows, strict=True):
            application = application_for(student=student, page=wizard, user=user)
            application_confirm_student(application=application)
            application_record_consent(application=application, page=wizard, agreed=True)

            data = {
                SESSION_KEY: user._meta.pk.value_to_string(user),
                BACKEND_SESSION_KEY: "binding_forms.accounts.backends.SignInNameBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
            }
            if in_database:  # the common case, written in bulk below
                key = get_random_string(32, VALID_KEY_CHARS)
                sessions.append(
                    Session(
                        session_key=key,
                        session_data=store_class().encode(data),
                        expire_date=expires,
                    )
                )
            else:  # REDIS_URL set: sessions in the cache
                store = store_class()
                store.update(data)
                store.create()
                key = store.session_key
            # The cookie and hidden field a browser holds after any page with a form.
            request = HttpRequest()
            token = get_token(request)
            visitors.append(Visitor(student.pk, key, request.META["CSRF_COOKIE"], token))
        Session.objects.bulk_create(sessions)
    return visitors


# What one request of each kind costs in queries -------------------------------------------------


def _count_queries(
    env: dict[str, str], fixture: Fixture, visitors: list[Visitor]
) -> dict[str, int]:
    """Queries of one request of each kind, counted through Django's test client in a fresh
    process configured like the server (the task backend decides what the final POST runs, and
    a task is bound to the backend configured when its module is first imported).
    Also checks that each request answers as it should; raises if not."""
    spec = {
        "peer_path": fixture.peer_path,
        "peer_post": fixture.peer_post,
        "wizard_path": fixture.wizard_path,
        "session_keys": [visitor.session_key for visitor in visitors],
        "wizard_post": _wizard_post(None),
    }
    done = subprocess.run(
        [sys.executable, __file__, "--count-queries", json.dumps(spec)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"counting queries with {env['TASK_BACKEND']} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _count_queries_here(spec: dict) -> dict[str, int]:
    import django

    django.setup()
    from django.core import mail
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def count(client, method, path, data=None, expect=200):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, data) if data else client.get(path)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: HTTP {response.status_code}, not {expect}")
        return len(queries)

    anonymous = Client(HTTP_HOST="127.0.0.1")
    count(anonymous, "get", spec["peer_path"])  # warm the caches (the site's root paths)
    counts = {"peer GET": count(anonymous, "get", spec["peer_path"])}
    counts["peer POST"] = count(anonymous, "post", spec["peer_path"], spec["peer_post"])
    if len(getattr(mail, "outbox", [])) != 1:
        raise RuntimeError("the Wagtail form page sent no mail")
    for session_key in spec["session_keys"]:  # the first warms this process's caches
        signed_in = Client(HTTP_HOST="127.0.0.1")
        signed_in.cookies["sessionid"] = session_key
        counts["wizard GET"] = count(signed_in, "get", spec["wizard_path"])
        counts["wizard POST"] = count(
            signed_in, "post", spec["wizard_path"], spec["wizard_post"], expect=302
        )
    return counts


def _wizard_post(visitor: Visitor | None) -> dict[str, str]:
    """What the applicants step sends (the tests' ``applicants_post``) for two applicants."""
    data = {"application_type": TWO_APPLICANTS, "action": "submit"}
    for (position, _ordinal), applicant in zip(POSITIONS, (FATHER, MOTHER), strict=True):
        for name, value in applicant.items():
            data[f"applicant{position}-{name}"] = value
    if visitor is not None:
        data["csrfmiddlewaretoken"] = visitor.csrf_token
    return data


def _peer_browsers(port: int, path: str, count: int) -> list[tuple[str, str]]:
    """One anonymous browser a connection: its CSRF cookie and the form's token, from a GET."""
    browsers = []
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        cookie = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie.load(header)
        browsers.append((cookie["csrftoken"].value, CSRF_INPUT.search(body).group(1).decode()))
    return browsers


def _get_loads(port: int, fixture: Fixture, queries: dict, connections: int) -> list[Load]:
    browsers = _peer_browsers(port, fixture.peer_path, connections)

    def peer_get(index: int):
        return fixture.peer_path, None, {"Cookie": f"csrftoken={browsers[index][0]}"}

    def wizard_get(index: int):
        visitor = fixture.browsing[index]
        cookie = f"sessionid={visitor.session_key}; csrftoken={visitor.csrf_secret}"
        return fixture.wizard_path, None, {"Cookie": cookie}

    return [
        Load(
            "(a) Wagtail form page GET",
            "GET",
            peer_get,
            expect(200, contains=b"csrfmiddlewaretoken"),
            queries["peer GET"],
        ),
        Load(
            "(b) wizard applicants step GET",
            "GET",
            wizard_get,
            expect(200, contains=b'name="applicant2-email"'),
            queries["wizard GET"],
        ),
    ]


def _post_loads(port: int, fixture: Fixture, queries: dict, tasks: str, connections: int):
    origin = f"http://127.0.0.1:{port}"  # browsers send it with every POST
    browsers = _peer_browsers(port, fixture.peer_path, connections)
    peer_bodies = [
        urlencode({**fixture.peer_post, "csrfmiddlewaretoken": token}).encode()
        for _cookie, token in browsers
    ]

    def peer_post(index: int):
        headers = {
            "Cookie": f"csrftoken={browsers[index][0]}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
        }
        return fixture.peer_path, peer_bodies[index], headers

    pool = iter(fixture.pools[tasks])
    lock = threading.Lock()

    def wizard_post(index: int):
        with lock:
            visitor = next(pool, None)
        if visitor is None:
            return None
        headers = {
            "Cookie": f"sessionid={visitor.session_key}; csrftoken={visitor.csrf_secret}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": origin,
        }
        return fixture.wizard_path, urlencode(_wizard_post(visitor)).encode(), headers

    where = "immediately" if tasks == IMMEDIATE else "queued in the database"
    return [
        Load(
            "(c) Wagtail form page POST",
            "POST",
            peer_post,
            expect(200, contains=b'class="success"'),
            queries["peer POST"],
        ),
        Load(
            f"(d) wizard final POST, review start {where}",
            "POST",
            wizard_post,
            expect(302, location=fixture.done_path),
            queries["wizard POST" if tasks == IMMEDIATE else "wizard POST queued"],
        ),
    ]


def _drain_queue(env: dict[str, str], timeout: float) -> tuple[str, list[str]]:
    """One db_worker runs the queued review starts, as production does behind the requests:
    what it did, and what went wrong (the worker's own output when it stopped early, review
    starts that failed or were left in the queue)."""
    from django_tasks_db.models import DBTaskResult

    review_starts = DBTaskResult.objects.filter(
        task_path="binding_forms.reviewed_forms.tasks.submission_review_start_task"
    )
    queued = review_starts.filter(status="READY").count()
    if not queued or timeout <= 0:
        return f"{queued:,} review starts queued, not run", []
    started = time.perf_counter()
    worker = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--backend",
            "background",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, errors = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.terminate()
        _out, errors = worker.communicate(timeout=20)
    seconds = time.perf_counter() - started
    left = review_starts.filter(status="READY").count()
    failed = review_starts.filter(status="FAILED").count()
    done = queued - left
    problems = []
    if worker.returncode != 0 or left:
        # A worker that stops at start-up (a system check, say) must not pass for a slow one.
        problems.append(
            f"the worker exited with status {worker.returncode} and left {left:,} of "
            f"{queued:,} review starts in the queue; its error output:\n{errors.strip()[-3000:]}"
        )
    if failed:
        problems.append(f"{failed:,} queued review starts failed in the worker")
    return (
        f"one db_worker ran {done:,} of {queued:,} queued review starts in {seconds:.1f} s = "
        f"{done / seconds:,.1f}/s, start-up included{f'; {failed} FAILED' if failed else ''}; "
        f"{left:,} left in the queue",
        problems,
    )


# The run ----------------------------------------------------------------------------------------


def _run(args: argparse.Namespace, env: dict[str, str], scratch: Path) -> int:
    import django

    django.setup()
    import gunicorn
    import wagtail
    from django.db import connection

    fixture = _build(args)
    queue_env = {**env, "TASK_BACKEND": DATABASE_QUEUE}
    queries = _count_queries(env, fixture, fixture.probes[:2])
    with_queue = _count_queries(queue_env, fixture, fixture.probes[2:])
    queries["wizard POST queued"] = with_queue["wizard POST"]

    version = connection.pg_version
    workers = f"{args.workers} {args.worker_class} workers" + (
        f" × {args.threads} threads" if args.worker_class == "gthread" else ""
    )
    busy = others_cpu_share()
    print(
        f"\nServer: gunicorn {gunicorn.__version__}, {workers}; Django {django.__version__}, "
        f"Wagtail {wagtail.__version__}, PostgreSQL {version // 10000}.{version % 100}; "
        f"{os.cpu_count()} CPUs"
        + (f", {busy:.0%} of them busy with other work just before" if busy is not None else "")
        + (
            "  (expect noise: the ratios hold up better than the rates)"
            if (busy or 0) > 0.1
            else ""
        )
    )
    print(
        f"Client: {args.connections} connections (Python threads, http.client), "
        f"{args.rounds} rounds of {args.warmup:g} s warm-up + {args.duration:g} s measured, "
        f"the two pages alternating; req/s is the median of the rounds\n"
    )

    server = start_server(args, env, scratch, ready_path=fixture.peer_path)
    try:
        get_loads = _get_loads(server.port, fixture, queries, args.connections)
        gets = alternate(get_loads, server.port, args)
        _print_all(gets, [load.queries for load in get_loads])
        post_loads = _post_loads(server.port, fixture, queries, IMMEDIATE, args.connections)
        posts = alternate(post_loads, server.port, args)
        _print_all(posts, [load.queries for load in post_loads])
    finally:
        server.stop()

    server = start_server(args, queue_env, scratch, ready_path=fixture.peer_path)
    try:
        queue_loads = _post_loads(server.port, fixture, queries, DATABASE_QUEUE, args.connections)
        queue_loads[0].label = "(c') Wagtail form page POST, second server"
        queue_loads[1].label = "(d') wizard final POST, review start queued in the database"
        queued = alternate(queue_loads, server.port, args)
        _print_all(queued, [load.queries for load in queue_loads])
    finally:
        server.stop()

    everything = gets + posts + queued
    for result in everything:
        if result.errors:
            print(f"\n{result.label}: {len(result.errors)} of {result.total} answers wrong, e.g.")
            for error in dict.fromkeys(result.errors[:50]):
                print(f"    {error}")
    problems = _check_database(fixture, posts + queued, workflow=not args.no_workflow)
    for problem in problems:
        print(f"\nData check: {problem}")
    worker, worker_problems = _drain_queue(queue_env, args.drain_timeout)
    print(f"\nWorker: {worker}\n")
    for problem in worker_problems:
        print(f"Worker check: {problem}\n")
    problems += worker_problems

    passed_get = _ratio("step GET", gets[1], gets[0], GOAL_GET)
    passed_post = _ratio(
        "final POST, review start queued (production)", queued[1], queued[0], GOAL_POST
    )
    _ratio("final POST, review start immediate (information)", posts[1], posts[0], None)
    if problems or any(result.errors or not result.rates for result in everything):
        print("INVALID: some requests failed or the data does not add up (see above).")
        return 2
    return 0 if passed_get and passed_post else 1


def _print_all(results: list[Result], queries: list[int]) -> None:
    for result, count in zip(results, queries, strict=True):
        rounds = ", ".join(f"{rate:.0f}" for rate in result.rates)
        note = (
            f"; students ran out {result.ran_out_after:.0f} s into a round"
            if result.ran_out_after is not None
            else ""
        )
        print(
            f"{result.label:<66} {result.rate:7.1f} req/s  [{rounds}]  "
            f"p50 {result.percentile(0.5):5.0f} ms  p99 {result.percentile(0.99):5.0f} ms  "
            f"{result.body_bytes / 1024:4.1f} KiB  {count:2d} queries{note}",
            flush=True,
        )


def _ratio(what: str, wizard: Result, peer: Result, goal: float | None) -> bool:
    """The verdict reads the median of the rounds' own ratios: each round measures the two pages
    back to back, so a burst of other work on the machine touches both sides of that round's
    ratio, where it would touch one side of a ratio of medians. Both are printed."""
    paired = [
        mine / theirs for mine, theirs in zip(wizard.rates, peer.rates, strict=False) if theirs
    ]
    ratio = statistics.median(paired) if paired else 0.0
    of_medians = wizard.rate / peer.rate if peer.rate else 0.0
    passed = goal is None or ratio >= goal
    verdict = "INFO" if goal is None else "PASS" if passed else "FAIL"
    rounds = ", ".join(f"{value:.2f}" for value in paired)
    print(
        f"{verdict}  {what}: wizard / Wagtail form page = {ratio:.2f}× (median of the rounds' "
        f"ratios [{rounds}]; medians {wizard.rate:.1f} / {peer.rate:.1f} = {of_medians:.2f}×)"
        + ("  (no goal: the worker's job)" if goal is None else f"  (goal ≥ {goal:.1f}×)")
    )
    return passed


def _check_database(fixture: Fixture, posts: list[Result], *, workflow: bool) -> list[str]:
    """The server did the work it answered for: an application with two applicants for each
    wizard POST (and its review started, when tasks ran immediately), a queued task otherwise,
    and a stored submission for each form POST."""
    from django_tasks_db.models import DBTaskResult
    from wagtail.contrib.forms.models import FormSubmission
    from wagtail.models import WorkflowState

    from binding_forms.models import Applicant, Application

    peer, wizard, peer_queued, wizard_queued = posts
    problems = []
    for tasks, result in ((IMMEDIATE, wizard), (DATABASE_QUEUE, wizard_queued)):
        answered = result.total - len(result.errors)
        students = [visitor.student_id for visitor in fixture.pools[tasks]]
        submitted = Application.objects.filter(student__in=students, submitted_at__isnull=False)
        if (count := submitted.count()) != answered:
            problems.append(f"{count:,} applications submitted for {answered:,} wizard POSTs")
        if (count := Applicant.objects.filter(application__in=submitted).count()) != 2 * answered:
            problems.append(f"{count:,} applicants on {answered:,} applications of two")
        if tasks == IMMEDIATE and workflow:
            ids = [str(pk) for pk in submitted.values_list("pk", flat=True)]
            if (count := WorkflowState.objects.filter(object_id__in=ids).count()) != answered:
                problems.append(f"{count:,} reviews started for {answered:,} applications")
        elif tasks == DATABASE_QUEUE and (count := DBTaskResult.objects.count()) < answered:
            problems.append(f"{count:,} review starts queued for {answered:,} wizard POSTs")
    answered = sum(result.total - len(result.errors) for result in (peer, peer_queued))
    stored = FormSubmission.objects.count() - 2  # two are the query counts'
    if stored != answered:
        problems.append(f"{stored:,} form submissions stored for {answered:,} form POSTs")
    return problems


if __name__ == "__main__":
    sys.exit(main())

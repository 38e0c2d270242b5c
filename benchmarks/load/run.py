"""Start-of-year load: N parents at once doing the handbook's whole path against the production
deployment (gunicorn + PostgreSQL + the task worker, on loopback) while the schools' registrars
approve in parallel and approved parents sign in; then the invariants, checked in the database.

Run from the project root (PostgreSQL must be reachable; nothing else is touched):

    python -m benchmarks.load.run                       # 200 parents, the production hasher
    python -m benchmarks.load.run --parents 20 --fast-hashing    # CI's short run (.ci/run)

What one run does:

1. creates a throwaway database (``--database-name``, dropped at the end whatever happens),
   migrates it, loads the city's schools, publishes the wizard (email codes on), creates one
   registrar per school (eight schools) with a confirmed authenticator, and the roster of
   ``--parents`` children in one bulk insert;
2. runs ``collectstatic`` and starts the Procfile's processes (``site/deploy/Procfile``): gunicorn
   with ``site/deploy/gunicorn.conf.py`` and ``manage.py task_worker``, under production settings
   (``benchmarks.load.settings``: plain http, the captcha in test mode, mail to files);
3. lets every parent loose at once (one thread each): the sign-in page, the child's account and
   ID with the captcha, the forced password change, 資訊正確, 本人同意, one applicant, the code
   read from the mail the site wrote, 設定親子帳號成功!; the registrars sign in (password and
   authenticator code) and approve what is under review, in bulk, until every parent is done;
   each parent waits for the approval mail and signs in on the parent tab (first password, forced
   change, the parent's home listing the child);
4. waits for the worker to drain, then checks: no 5xx, every journey completed, every
   submission present exactly once and whole, no duplicate accounts or links, every review
   started once and approved, every job done, every mail sent and received once;
5. prints requests per second and p50/p95/p99 per kind of request, the CPU each part used and
   the parents per minute a 2-core machine carries, against Taipei's start-of-year peak.

Exit status: 0 all invariants hold, 1 one does not.
"""

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.load import invariants, journeys, stack  # noqa: E402
from benchmarks.load.client import (  # noqa: E402
    TRACEBACK_MARKS,
    Browser,
    JourneyError,
    Mailbox,
    Recorder,
)

# Taipei's start of the school year (the assumption stated with the figure): about 300,000
# parents bind in the first weeks. Spread over 15 school days with a fifth of a day's parents in
# its busiest hour (evenings), the peak is 300,000 / 15 × 0.2 / 60 ≈ 67 parents a minute; if
# every parent came in the first three days, 333 a minute.
PEAK_PARENTS = 300_000
HASHING = {True: "fast hashing: NOT the production figure", False: "PBKDF2 as in production"}
BUSIEST_HOUR_SHARE = 0.2
PEAK_ASSUMPTIONS = (("15 school days", 15), ("the first 3 days only", 3))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parents", type=int, default=200)
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; the run's database is created there and dropped afterwards",
    )
    parser.add_argument("--database-name", default="portal_load")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (2 × cores + 1)")
    parser.add_argument(
        "--app-servers",
        type=int,
        default=1,
        help="gunicorn servers on different ports sharing the database; each person's requests "
        "go to each in turn (the scale-out; give --redis-url)",
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help="REDIS_URL for the app servers: cache and sessions in Redis, e.g. "
        "redis://127.0.0.1:6379/14 (started, or installed through apt, if missing)",
    )
    parser.add_argument(
        "--fast-hashing",
        action="store_true",
        help="MD5 instead of production's PBKDF2 for the password changes (CI's short run)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds the crowd may take")
    parser.add_argument("--seed", type=int, default=20260901)
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the clean-up runs on kill too
    scratch = Path(tempfile.mkdtemp(prefix="portal-load-"))
    extra = {"LOAD_FAST_HASHING": "1"} if args.fast_hashing else {}
    if args.redis_url:
        stack.redis_ensure(args.redis_url)
        extra["REDIS_URL"] = args.redis_url
    env = stack.environment(args.database_url, args.database_name, scratch, **extra)
    os.environ.update(env)
    drop = stack.database_create(args.database_url, args.database_name)
    deployment = stack.Stack(env, scratch)
    try:
        people, registrars = stack.seed(parents=args.parents, seed=args.seed)
        stack.collectstatic(env)
        servers = [deployment.web(workers=args.workers) for _ in range(args.app_servers)]
        deployment.worker()
        print(
            f"Set-up: {args.parents} parents of {len(registrars)} schools (a registrar each); "
            f"collectstatic; gunicorn ({args.workers} workers) at {', '.join(servers)}; "
            f"the task worker{'; cache and sessions in Redis' if args.redis_url else ''}"
        )
        meter = stack.CpuMeter(deployment, args.database_name)
        meter.start()
        outcome = crowd(
            people,
            registrars,
            servers=servers,
            mailbox=Mailbox(scratch / "mail"),
            timeout=args.timeout,
            seed=args.seed,
        )
        left = invariants.queue_drain()
        cpu = meter.stop()
        problems = outcome.problems()
        if left:
            problems.append(f"{left} worker jobs still queued after the drain")
        problems += invariants.check(
            people,
            approved=outcome.approved,
            mailbox=outcome.mailbox,
            signed_in=outcome.signed_in,
        )
        problems += [f"stopped by itself: {process}" for process in deployment.exited()]
        if args.app_servers > 1:
            problems += stack.scale_out_check(outcome.recorder, servers, args.redis_url)
        if traced := deployment.logs_with_tracebacks():
            problems.append(f"tracebacks in the logs of {traced}")
        report(args, outcome, cpu)
        for problem in problems:
            print(f"VIOLATION  {problem}")
        print("PASS: every invariant holds" if not problems else "FAIL")
        return 0 if not problems else 1
    finally:
        deployment.stop_all()
        if args.keep:
            print(f"Kept: database {args.database_name}, logs in {scratch}")
        else:
            drop()
            shutil.rmtree(scratch, ignore_errors=True)


def clean_retry_page(body: str) -> bool:
    """The 503 page: asks to retry, shows no traceback or internals."""
    return "請於幾秒後重新整理本頁" in body and not any(mark in body for mark in TRACEBACK_MARKS)


class Outcome:
    def __init__(self, people, mailbox: Mailbox):
        self.people = people
        self.mailbox = mailbox
        self.recorder = Recorder()
        self.bound: set[int] = set()
        self.approved: set[int] = set()
        self.signed_in: set[int] = set()
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.first_start = self.last_bound = self.last_done = 0.0
        self.unavailable_pages: list[str] = []

    def problems(self, *, retry_pages_allowed: bool = False) -> list[str]:
        """What went wrong on the people's side. ``retry_pages_allowed``: a 503 with the page
        asking to retry is a clean answer (the database restarting), any other 5xx is not."""
        problems = []
        errors = [
            (kind, status, body)
            for kind, status, body in self.recorder.server_errors
            if not (retry_pages_allowed and status == 503 and clean_retry_page(body))
        ]
        if errors:
            kinds = sorted({f"{kind} {status}" for kind, status, _ in errors})
            problems.append(f"{len(errors)} responses 5xx: {kinds[:8]}")
        if self.failures:
            problems.append(f"{len(self.failures)} journeys failed, e.g. {self.failures[:3]}")
        if len(self.signed_in) != len(self.people) and not self.failures:
            problems.append(f"{len(self.signed_in)} of {len(self.people)} parents signed in")
        return problems


def crowd(
    people,
    registrars,
    *,
    servers: list[str],
    mailbox: Mailbox,
    timeout: float,
    seed: int = 0,
    retry_unavailable: float = 0.0,
    on_start=None,
) -> Outcome:
    """Every parent at once (started within a second), the registrars alongside until every
    parent is done or failed. ``retry_unavailable``: seconds a person retries a 503;
    ``on_start``: called with the outcome as it starts (to watch the progress)."""
    outcome = Outcome(people, mailbox)
    if on_start is not None:
        on_start(outcome)
    stop = threading.Event()
    rng = random.Random(seed)
    offsets = [rng.random() for _ in people]  # within one second, not in lock-step

    def parent(person, offset):
        time.sleep(offset)
        browser = Browser(servers, outcome.recorder, retry_unavailable=retry_unavailable)
        try:
            journeys.parent_binds(browser, person, mailbox)
            with outcome.lock:
                outcome.bound.add(person.index)
                outcome.last_bound = time.time()
            journeys.parent_signs_in(browser, person, mailbox, timeout=timeout)
            with outcome.lock:
                outcome.signed_in.add(person.index)
                outcome.last_done = time.time()
        except JourneyError as error:
            with outcome.lock:
                outcome.failures.append(f"parent {person.index}: {error}")
        finally:
            browser.close()
            with outcome.lock:
                outcome.unavailable_pages += browser.unavailable_pages

    def registrar(account):
        browser = Browser(servers, outcome.recorder, retry_unavailable=retry_unavailable)
        try:
            journeys.registrar_approves(browser, account, stop)
        except JourneyError as error:
            with outcome.lock:
                outcome.failures.append(f"registrar {account.username}: {error}")
        finally:
            browser.close()
            with outcome.lock:
                outcome.unavailable_pages += browser.unavailable_pages

    outcome.first_start = time.time()
    threads = [
        threading.Thread(target=parent, args=(p, o), daemon=True)
        for p, o in zip(people, offsets, strict=True)
    ]
    helpers = [threading.Thread(target=registrar, args=(r,), daemon=True) for r in registrars]
    for thread in threads + helpers:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(deadline - time.monotonic(), 0.1))
    stop.set()
    for thread in helpers:
        thread.join(30)
    if alive := sum(t.is_alive() for t in threads):
        outcome.failures.append(f"{alive} parents still under way after {timeout:.0f} s")
    # What a registrar approved: every application that was sent (the invariants check it is).
    outcome.approved = set(outcome.signed_in) | _approved_in_database(people)
    return outcome


def _approved_in_database(people) -> set[int]:
    from django.db import close_old_connections

    from binding_forms.models import Application

    close_old_connections()
    numbers = set(
        Application.objects.filter(
            student__student_number__in=[p.student_number for p in people], live=True
        ).values_list("student__student_number", flat=True)
    )
    return {p.index for p in people if p.student_number in numbers}


def report(args, outcome: Outcome, cpu: dict | None) -> None:
    rows = outcome.recorder.table()
    total = sum(row[1] for row in rows)
    wall_bound = outcome.last_bound - outcome.first_start
    wall_all = (outcome.last_done or time.time()) - outcome.first_start
    print()
    print(f"{'request':58} {'count':>6} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, count, rate, p50, p95, p99 in rows:
        print(f"{kind[:58]:58} {count:6d} {rate:7.1f} {p50:8.0f} {p95:8.0f} {p99:8.0f}")
    print(
        f"{'all':58} {total:6d} {total / max(wall_all, 0.001):7.1f}"
        f"   (5xx: {len(outcome.recorder.server_errors)})"
    )
    print()
    print(
        f"Parents: {len(outcome.bound)} bound (設定親子帳號成功!) in {wall_bound:.1f} s, "
        f"{len(outcome.signed_in)} signed in after approval; all done in {wall_all:.1f} s"
    )
    if cpu is None:
        return
    server_cpu = sum(cpu.get(role, 0.0) for role in ("web", "worker", "postgresql"))
    print(
        "CPU seconds: "
        + ", ".join(f"{role} {cpu.get(role, 0.0):.1f}" for role in ("web", "worker", "postgresql"))
        + f"; the whole machine {cpu['machine busy (all processes)']:.1f} of "
        f"{cpu['wall'] * cpu['cores']:.1f} available ({cpu['cores']} cores × {cpu['wall']:.1f} s;"
        " includes the simulated people and anything else running)"
    )
    done = max(len(outcome.signed_in), 1)
    per_parent = server_cpu / done
    carried = 2 * 60 / per_parent if per_parent else 0.0
    print(
        f"Server CPU per parent (bind + approval + sign-in, worker and database included): "
        f"{per_parent:.2f} s → one 2-core machine carries about {carried:.0f} parents a minute "
        f"at full CPU ({HASHING[args.fast_hashing]})"
    )
    for label, days in PEAK_ASSUMPTIONS:
        peak = PEAK_PARENTS / days * BUSIEST_HOUR_SHARE / 60
        print(
            f"Taipei's start-of-year peak ({PEAK_PARENTS:,} parents over {label}, "
            f"{BUSIEST_HOUR_SHARE:.0%} of a day's in its busiest hour): "
            f"≈ {peak:.0f} parents a minute → {carried / peak:.1f}× that on one 2-core machine"
        )


if __name__ == "__main__":
    sys.exit(main())

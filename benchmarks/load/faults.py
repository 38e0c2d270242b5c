"""Faults during the load, each repeatable: the deployment of ``benchmarks.load.run`` with
parents binding and registrars approving, while

- ``postgres-restart``: PostgreSQL is restarted under the load (stopped fast, down ``--down`` s).
  The run uses a PostgreSQL cluster of its own (``pg_createcluster`` on a free port, dropped at
  the end), never the machine's shared one. Requests caught by the restart must answer 503 with
  the page asking to retry (no traceback, no other 5xx), the people retry as a parent would,
  and afterwards: no half-written application, every invariant of the load holds, /healthz
  answers 200 again by itself, the task worker outlived the restart.
- ``mail-outage``: the mail provider (a real SMTP server on loopback, aiosmtpd) refuses every
  message (451, try later) from the moment every parent has bound, for ``--outage`` seconds, while
  the registrars approve. The decisions stand, every mail is delivered after it recovers, none is
  lost and none is received twice.
- ``worker-kill``: the task worker is killed (SIGKILL) in the middle of a review start: the
  applications' rows are held locked so the job is caught inside its transaction, the worker is
  killed, the lock released, and the worker started again as systemd would. The job runs again
  (``manage.py task_worker`` queues a dead worker's jobs again) and its effect happens once: one
  review per application, every invariant holds.

    python -m benchmarks.load.faults postgres-restart
    python -m benchmarks.load.faults mail-outage --outage 20
    python -m benchmarks.load.faults worker-kill

Exit status: 0 the fault was survived as described, 1 it was not.
"""

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.load import invariants, stack  # noqa: E402
from benchmarks.load.client import Mailbox  # noqa: E402
from benchmarks.load.run import clean_retry_page, crowd, report  # noqa: E402

CLUSTER = "load_faults"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fault", choices=("postgres-restart", "mail-outage", "worker-kill"))
    parser.add_argument("--parents", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="the PostgreSQL server (postgres-restart makes a cluster of its own instead)",
    )
    parser.add_argument("--database-name", default="portal_faults")
    parser.add_argument("--outage", type=float, default=20.0, help="seconds the mail is down")
    parser.add_argument(
        "--down", type=float, default=3.0, help="seconds PostgreSQL stays down in its restart"
    )
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args(argv)
    args.fast_hashing = True  # the fault is under test, not the hasher's cost

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix=f"portal-{args.fault}-"))
    cleanups = [lambda: shutil.rmtree(scratch, ignore_errors=True)]
    try:
        extra = {"LOAD_FAST_HASHING": "1", "MAIL_RETRY_DELAY": "2"}
        cluster = None
        if args.fault == "postgres-restart":
            cluster = PrivateCluster()
            cleanups.append(cluster.drop)
            args.database_url = cluster.start()
        smtp = None
        if args.fault == "mail-outage":
            smtp = RefusingSmtp(scratch / "mail")
            extra["LOAD_SMTP_PORT"] = str(smtp.start())
            cleanups.append(smtp.stop)
        env = stack.environment(args.database_url, args.database_name, scratch, **extra)
        os.environ.update(env)
        cleanups.append(stack.database_create(args.database_url, args.database_name))
        deployment = stack.Stack(env, scratch)
        cleanups.append(deployment.stop_all)
        people, registrars = stack.seed(parents=args.parents)
        stack.collectstatic(env)
        server = deployment.web(workers=args.workers)
        worker = deployment.worker() if args.fault != "worker-kill" else None
        mailbox = Mailbox(scratch / "mail")
        fault = {
            "postgres-restart": lambda: postgres_restart(cluster, server, args.down),
            "mail-outage": lambda: mail_outage(smtp, args.outage),
            "worker-kill": lambda: worker_kill(deployment),
        }[args.fault]
        fault_problems: list[str] = []
        fired = threading.Event()

        def on_progress(outcome):
            # postgres-restart: once a third of the parents have bound, others still mid-way;
            # the other two: once every parent has bound (reviews queued, approvals to come).
            wanted = args.parents // 3 if args.fault == "postgres-restart" else args.parents
            if not fired.is_set() and len(outcome.bound) >= wanted:
                fired.set()
                threading.Thread(target=lambda: fault_problems.extend(fault()), daemon=True).start()

        watcher_stop = threading.Event()

        def watch(outcome):
            def loop():
                while not watcher_stop.wait(0.5):
                    on_progress(outcome)

            threading.Thread(target=loop, daemon=True).start()

        outcome = crowd(
            people,
            registrars,
            servers=[server],
            mailbox=mailbox,
            timeout=args.timeout,
            retry_unavailable=60.0 if args.fault == "postgres-restart" else 0.0,
            on_start=watch,
        )
        watcher_stop.set()
        if not fired.is_set():
            fault_problems.append("the fault never fired (the parents did not get far enough)")
        left = invariants.queue_drain()
        problems = outcome.problems(retry_pages_allowed=args.fault == "postgres-restart")
        problems += fault_problems
        if left:
            problems.append(f"{left} worker jobs still queued after the drain")
        problems += invariants.check(
            people, approved=outcome.approved, mailbox=mailbox, signed_in=outcome.signed_in
        )
        problems += [f"stopped by itself: {p}" for p in deployment.exited()]
        if args.fault == "postgres-restart":
            retry_pages = [b for _, s, b in outcome.recorder.server_errors if s == 503]
            print(
                f"During the restart: {len(retry_pages)} answers 503 with the retry page "
                f"({sum(map(clean_retry_page, retry_pages))} clean), "
                f"{len(outcome.unavailable_pages)} retried by the people"
            )
            if not retry_pages:
                problems.append("the restart caught no request (rerun with more --parents)")
            try:
                stack.wait_healthy(server, timeout=30)
                print("/healthz answers 200 again (by itself)")
            except RuntimeError as error:
                problems.append(str(error))
        if args.fault == "mail-outage":
            problems += mail_outage_check(smtp)
        if worker is not None and worker.popen.poll() is not None:
            problems.append("the task worker died")
        report(args, outcome, None)
        for problem in problems:
            print(f"VIOLATION  {problem}")
        print(f"PASS: {args.fault} survived" if not problems else f"FAIL: {args.fault}")
        return 0 if not problems else 1
    finally:
        for cleanup in reversed(cleanups):
            try:
                cleanup()
            except Exception as error:  # noqa: BLE001 (clean up the rest whatever happens)
                print(f"(clean-up: {type(error).__name__}: {error})", file=sys.stderr)


# PostgreSQL restarted -----------------------------------------------------------------------


class PrivateCluster:
    """A PostgreSQL cluster of the run's own (Debian's pg_createcluster), on a free port, with
    trust authentication on loopback; dropped at the end."""

    def __init__(self):
        self.version = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v))[-1]
        self.port = stack.free_port()

    def start(self) -> str:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, CLUSTER],
            capture_output=True,
            check=False,
        )
        subprocess.run(
            [
                "pg_createcluster",
                self.version,
                CLUSTER,
                "--port",
                str(self.port),
                "--start",
                "--",
                "--auth=trust",
            ],
            check=True,
            capture_output=True,
        )
        for _ in range(60):
            if self._ready():
                break
            time.sleep(0.5)
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _ready(self) -> bool:
        return (
            subprocess.run(
                ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)], check=False
            ).returncode
            == 0
        )

    def restart(self, down: float) -> float:
        """Stop the cluster (fast: its connections are cut), keep it down ``down`` seconds, start
        it again; return how long it was unreachable. The pause makes sure requests meet it: a
        bare restart takes a fraction of a second, which an idle machine's requests can miss."""
        started = time.perf_counter()
        for action, options in (("stop", ["-m", "fast"]), ("start", [])):
            subprocess.run(
                [
                    "pg_ctlcluster",
                    "--skip-systemctl-redirect",
                    self.version,
                    CLUSTER,
                    action,
                    *options,
                ],
                check=True,
            )
            if action == "stop":
                time.sleep(down)
        return time.perf_counter() - started

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, CLUSTER], capture_output=True, check=False
        )


def postgres_restart(cluster: PrivateCluster, server: str, down: float) -> list[str]:
    seconds = cluster.restart(down)
    print(
        f"PostgreSQL restarted (pg_ctlcluster stop -m fast, {down:g} s down, start; "
        f"{seconds:.1f} s unreachable)"
    )
    return []


# Mail provider down -------------------------------------------------------------------------


class RefusingSmtp:
    """A real SMTP server on loopback (aiosmtpd) that answers 451 (try later) while ``down``,
    and otherwise writes each message as a file the people's mailbox reads."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(exist_ok=True)
        self.down = False
        self.refused = 0
        self.accepted = 0
        self.accepted_during_outage = 0

    def start(self) -> int:
        from aiosmtpd.controller import Controller

        smtp = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
                if smtp.down:
                    smtp.refused += 1
                    return "451 4.3.0 Mail provider unavailable, try again later"
                smtp.accepted += 1
                name = f"{time.time_ns()}-{smtp.accepted}"
                part = smtp.directory / f"{name}.part"
                part.write_bytes(
                    envelope.original_content.replace(b"\r\n", b"\n") + b"\n" + b"-" * 79 + b"\n"
                )
                part.rename(part.with_suffix(".eml"))
                return "250 OK"

        port = stack.free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.controller.start()
        return port

    def stop(self) -> None:
        self.controller.stop()


def mail_outage(smtp: RefusingSmtp, seconds: float) -> list[str]:
    smtp.down = True
    print(f"Mail provider down (451 to every message) for {seconds:.0f} s")
    time.sleep(seconds)
    smtp.down = False
    print(f"Mail provider back: {smtp.refused} messages were refused meanwhile")
    return []


def mail_outage_check(smtp: RefusingSmtp) -> list[str]:
    from review_workflow.models import OutgoingMail

    retried = OutgoingMail.objects.filter(attempts__gt=1).count()
    print(
        f"Mail: {smtp.refused} refusals, {smtp.accepted} accepted; {retried} notification "
        f"mails needed more than one attempt"
    )
    if not smtp.refused or not retried:
        return ["the outage refused no notification mail: it tested nothing"]
    return []


# The worker killed mid-job --------------------------------------------------------------------


def worker_kill(deployment: stack.Stack) -> list[str]:
    """Every parent has submitted and no worker runs: lock the applications, start a worker,
    wait until it is inside a review start (blocked on the lock), kill it, release, restart."""
    import psycopg
    from django.db import close_old_connections
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    problems = []
    url = os.environ["DATABASE_URL"]
    with psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM binding_forms_application FOR UPDATE").fetchall()
        victim = deployment.worker()
        caught = None
        for _ in range(240):
            close_old_connections()
            caught = DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING, task_path__endswith="submission_review_start_task"
            ).first()
            if caught is not None:
                break
            time.sleep(0.25)
        if caught is None:
            holder.rollback()
            return ["the worker never started a review start"]
        time.sleep(1.0)  # inside the job's transaction, waiting for the row
        os.killpg(victim.popen.pid, signal.SIGKILL)
        victim.popen.wait()
        victim.stopped = True
        print(f"Task worker killed (SIGKILL) inside job {caught.pk}")
        holder.rollback()
    close_old_connections()
    caught.refresh_from_db()
    if caught.status != TaskResultStatus.RUNNING:
        problems.append(f"the killed job is {caught.status}, not left RUNNING by the dead worker")
    deployment.worker()  # what systemd's Restart=always does
    for _ in range(240):
        close_old_connections()
        caught.refresh_from_db()
        if caught.status == TaskResultStatus.SUCCESSFUL:
            break
        time.sleep(0.25)
    print(
        f"The killed job ran again: {caught.status}, workers {len(caught.worker_ids)} "
        f"({', '.join(w.split(':')[1] for w in caught.worker_ids)})"
    )
    if caught.status != TaskResultStatus.SUCCESSFUL or len(caught.worker_ids) != 2:
        problems.append("the killed job did not run again to success in the next worker")
    return problems


if __name__ == "__main__":
    sys.exit(main())

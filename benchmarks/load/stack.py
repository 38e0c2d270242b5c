"""The production deployment of the README, started for real on loopback: a throwaway
PostgreSQL database, ``collectstatic``, the Procfile's processes (gunicorn with
``site/deploy/gunicorn.conf.py`` and ``manage.py task_worker``) under the production settings
(``benchmarks.load.settings``), each app server answering ``/healthz`` before a person arrives.
Also: the roster seeded in bulk, the registrars with their authenticators, and the CPU the
processes use.
"""

import os
import random
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROCFILE = PROJECT_ROOT / "site" / "deploy" / "Procfile"
REGISTRAR_PASSWORD = "load-registrar-" + secrets.token_urlsafe(12)  # noqa: S105
# Eight of the city's schools (MOE codes, in 松山區 and 信義區), one registrar each.
SCHOOLS = ["313601", "313602", "313604", "313605", "313606", "323601", "323603", "323604"]


@dataclass
class Person:
    """A parent of the run: the child's student account and the one applicant they name."""

    index: int
    moe_code: str
    school_id: int
    student_number: str
    child_id: str
    parent_id: str
    email: str

    @property
    def account(self) -> str:
        return f"P{self.student_number}"

    @property
    def first_parent_password(self) -> str:
        return self.parent_id[-6:]


@dataclass
class Registrar:
    username: str
    moe_code: str
    totp_key: str


def database_create(server_url: str, name: str):
    """Create ``name`` on the server; returns the function that drops it."""
    import psycopg

    maintenance = urlunsplit(urlsplit(server_url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop():
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        try:
            with psycopg.connect(maintenance, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except psycopg.Error as error:
            print(f"(could not drop {name}: {error})", file=sys.stderr)

    return drop


def environment(server_url: str, name: str, scratch: Path, **extra: str) -> dict[str, str]:
    """What the set-up, the app servers and the worker share (the README's variables)."""
    (scratch / "mail").mkdir(exist_ok=True)
    return {
        "DJANGO_SETTINGS_MODULE": "benchmarks.load.settings",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PERSONAL_DATA_KEY": secrets.token_urlsafe(32),
        "OIDC_RSA_PRIVATE_KEY": _signing_key(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": urlunsplit(urlsplit(server_url)._replace(path=f"/{name}")),
        "TASK_BACKEND": "django_tasks_db.DatabaseBackend",
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
        "LOAD_MAIL_DIR": str(scratch / "mail"),
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",
        "GUNICORN_ACCESS_LOG": "",
        **extra,
    }


def _signing_key() -> str:
    """A fresh RSA key for the single sign-on (production refuses to start without one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def seed(*, parents: int, seed: int = 20260901, verify_email: bool = True):
    """Migrate, load the schools, publish the wizard, create the registrars (with a confirmed
    authenticator each) and the roster of ``parents`` children in bulk. Returns (people,
    registrars)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.roster_import import tw_id
    from binding_forms.binding.services import wizard_page_create
    from binding_forms.identity.personal_data import encrypt, id_number_digest
    from binding_forms.models import School, Student
    from binding_forms.registry.services import districts_load_csv, schools_load_csv, staff_assign
    from home.models import HomePage

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - started
    districts_load_csv()
    schools_load_csv()
    wizard = wizard_page_create(parent=HomePage.objects.get())
    if not verify_email:
        wizard.verify_email = False
        wizard.save_revision().publish()
    schools = {s.moe_code: s for s in School.objects.filter(moe_code__in=SCHOOLS)}
    registrars = []
    group = Group.objects.get(name="Registrars")
    for moe_code in SCHOOLS:
        user = get_user_model().objects.create_user(
            f"registrar-{moe_code}", password=REGISTRAR_PASSWORD, is_staff=True
        )
        user.groups.add(group)
        staff_assign(user=user, school=schools[moe_code])
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        registrars.append(Registrar(user.username, moe_code, device.key))

    roster_started = time.perf_counter()
    rng = random.Random(seed)
    people, students, used = [], [], set()

    def fresh_id(gender):
        while (value := tw_id(rng, gender)) in used:
            pass
        used.add(value)
        return value

    for index in range(parents):
        moe_code = SCHOOLS[index % len(SCHOOLS)]
        number = f"114{index:05d}"
        child_id, parent_id = fresh_id(rng.choice((1, 2))), fresh_id(1)
        students.append(
            Student(
                school=schools[moe_code],
                student_number=number,
                name=f"王小明{index}",
                grade=index % 6 + 1,
                class_number=index % 9 + 1,
                id_number_digest=id_number_digest(child_id),
                id_number_encrypted=encrypt(child_id),
            )
        )
        people.append(
            Person(
                index=index,
                moe_code=moe_code,
                school_id=schools[moe_code].pk,
                student_number=number,
                child_id=child_id,
                parent_id=parent_id,
                email=f"parent{index}@load.example",
            )
        )
    Student.objects.bulk_create(students, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    print(
        f"Set-up: migrated in {migrated:.1f} s; the roster of {parents} children (digests and "
        f"encrypted IDs, one bulk insert) in {time.perf_counter() - roster_started:.1f} s"
    )
    return people, registrars


def collectstatic(env: dict[str, str]) -> None:
    """What the deployment runs before starting the app servers (WhiteNoise's manifest)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        check=True,
    )


def procfile() -> dict[str, str]:
    """The Procfile's processes by name (what the README and the systemd units run)."""
    lines = PROCFILE.read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and ":" in line)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path
    stopped: bool = False


@dataclass
class Stack:
    """The Procfile's processes, started and stopped by the script."""

    env: dict[str, str]
    scratch: Path
    processes: list[Process] = field(default_factory=list)

    def start(self, kind: str, **extra: str) -> Process:
        command = procfile()[kind]
        venv_bin = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            **self.env,
            **extra,
            "PATH": f"{venv_bin}:{os.environ.get('PATH', '')}",
        }
        name = f"{kind}-{len(self.processes)}"
        log = self.scratch / f"{name}.log"
        popen = subprocess.Popen(  # noqa: S603 (the repository's own Procfile)
            shlex.split(command),
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(name, popen, log)
        self.processes.append(process)
        return process

    def web(self, *, workers: int) -> str:
        """An app server on a free port, answering /healthz; returns ``127.0.0.1:port``."""
        port = free_port()
        process = self.start("web", PORT=str(port), GUNICORN_WORKERS=str(workers))
        address = f"127.0.0.1:{port}"
        wait_healthy(address, process)
        return address

    def worker(self) -> Process:
        return self.start("worker")

    def stop(self, process: Process, sig: int = signal.SIGTERM) -> None:
        process.stopped = True
        if process.popen.poll() is None:
            os.killpg(process.popen.pid, sig)
            try:
                process.popen.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.popen.pid, signal.SIGKILL)
                process.popen.wait()

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            self.stop(process)

    def exited(self) -> list[str]:
        """The processes that stopped by themselves (none should)."""
        return [
            f"{p.name} (exit {p.popen.returncode}): {p.log.read_text('utf-8', 'replace')[-300:]}"
            for p in self.processes
            if p.popen.poll() is not None and not p.stopped
        ]

    def logs_with_tracebacks(self) -> list[str]:
        return [
            p.name for p in self.processes if "Traceback" in p.log.read_text("utf-8", "replace")
        ]


def wait_healthy(address: str, process: Process | None = None, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://{address}/healthz", timeout=5) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{address} did not answer /healthz within {timeout:.0f} s")


class CpuMeter:
    """CPU seconds of the run's processes (the Procfile's and their children, and the database
    server's processes serving the run's database), read from /proc once a second so processes
    that end (a recycled gunicorn worker) still count; and of the whole machine."""

    def __init__(self, stack: Stack, database: str):
        self.stack = stack
        self.database = database
        self.ticks = os.sysconf("SC_CLK_TCK")
        self.seen: dict[int, tuple[str, float]] = {}
        self.running = False
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self.machine_start = _machine_busy()
        self.wall_start = time.monotonic()
        self.running = True
        self._sample()
        self.baseline = dict(self.seen)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        self.running = False
        self.thread.join()
        self._sample()
        used: dict[str, float] = {}
        for pid, (role, seconds) in self.seen.items():
            before = self.baseline.get(pid, (role, 0.0))[1]
            used[role] = used.get(role, 0.0) + seconds - before
        busy, total = _machine_busy()
        used["machine busy (all processes)"] = (busy - self.machine_start[0]) / self.ticks
        used["wall"] = time.monotonic() - self.wall_start
        used["cores"] = os.cpu_count() or 1
        return used

    def _loop(self) -> None:
        while self.running:
            self._sample()
            time.sleep(1.0)

    def _sample(self) -> None:
        roots = {p.popen.pid: p.name.split("-")[0] for p in self.stack.processes}
        for stat_path in Path("/proc").glob("[0-9]*/stat"):
            try:
                stat = stat_path.read_text()
                cmdline = (stat_path.parent / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            pid = int(stat_path.parent.name)
            fields = stat[stat.rindex(")") + 2 :].split()
            ppid, utime, stime = int(fields[1]), int(fields[11]), int(fields[12])
            role = roots.get(pid) or roots.get(ppid)
            if role is None and re.search(
                rb"postgres: .* " + self.database.encode() + rb" ", cmdline
            ):
                role = "postgresql"
            if role is not None:
                self.seen[pid] = (role, (utime + stime) / self.ticks)


def _machine_busy() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def redis_ensure(url: str) -> None:
    """Redis at ``url`` answers, started (and installed through apt) if it was missing."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
        return
    except redis.ConnectionError:
        pass
    if shutil.which("redis-server") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True)
    port = urlsplit(url).port or 6379
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port)],
        check=True,
    )
    for _ in range(50):
        try:
            client.ping()
            return
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"Redis did not start at {url}")


def scale_out_check(recorder, servers: list[str], redis_url: str) -> list[str]:
    """Every app server served its share of each session, and the sessions lived in Redis
    (none in the database)."""
    import redis
    from django.contrib.sessions.models import Session
    from django.db import close_old_connections

    problems = []
    served = dict.fromkeys(servers, 0)
    for sample in recorder.samples:
        served[sample.server] = served.get(sample.server, 0) + 1
    total = sum(served.values())
    print("Requests per app server: " + ", ".join(f"{s} {n}" for s, n in served.items()))
    for server, count in served.items():
        if count < total / len(servers) * 0.8:
            problems.append(f"{server} served {count} of {total} requests")
    if redis_url:
        keys = sum(1 for _ in redis.Redis.from_url(redis_url).scan_iter("*sessions.cache*"))
        print(f"Sessions in Redis: {keys}")
        if not keys:
            problems.append("no session in Redis")
        close_old_connections()
        if rows := Session.objects.count():
            problems.append(f"{rows} sessions in the database (Redis should hold them)")
    return problems

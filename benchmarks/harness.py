"""What every benchmark here shares: a throwaway PostgreSQL database, the production-like
environment (benchmarks/settings.py), a gunicorn server on a free port of 127.0.0.1, and the
closed-loop HTTP client that loads it (Python threads, one ``http.client`` connection each).

One client for every benchmark, so their ratios compare like with like.
"""

import argparse
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def production_environment(server_url: str, name: str, scratch: Path) -> dict[str, str]:
    """The environment production refuses to start without, made up for one run: the secrets,
    the host, the throwaway database, and a signing key for the single sign-on (its system
    check, single_sign_on.E001, stops ``manage.py`` commands such as ``db_worker`` without one)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    parts = urlsplit(server_url)
    (scratch / "static").mkdir(exist_ok=True)
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "PERSONAL_DATA_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}")),
        "OIDC_RSA_PRIVATE_KEY": signing_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "PORTAL_VAR_DIR": str(scratch / "var"),
        "LOG_LEVEL": "WARNING",
        "PYTHONWARNINGS": "ignore",  # Django 6.1's mail deprecation notices, once per process
    }


def database_name(value: str) -> str:
    """An argparse type: a throwaway database's name, safe to put in DROP/CREATE DATABASE."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", value):
        raise argparse.ArgumentTypeError("lower-case letters, digits and _ only")
    return value


def add_database_arguments(parser: argparse.ArgumentParser, default_name: str) -> None:
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server; the benchmark's database is created there, dropped afterwards",
    )
    parser.add_argument(
        "--database-name",
        default=default_name,
        type=database_name,
        help="the throwaway database's name (give each concurrent run its own; default: "
        f"{default_name})",
    )


def add_load_arguments(parser: argparse.ArgumentParser, *, rounds_help: str = "") -> None:
    """The client's rounds and the gunicorn server's workers, alike for every ratio."""
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds a round")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before")
    parser.add_argument("--rounds", type=int, default=3, help=rounds_help or None)
    parser.add_argument("--connections", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync", choices=("sync", "gthread"))
    parser.add_argument("--threads", type=int, default=1, help="threads of a gthread worker")


def parse_load_arguments(parser: argparse.ArgumentParser) -> argparse.Namespace:
    args = parser.parse_args()
    if args.worker_class == "sync":
        args.threads = 1
    return args


def run_on_throwaway_database(
    args: argparse.Namespace,
    prefix: str,
    environment: Callable[[Path], dict[str, str]],
    run: Callable[[dict[str, str], Path], int],
) -> int:
    """``run(env, scratch)`` with a scratch folder, the environment ``environment(scratch)``
    (also set in this process, for its own ``django.setup()``) and a fresh database named by
    ``args``; the folder and the database are gone afterwards, on SIGTERM too."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the clean-up runs on kill too
    scratch = Path(tempfile.mkdtemp(prefix=prefix))
    env = environment(scratch)
    os.environ.update(env)
    try:
        drop_database = create_database(args.database_url, args.database_name)
        try:
            return run(env, scratch)
        finally:
            drop_database()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def create_database(server_url: str, name: str):
    import psycopg

    maintenance = urlunsplit(urlsplit(server_url)._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return drop


# The server -------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's arbiter stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=20)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(args, env: dict[str, str], scratch: Path, *, ready_path: str) -> Server:
    port = free_port()
    log = scratch / f"gunicorn-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        f"--worker-class={args.worker_class}",
        f"--threads={args.threads}",
        f"--chdir={PROJECT_ROOT}",
        "--backlog=256",
        "--timeout=60",
        "--graceful-timeout=5",
        "--log-level=warning",
        f"--error-logfile={log}",
    ]
    process = subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(process=process, port=port, log=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", ready_path)
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                warm(port, ready_path)
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
    raise RuntimeError(f"gunicorn did not serve {ready_path} on port {port}:\n{tail}")


def warm(port: int, path: str) -> None:
    """Some GETs from a few connections at once, so every worker has imported, connected and
    compiled its templates before anything is measured (the rounds' warm-ups do the rest)."""

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(15):
            connection.request("GET", path)
            connection.getresponse().read()
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


# The load ---------------------------------------------------------------------------------------

# next_request(connection index) → (path, body, headers), or None when nothing is left to send.
NextRequest = Callable[[int], tuple[str, bytes | None, dict[str, str]] | None]
# check(status, response, body) → what is wrong, or None.
Check = Callable[[int, http.client.HTTPResponse, bytes], str | None]


@dataclass
class Load:
    label: str
    method: str
    next_request: NextRequest
    check: Check
    queries: int = 0


@dataclass
class Result:
    label: str
    rates: list[float] = field(default_factory=list)  # one a round
    measured: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    total: int = 0  # answered, warm-ups included
    body_bytes: int = 0
    ran_out_after: float | None = None  # seconds into a round when the students ran out

    @property
    def rate(self) -> float:
        return statistics.median(self.rates) if self.rates else 0.0

    def percentile(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


def run_load(load: Load, port: int, args, result: Result) -> None:
    """One round, closed loop: each connection sends its next request as soon as the last one is
    answered; answers that arrive in the measured window (after the warm-up) are counted."""
    started = time.perf_counter()
    measure_from = started + args.warmup
    stop_at = measure_from + args.duration
    records: list[list[tuple[float, float, str | None, int]]] = [
        [] for _ in range(args.connections)
    ]

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while time.perf_counter() < stop_at:
                request = load.next_request(index)
                if request is None:
                    return
                path, body, headers = request
                sent = time.perf_counter()
                try:
                    connection.request(load.method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    data = response.read()
                    error = load.check(response.status, response, data)
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    data, error = b"", f"{type(exc).__name__}: {exc}"
                done = time.perf_counter()
                records[index].append((done, done - sent, error, len(data)))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=client, args=(index,), daemon=True)
        for index in range(args.connections)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.warmup + args.duration + 60)

    answered = [record for thread in records for record in thread]
    result.total += len(answered)
    result.errors += [error for _done, _latency, error, _size in answered if error]
    window = [record for record in answered if measure_from <= record[0] <= stop_at]
    last = max((record[0] for record in answered), default=started)
    if last < stop_at - 0.5:  # the students ran out: only the time they lasted counts
        result.ran_out_after = last - started
        seconds = last - measure_from
    else:
        seconds = args.duration
    if window and seconds > 0:
        result.rates.append(len(window) / seconds)
        result.measured += len(window)
        result.seconds += seconds
        result.latencies += [latency for _done, latency, _error, _size in window]
        result.body_bytes = int(statistics.median(size for *_rest, size in window))


def alternate(loads: list[Load], port: int, args) -> list[Result]:
    """The loads one after the other, ``args.rounds`` times: a drift of the machine (other
    processes, the database growing) then touches all of them alike."""
    results = [Result(label=load.label) for load in loads]
    for _round in range(args.rounds):
        for load, result in zip(loads, results, strict=True):
            run_load(load, port, args, result)
    return results


def expect(status: int, *, contains: bytes = b"", location: str = "") -> Check:
    def check(got: int, response: http.client.HTTPResponse, body: bytes) -> str | None:
        if got != status:
            where = response.getheader("Location") or body[:200].decode(errors="replace")
            return f"HTTP {got} (expected {status}): {where}"
        if contains and contains not in body:
            return f"HTTP {got} without {contains!r}"
        if location and not (response.getheader("Location") or "").endswith(location):
            return f"redirected to {response.getheader('Location')} instead of …{location}"
        return None

    return check


def others_cpu_share(seconds: float = 2.0) -> float | None:
    """How busy the CPUs are while this benchmark sits idle: other processes' share (Linux)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:]]
        idle = ticks[3] + ticks[4]  # idle, iowait
        return sum(ticks) - idle, sum(ticks)

    try:
        busy_before, total_before = sample()
        time.sleep(seconds)
        busy_after, total_after = sample()
    except (OSError, IndexError, ValueError):
        return None
    return (busy_after - busy_before) / max(1, total_after - total_before)


def since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"

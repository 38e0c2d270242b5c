"""The simulated people's side: an HTTP client that records every request, the mailbox they read
their codes and approvals from, and what the run measured.

Plain ``http.client`` (one keep-alive connection per person and server, cookies kept by hand):
nothing between the script and the server but the socket, and the same client for every kind of
request. Redirects are followed one request at a time, so each is measured as its own kind.
"""

import email
import email.policy
import http.client
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CAPTCHA_KEY = re.compile(r'name="captcha_0" value="([0-9a-f]+)"')
TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/', "django.db.utils")


class JourneyError(Exception):
    """A step did not answer as the handbook says (a bug, or a 5xx): the journey stops."""


@dataclass
class Sample:
    kind: str
    status: int
    seconds: float
    started: float
    server: str = ""


@dataclass
class Recorder:
    """Every request of the run, for the latency table and the 5xx count."""

    samples: list[Sample] = field(default_factory=list)
    server_errors: list[tuple[str, int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample, body: str) -> None:
        with self.lock:
            self.samples.append(sample)
            if sample.status >= 500:
                self.server_errors.append((sample.kind, sample.status, body[:2000]))

    def table(self, since: float = 0.0, until: float = float("inf")) -> list[tuple]:
        """(kind, count, per second over the window, p50, p95, p99 in ms) per kind of request."""
        by_kind = defaultdict(list)
        chosen = [s for s in self.samples if since <= s.started <= until]
        if not chosen:
            return []
        window = max(s.started + s.seconds for s in chosen) - min(s.started for s in chosen)
        for sample in chosen:
            by_kind[sample.kind].append(sample.seconds * 1000)
        rows = []
        for kind in sorted(by_kind):
            values = sorted(by_kind[kind])
            rows.append(
                (
                    kind,
                    len(values),
                    len(values) / window,
                    percentile(values, 50),
                    percentile(values, 95),
                    percentile(values, 99),
                )
            )
        return rows


def percentile(sorted_values: list[float], p: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[int(p) - 1]


class Browser:
    """One person's browser: cookies, one connection per server, every request recorded.

    ``servers`` is a list of ``host:port``; with more than one, each request goes to the next
    (the scale-out: one session served by two app servers in turn)."""

    def __init__(self, servers: list[str], recorder: Recorder, *, retry_unavailable: float = 0):
        self.servers = servers
        self.turn = 0
        self.connections: dict[str, http.client.HTTPConnection] = {}
        self.cookies: dict[str, str] = {}
        self.recorder = recorder
        # Seconds a request is retried while the site answers 503 (the database restarting).
        self.retry_unavailable = retry_unavailable
        self.unavailable_pages: list[str] = []

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()

    def _connection(self, server: str) -> http.client.HTTPConnection:
        if server not in self.connections:
            host, port = server.split(":")
            self.connections[server] = http.client.HTTPConnection(host, int(port), timeout=600)
        return self.connections[server]

    def request(self, kind: str, method: str, path: str, data: dict | None = None):
        """One request; returns (status, location, body). A 503 is retried for up to
        ``retry_unavailable`` seconds, as a parent would press the button again."""
        deadline = time.monotonic() + self.retry_unavailable
        while True:
            status, location, body = self._once(kind, method, path, data)
            if status != 503 or time.monotonic() > deadline:
                return status, location, body
            self.unavailable_pages.append(body)
            time.sleep(1.0)

    def _once(self, kind, method, path, data):
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        headers = {"Host": "127.0.0.1", "Accept-Language": "zh-TW"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1{path}"
        for attempt in (1, 2):
            connection = self._connection(server)
            started = time.time()
            clock = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
                break
            except (ConnectionError, http.client.HTTPException, TimeoutError, OSError) as error:
                # The server closed a kept-alive connection (a worker recycled): a fresh one.
                connection.close()
                del self.connections[server]
                if attempt == 2:
                    raise JourneyError(f"{kind}: {type(error).__name__}: {error}") from error
        seconds = time.perf_counter() - clock
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        text = payload.decode("utf-8", "replace")
        self.recorder.add(Sample(kind, response.status, seconds, started, server), text)
        location = response.headers.get("Location", "")
        if location.startswith("http"):
            location = urlsplit(location)._replace(scheme="", netloc="").geturl()
        return response.status, location, text

    # Helpers of the journeys ---------------------------------------------------------------

    def get(self, kind: str, path: str, expect: int = 200) -> tuple[str, str]:
        status, location, body = self.request(kind, "GET", path)
        self._check(kind, status, expect, body)
        return location, body

    def post(self, kind: str, path: str, data: dict, page: str, expect: int = 302):
        """POST a form of ``page`` (its CSRF token is read from it)."""
        token = CSRF_INPUT.search(page)
        if token is not None:
            token = token.group(1)
        else:  # Wagtail's listings post with the cookie's token (as its JavaScript does)
            token = self.cookies.get("csrftoken")
        if token is None:
            raise JourneyError(f"{kind}: no CSRF token on the page")
        status, location, body = self.request(
            kind, "POST", path, {"csrfmiddlewaretoken": token, **data}
        )
        self._check(kind, status, expect, body)
        return location, body

    @staticmethod
    def _check(kind: str, status: int, expect: int, body: str) -> None:
        if status != expect:
            error = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{1,200})<', body)
            raise JourneyError(f"{kind}: {status} instead of {expect} {error[:3]}")


class Mailbox:
    """The mail the site wrote with Django's file backend (``benchmarks/load/mail.py``: one
    ``.eml`` file per connection, messages separated by a line of dashes), read as a mail client
    would: parsed, decoded, by recipient."""

    SEPARATOR = "\n" + "-" * 79 + "\n"

    def __init__(self, directory: Path):
        self.directory = directory
        self.seen: set[str] = set()
        self.by_recipient: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.lock = threading.Lock()
        self.last_scan = 0.0

    def scan(self) -> None:
        with self.lock:
            if time.monotonic() - self.last_scan < 0.2:
                return
            self.last_scan = time.monotonic()
            for path in self.directory.glob("*.eml"):
                if path.name in self.seen:
                    continue
                raw = path.read_bytes()
                self.seen.add(path.name)
                for chunk in raw.split(self.SEPARATOR.encode()):
                    if not chunk.strip():
                        continue
                    message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
                    body = message.get_body(("plain",)).get_content()
                    for recipient in message.get_all("To", []):
                        self.by_recipient[str(recipient).lower()].append(
                            (str(message["Subject"]), body)
                        )

    def wait_for(self, address: str, subject_part: str, count: int = 1, timeout: float = 120):
        """The ``count``-th mail to ``address`` whose subject contains ``subject_part``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.scan()
            found = [m for m in self.by_recipient.get(address, []) if subject_part in m[0]]
            if len(found) >= count:
                return found[count - 1]
            time.sleep(0.5)
        raise JourneyError(f"no mail «{subject_part}» to {address} within {timeout:.0f} s")

    def all_messages(self) -> list[tuple[str, str, str]]:
        self.scan()
        self.last_scan = 0.0
        self.scan()
        return [
            (to, subject, body)
            for to, messages in self.by_recipient.items()
            for subject, body in messages
        ]

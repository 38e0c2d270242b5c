"""The single sign-on's token and userinfo requests against a bare Django view, in one run on one
server (review_workflow/single_sign_on: django-oauth-toolkit).

What a city service does for each parent signing in through the portal, after the browser's
authorize step: (b) POST /oauth/token — the authorization code exchanged (PKCE S256, the
service's client secret in Basic auth, checked with production's client secret hasher as every
request does; the ID token signed RS256 with the children's claims); (c) GET /oauth/userinfo —
the claims again with the access token. Both are printed as requests a second and as a ratio to
(a) a bare Django view (benchmarks/urls.py) on the same gunicorn server. No goal: these are
figures for RESULTS.md.

Run from the project root (PostgreSQL must be reachable; nothing else is touched):

    python benchmarks/sso.py [--duration 10 --rounds 3 --connections 8 --codes 2500]

It creates a throwaway database (``--database-name``, dropped at the end), migrates it, registers
a confidential service allowed the children, a parent account bound to two children, and mints
``--codes`` authorization codes through the real authorize endpoint (Django's test client
signed in as the parent, consent given once), each with its own PKCE verifier. Codes live an
hour here instead of production's minute, only so that the set-up can mint them before the
rounds. Exit status: 0 every request answered as it should, 2 otherwise.
"""

import argparse
import base64
import hashlib
import os
import secrets
import statistics
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))  # run as a script: the project and benchmarks.harness

from benchmarks.harness import (  # noqa: E402
    Load,
    Result,
    add_database_arguments,
    add_load_arguments,
    alternate,
    others_cpu_share,
    parse_load_arguments,
    production_environment,
    run_on_throwaway_database,
    since,
    start_server,
)

BENCH_DATABASE = "portal_sso_bench"
BARE = "/bench/bare/"
TOKEN = "/oauth/token/"
USERINFO = "/oauth/userinfo/"
CLIENT_ID = "pay"
CLIENT_SECRET = secrets.token_urlsafe(32)
REDIRECT_URI = "https://pay.example.tp.edu.tw/callback"
SCOPE = "openid profile email children"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, BENCH_DATABASE)
    add_load_arguments(parser)
    parser.add_argument(
        "--codes", type=int, default=2500, help="authorization codes minted (one token POST each)"
    )
    args = parse_load_arguments(parser)

    def environment(scratch: Path) -> dict[str, str]:
        return {
            **production_environment(args.database_url, args.database_name, scratch),
            "BENCH_PRODUCTION_HASHERS": "1",
            "BENCH_SSO_CODE_SECONDS": "3600",
            "OIDC_ACCESS_TOKEN_SECONDS": "3600",
        }

    return run_on_throwaway_database(
        args, "sso-bench-", environment, lambda env, scratch: _run(args, env, scratch)
    )


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def _build(codes: int) -> list[tuple[str, str]]:
    """A service, a parent bound to two children, and ``codes`` (code, verifier) pairs from the
    authorize endpoint."""
    from django.core.management import call_command
    from django.test import Client
    from oauth2_provider.models import get_application_model

    from binding_forms.identity.personal_data import encrypt, id_number_digest
    from binding_forms.models import School, Student, User
    from binding_forms.registry.services import districts_load_csv, schools_load_csv
    from review_workflow.models import ParentAccount, ParentStudentLink

    call_command("migrate", verbosity=0, interactive=False)
    districts_load_csv()
    schools_load_csv()
    Application = get_application_model()
    Application.objects.create(
        name="校園繳費系統",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,  # hashed on save with production's client secret hasher
        client_type=Application.CLIENT_CONFIDENTIAL,
        redirect_uris=REDIRECT_URI,
        children_allowed=True,
    )
    parent = User.objects.create_user("dad@example.com", email="dad@example.com")
    parent.first_name = "陳大名"
    parent.save(update_fields=["first_name"])
    ParentAccount.objects.create(
        user=parent,
        id_number_digest=id_number_digest("A123456789"),
        id_number_encrypted=encrypt("A123456789"),
        mobile="0912345678",
    )
    school = School.objects.get(moe_code="313601")
    for number, (name, child_id) in enumerate((("陳小花", "A234567893"), ("陳小明", "A123456780"))):
        child = Student.objects.create(
            school=school,
            student_number=f"10803{5 + number}",
            name=name,
            grade=2 + number,
            class_number=1,
            id_number_digest=id_number_digest(child_id),
            id_number_encrypted=encrypt(child_id),
        )
        ParentStudentLink.objects.create(parent=parent, student=child, relationship="父女")

    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(parent)
    minted = []
    for index in range(codes):
        verifier, challenge = _pkce()
        params = {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPE,
            "state": "xyz",
            "nonce": f"n-{index}",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        response = browser.get("/oauth/authorize/", params)
        if response.status_code == 200:  # the first time: the consent page
            form = _form_fields(response.content.decode())
            response = browser.post("/oauth/authorize/", {**form, "allow": "1"})
        if response.status_code != 302:
            raise RuntimeError(f"authorize: HTTP {response.status_code}")
        code = parse_qs(urlsplit(response["Location"]).query)["code"][0]
        minted.append((code, verifier))
    return minted


def _form_fields(html: str) -> dict[str, str]:
    """The named inputs of a page's forms, as a browser would send them (the consent form)."""
    from html.parser import HTMLParser

    fields = {}

    class Inputs(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attributes = dict(attrs)
            if tag == "input" and attributes.get("name") and attributes.get("type") != "submit":
                fields[attributes["name"]] = attributes.get("value") or ""

    Inputs().feed(html)
    return fields


def _basic_auth() -> str:
    return "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()


def _expect_json(key: bytes):
    def check(status, response, body) -> str | None:
        if status != 200 or key not in body:
            return f"HTTP {status}: {body[:200]!r}"
        return None

    return check


def _expect_bare(status, response, body) -> str | None:
    return None if status == 200 and body == b"ok" else f"HTTP {status}: {body[:80]!r}"


def _access_tokens(port: int, codes: list[tuple[str, str]]) -> list[str]:
    """One access token a connection, exchanged before the rounds (userinfo reads them)."""
    import http.client
    import json

    tokens = []
    for code, verifier in codes:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        body = _token_body(code, verifier)
        connection.request("POST", TOKEN, body=body, headers=_token_headers())
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200:
            raise RuntimeError(f"token: HTTP {response.status}: {body[:300]!r}")
        tokens.append(json.loads(body)["access_token"])
    return tokens


def _token_body(code: str, verifier: str) -> bytes:
    return urlencode(
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        }
    ).encode()


def _token_headers() -> dict[str, str]:
    return {
        "Authorization": _basic_auth(),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def _run(args, env: dict[str, str], scratch: Path) -> int:
    import time

    import django

    django.setup()
    import gunicorn
    import oauth2_provider
    from django.contrib.auth.hashers import get_hasher
    from django.db import connection
    from oauth2_provider.settings import oauth2_settings

    started = time.perf_counter()
    minted = _build(args.codes + args.connections)
    version = connection.pg_version
    connection.close()
    print(
        f"Set-up: a service, a parent with two children, {len(minted):,} authorization codes "
        f"from the authorize endpoint ({since(started)})"
    )
    busy = others_cpu_share()
    hasher = get_hasher(oauth2_settings.CLIENT_SECRET_HASHER)
    print(
        f"Server: gunicorn {gunicorn.__version__}, {args.workers} {args.worker_class} workers; "
        f"Django {django.__version__}, django-oauth-toolkit {oauth2_provider.__version__}, "
        f"PostgreSQL {version // 10000}.{version % 100}; client secrets hashed with "
        f"{hasher.algorithm} ({getattr(hasher, 'iterations', '-')} iterations); "
        f"{os.cpu_count()} CPUs"
        + (f", {busy:.0%} of them busy with other work just before" if busy is not None else "")
    )
    print(
        f"Client: {args.connections} connections (Python threads, http.client), {args.rounds} "
        f"rounds of {args.warmup:g} s warm-up + {args.duration:g} s measured, the requests in "
        "turn; req/s is the median of the rounds\n"
    )

    server = start_server(args, env, scratch, ready_path=BARE)
    try:
        tokens = _access_tokens(server.port, minted[: args.connections])
        pool = iter(minted[args.connections :])
        lock = threading.Lock()

        def token_request(_index: int):
            with lock:
                pair = next(pool, None)
            if pair is None:
                return None
            return TOKEN, _token_body(*pair), _token_headers()

        loads = [
            Load("(a) bare Django view", "GET", lambda _i: (BARE, None, {}), _expect_bare),
            Load("(b) token: code exchange", "POST", token_request, _expect_json(b"id_token")),
            Load(
                "(c) userinfo",
                "GET",
                lambda index: (USERINFO, None, {"Authorization": f"Bearer {tokens[index]}"}),
                _expect_json(b'"children"'),
            ),
        ]
        results = alternate(loads, server.port, args)
    finally:
        server.stop()

    for result in results:
        rounds = ", ".join(f"{rate:.0f}" for rate in result.rates)
        note = (
            f"; codes ran out {result.ran_out_after:.0f} s into a round"
            if result.ran_out_after is not None
            else ""
        )
        print(
            f"{result.label:<28} {result.rate:8.1f} req/s  [{rounds}]  "
            f"p50 {result.percentile(0.5):6.0f} ms  p99 {result.percentile(0.99):6.0f} ms{note}"
        )
    bare, token, userinfo = results
    print()
    _ratio("token / bare Django view", token, bare)
    _ratio("userinfo / bare Django view", userinfo, bare)
    failed = False
    for result in results:
        if result.errors or not result.rates:
            failed = True
            print(f"\n{result.label}: {len(result.errors)} of {result.total} answers wrong, e.g.")
            for error in dict.fromkeys(result.errors[:20]):
                print(f"    {error}")
    if failed:
        print("INVALID: some requests failed (see above).")
        return 2
    return 0


def _ratio(what: str, mine: Result, bare: Result) -> None:
    paired = [ours / theirs for ours, theirs in zip(mine.rates, bare.rates, strict=False) if theirs]
    ratio = statistics.median(paired) if paired else 0.0
    rounds = ", ".join(f"{value:.3f}" for value in paired)
    print(f"INFO  {what} = {ratio:.3f}× [{rounds}]")


if __name__ == "__main__":
    sys.exit(main())

"""The portal home from the page cache against a bare Django view, in one run on one server.

Goal (issue 14): an anonymous visitor's portal home serves at least 0.5 times the requests a
second of a bare Django view (``benchmarks/urls.py``: the same gunicorn server, the same
middleware, no template, no query). The home uncached (an address the cache passes by, so
Wagtail renders it from the page tree each time) is printed beside them, as information.

Run from the project root (PostgreSQL must be reachable; nothing else is touched):

    python benchmarks/cached_home.py
    python benchmarks/cached_home.py --duration 10 --rounds 3 --connections 8 \\
        --database-url postgres://postgres@127.0.0.1:5432/postgres [--redis-url redis://…]

It creates a throwaway database (``--database-name``, dropped at the end), migrates it,
publishes twelve bulletins under the home (two bulletin pages), counts the queries of one
request of each kind (Django's test client, in a process set up like the server), starts
gunicorn with the production settings (``benchmarks/settings.py``; the page cache in files under
the run's scratch ``var/``, or in Redis with ``--redis-url``, as production chooses) and loads
the three addresses in turn for a few rounds with the same client. Exit status: 0 the goal is
met, 1 it is not, 2 a request failed or a cached answer was not served from the cache.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

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
    start_server,
)

GOAL = 0.5
BENCH_DATABASE = "portal_cached_home_bench"
BARE = "/bench/bare/"
HOME = "/"
HOME_UNCACHED = "/?from=benchmark"  # a query the page cache passes by


def main() -> int:
    if sys.argv[1:2] == ["--count-queries"]:  # the helper process of _count_queries()
        print(json.dumps(_count_queries_here()))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_arguments(parser, BENCH_DATABASE)
    parser.add_argument(
        "--redis-url", default="", help="page cache and sessions in Redis (REDIS_URL)"
    )
    add_load_arguments(parser)
    args = parse_load_arguments(parser)

    def environment(scratch: Path) -> dict[str, str]:
        env = production_environment(args.database_url, args.database_name, scratch)
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        return env

    return run_on_throwaway_database(
        args, "cached-home-bench-", environment, lambda env, scratch: _run(args, env, scratch)
    )


def _build() -> None:
    from django.core.management import call_command

    from home.models import BulletinPage, HomePage

    call_command("migrate", verbosity=0, interactive=False)
    home = HomePage.objects.get()
    day = datetime.date(2020, 8, 16)
    for number in range(12):  # the handbook's bulletins and more: two pages of ten
        bulletin = BulletinPage(
            title=f"109學年度親子帳號綁定公告（{number + 1}）",
            date=day - datetime.timedelta(days=number),
            body="<p>請家長於開學後兩週內完成親子帳號綁定。</p>",
        )
        home.add_child(instance=bulletin)
        bulletin.save_revision().publish()


def _count_queries(env: dict[str, str]) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, __file__, "--count-queries"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"counting queries failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def _count_queries_here() -> dict[str, int]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from home.page_cache import CACHE_HEADER

    client = Client(HTTP_HOST="127.0.0.1")

    def count(path: str, cache: str | None) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200 or response.get(CACHE_HEADER) != cache:
            raise RuntimeError(
                f"GET {path}: HTTP {response.status_code}, cache {response.get(CACHE_HEADER)}"
            )
        return len(queries)

    count(BARE, None)  # warm this process (content types, the site)
    counts = {"bare": count(BARE, None), "uncached": count(HOME_UNCACHED, None)}
    count(HOME, "miss")
    counts["cached"] = count(HOME, "hit")
    return counts


def _expect_home(*, cached: bool):
    def check(status, response, body) -> str | None:
        if status != 200:
            return f"HTTP {status}"
        if "訊息快遞".encode() not in body:
            return "the home without 訊息快遞"
        served = response.getheader("X-Page-Cache")
        if cached and served not in {"hit", "miss"}:
            return f"X-Page-Cache {served!r}: not from the page cache"
        if not cached and served is not None:
            return f"X-Page-Cache {served!r} on an address the cache passes by"
        return None

    return check


def _expect_bare(status, response, body) -> str | None:
    return None if status == 200 and body == b"ok" else f"HTTP {status}: {body[:80]!r}"


def _run(args, env: dict[str, str], scratch: Path) -> int:
    import django

    django.setup()
    import gunicorn
    import wagtail
    from django.db import connection

    _build()
    queries = _count_queries(env)
    version = connection.pg_version
    connection.close()
    busy = others_cpu_share()
    print(
        f"Server: gunicorn {gunicorn.__version__}, {args.workers} {args.worker_class} workers; "
        f"Django {django.__version__}, Wagtail {wagtail.__version__}, PostgreSQL "
        f"{version // 10000}.{version % 100}; page cache in "
        f"{'Redis' if args.redis_url else 'files (one machine)'}; {os.cpu_count()} CPUs"
        + (f", {busy:.0%} of them busy with other work just before" if busy is not None else "")
    )
    print(
        f"Client: {args.connections} connections (Python threads, http.client), {args.rounds} "
        f"rounds of {args.warmup:g} s warm-up + {args.duration:g} s measured, the addresses in "
        "turn; req/s is the median of the rounds\n"
    )

    loads = [
        Load("(a) bare Django view", "GET", lambda _i: (BARE, None, {}), _expect_bare),
        Load(
            "(b) portal home, anonymous, page cache",
            "GET",
            lambda _i: (HOME, None, {}),
            _expect_home(cached=True),
        ),
        Load(
            "(c) portal home, uncached (information)",
            "GET",
            lambda _i: (HOME_UNCACHED, None, {}),
            _expect_home(cached=False),
        ),
    ]
    for load, kind in zip(loads, ("bare", "cached", "uncached"), strict=True):
        load.queries = queries[kind]
    server = start_server(args, env, scratch, ready_path=BARE)
    try:
        results = alternate(loads, server.port, args)
    finally:
        server.stop()

    for load, result in zip(loads, results, strict=True):
        rounds = ", ".join(f"{rate:.0f}" for rate in result.rates)
        print(
            f"{result.label:<42} {result.rate:7.1f} req/s  [{rounds}]  "
            f"p50 {result.percentile(0.5):5.0f} ms  p99 {result.percentile(0.99):5.0f} ms  "
            f"{result.body_bytes / 1024:4.1f} KiB  {load.queries:2d} queries"
        )
    failed = False
    for result in results:
        if result.errors or not result.rates:
            failed = True
            print(f"\n{result.label}: {len(result.errors)} of {result.total} answers wrong, e.g.")
            for error in dict.fromkeys(result.errors[:50]):
                print(f"    {error}")
    if queries["cached"] != 0:
        failed = True
        print(f"\nA cache hit ran {queries['cached']} queries (expected none).")

    bare, cached, uncached = results
    print()
    passed = _ratio("home from the page cache / bare Django view", cached, bare, GOAL)
    _ratio("home uncached / bare Django view (information)", uncached, bare, None)
    if failed:
        print("INVALID: some requests failed or were not served as expected (see above).")
        return 2
    return 0 if passed else 1


def _ratio(what: str, mine: Result, bare: Result, goal: float | None) -> bool:
    """The median of the rounds' own ratios (each round measures both back to back)."""
    paired = [ours / theirs for ours, theirs in zip(mine.rates, bare.rates, strict=False) if theirs]
    ratio = statistics.median(paired) if paired else 0.0
    passed = goal is None or ratio >= goal
    verdict = "INFO" if goal is None else "PASS" if passed else "FAIL"
    rounds = ", ".join(f"{value:.2f}" for value in paired)
    print(
        f"{verdict}  {what} = {ratio:.2f}× [{rounds}]"
        + ("" if goal is None else f"  (goal ≥ {goal:.1f}×)")
    )
    return passed


if __name__ == "__main__":
    sys.exit(main())

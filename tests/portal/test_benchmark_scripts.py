"""The benchmarks nothing else runs start and finish: a tiny run of each on SQLite, so a change
that breaks a script's set-up (a helper renamed in another benchmark) fails here rather than
on the next person who wants a figure. Their verdicts are not judged at this size."""

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "script",
    [["benchmarks/registry_match.py", "--students", "120", "--applications", "12"]],
    ids=lambda script: Path(script[0]).stem,
)
def test_a_tiny_run_finishes_with_a_verdict(script):
    done = subprocess.run(
        [sys.executable, *script],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: a goal missed at this size
    assert "PASS" in done.stdout or "FAIL" in done.stdout, done.stdout[-2000:]

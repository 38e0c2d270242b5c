"""Several calls released at the same moment, each from its own thread with its own database
connection: how the concurrency tests press a button twice, or run a job twice, on PostgreSQL."""

import threading
from collections.abc import Callable

from django.db import connections


def at_once(*calls: Callable[[], object], timeout: float = 60) -> list:
    """Run every call in its own thread, all released together by a barrier; return what each
    returned, in order. A call that raises fails the test (with every error), and so does one
    still running after ``timeout`` seconds (a lock that never comes free)."""
    start = threading.Barrier(len(calls))
    answers, errors = [None] * len(calls), []

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            start.wait()
            answers[index] = call()
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()  # each thread's own connection

    threads = [
        threading.Thread(target=run, args=(index, call), daemon=True)
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), f"still running after {timeout} s"
    assert errors == []
    return answers

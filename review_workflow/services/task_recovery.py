"""Jobs of a task worker that died while running them (killed, out of memory, the machine lost).

django-tasks-db marks a job RUNNING when a worker claims it and nothing ever looks at it again:
a worker killed mid-job leaves it RUNNING for good, so a review would never start and a mail
never go. ``manage.py task_worker`` names each worker ``host:pid:random`` and, when it starts,
puts back in the queue the RUNNING jobs of workers of the same host whose process is gone — and
those of any host running longer than ``TASK_ABANDONED_AFTER`` seconds (a host that never came
back). Running a job again is safe because every job of the portal is idempotent: a review start
locks its submission and does nothing once the review is under way; a mail is claimed by its row
(``mail_deliver``) and is not sent again once it was.
"""

import datetime
import os
import socket
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

# Worker ids: at most 64 characters (db_worker's limit).
_HOST = socket.gethostname()[:40]


def task_worker_id() -> str:
    """This process's worker id: its host and pid (to find it dead later) and a random part (a
    pid is reused)."""
    return f"{_HOST}:{os.getpid()}:{get_random_string(8)}"


def worker_process_alive(worker_id: str) -> bool:
    """Whether the worker ``worker_id`` of this host still runs (True for other hosts' workers:
    only their age can tell)."""
    host, _, rest = worker_id.partition(":")
    pid = rest.partition(":")[0]
    if host != _HOST or not pid.isdigit():
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A reused pid is another program, not our worker.
    return not cmdline.exists() or b"task_worker" in cmdline.read_bytes()


def task_results_requeue_abandoned(
    *,
    backend_name: str,
    abandoned_after: datetime.timedelta,
    alive: Callable[[str], bool] = worker_process_alive,
) -> int:
    """Put back in the queue the jobs whose worker died while running them; how many."""
    started_before = timezone.now() - abandoned_after
    with transaction.atomic():
        running = list(
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(backend_name=backend_name, status=TaskResultStatus.RUNNING)
            .only("pk", "worker_ids", "started_at")
        )
        abandoned = [
            result.pk
            for result in running
            if not result.worker_ids
            or not alive(result.worker_ids[-1])
            or (result.started_at is not None and result.started_at < started_before)
        ]
        if abandoned:
            DBTaskResult.objects.filter(pk__in=abandoned).update(
                status=TaskResultStatus.READY, started_at=None
            )
    return len(abandoned)

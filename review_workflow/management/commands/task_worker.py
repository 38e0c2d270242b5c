import datetime
import logging
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections

from review_workflow.services.task_recovery import (
    task_results_requeue_abandoned,
    task_worker_id,
    worker_process_alive,
)

logger = logging.getLogger("review_workflow.worker")


class Command(BaseCommand):
    help = (
        "The portal's task worker (review starts, mail): django-tasks-db's db_worker on the "
        "'background' backend, which first runs again the jobs of workers that died mid-job and "
        "outlives a database restart. What systemd or the Procfile starts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backend", default="background")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="run what is queued, then exit")
        parser.add_argument(
            "--reconnect-delay",
            type=float,
            default=2.0,
            help="seconds between attempts while the database cannot be reached",
        )

    def handle(self, *args, backend, interval, batch, reconnect_delay, **options):
        abandoned_after = datetime.timedelta(seconds=settings.TASK_ABANDONED_AFTER)
        # The ids this process ran under before a database outage: their jobs are abandoned.
        own_ids: set[str] = set()
        while True:
            worker_id = task_worker_id()
            try:
                requeued = task_results_requeue_abandoned(
                    backend_name=backend,
                    abandoned_after=abandoned_after,
                    alive=lambda other: other not in own_ids and worker_process_alive(other),
                )
                if requeued:
                    logger.warning("%d job(s) of a worker that died were queued again", requeued)
                own_ids.add(worker_id)
                # As command-line arguments: db_worker's parser checks its default backend
                # ("default", run immediately here) unless --backend is given.
                call_command(
                    "db_worker",
                    f"--backend={backend}",
                    "--queue-name=*",
                    f"--interval={interval}",
                    f"--worker-id={worker_id}",
                    "--no-reload",
                    "--no-startup-delay",
                    *(["--batch"] if batch else []),
                    verbosity=max(options["verbosity"] - 1, 0),
                )
                return
            except (OperationalError, InterfaceError) as error:
                logger.warning(
                    "database unreachable (%s); trying again in %s s",
                    type(error).__name__,
                    reconnect_delay,
                )
                connections.close_all()
                time.sleep(reconnect_delay)

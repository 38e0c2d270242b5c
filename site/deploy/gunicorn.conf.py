"""gunicorn's settings for the portal (``gunicorn -c site/deploy/gunicorn.conf.py portal.wsgi``).

Every value can be changed from the environment without editing this file. Sync workers, two a
core plus one: the portal's requests are short and CPU-bound (templates, Wagtail's routing), the
database is on the same network, and nothing streams; slow clients are buffered by the web server
in front (nginx), which also terminates TLS.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes this long is stuck (a lock, a dead database): the worker is replaced. Not
# less: a registrar's bulk approval of 500 applications takes up to 30 s on 2 cores
# (benchmarks/bulk_approve.py), and on a saturated machine the load run saw approvals of 25 killed
# at 30 s (benchmarks/RESULTS.md). Keep nginx's proxy_read_timeout at least as long.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Replace workers now and then, so a slow leak in any library never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# Load the application once in the master: workers start fast and share its memory.
preload_app = True
# Request lines only, without the query string's values (a reset link's token): no personal data.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: none
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
proc_name = "portal"
# Behind nginx on the same host: trust its X-Forwarded-Proto (production reads it for https).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_fork(server, worker):
    """The preloaded application may have opened a database connection in the master: never
    share one socket between processes."""
    from django.db import connections

    connections.close_all()

"""gunicorn's production settings for the HTTP API (docs/deploy.md). gunicorn reads this file from the
working directory; the Dockerfile and `make bench` run with it, so the benchmark measures this topology."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
threads = 2  # gthread: a worker waiting on PostgreSQL or Redis lets its other thread use the CPU
# One shared listening socket. Tried: a socket per worker (reuse_port), which spreads connections by a hash
# of their addresses. Behind it the logged-in list measured 4-10% lower against the floor (A/B on one data
# set: 0.45-0.56 of the floor against 0.57-0.58), keep-alive connections stuck to a busier worker; the
# shared socket lets an idle worker take the next connection.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "": no access log (the benchmark)
# The request id (aspirasi/observability.py) on each access line, to find a request's other log lines.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'


def child_exit(server, worker):
    """prometheus-client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, docs/deploy.md): a worker that
    exits drops out of the live gauges (open sockets) of the next scrape."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)

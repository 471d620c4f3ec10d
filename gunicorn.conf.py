"""gunicorn's production settings for the HTTP API (docs/deploy.md). gunicorn reads this file from the
working directory; the Dockerfile and `make bench` run with it, so the benchmark measures this topology."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
threads = 2  # gthread: a worker waiting on PostgreSQL or Redis lets its other thread use the CPU
# One listening socket per worker (SO_REUSEPORT): the kernel spreads new connections evenly over the
# workers. On one shared socket the worker that wakes first accepts a burst of keep-alive connections and
# keeps them: measured here, 32 client connections landed [32] on one of four workers (one core busy, the
# rest idle) or [1, 2, 14, 15]; with a socket per worker [6, 7, 8, 11], and the same page served 1.2-2x
# faster. A load balancer's keep-alive connections to the API meet the same imbalance.
reuse_port = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "": no access log (the benchmark)

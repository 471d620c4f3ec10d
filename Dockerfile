# Production image. Topology (docs/deploy.md, compose.yaml): gunicorn serves HTTP (/api, /admin), uvicorn
# serves /ws, `manage.py db_worker` runs the tasks, `manage.py scheduler` enqueues the periodic ones; the same
# image runs every role, chosen by the command. .dockerignore keeps history, environments and data out.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=0 PIP_NO_CACHE_DIR=1

RUN useradd --create-home --uid 10001 aspirasi
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=aspirasi:aspirasi . .
# collectstatic needs settings that validate; the real secret comes at run time.
RUN SECRET_KEY=collectstatic-only-not-a-real-secret-0000000000 ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput

USER aspirasi
EXPOSE 8000 8001

# Liveness of the HTTP roles: /healthz/live asks no dependency, so a database or Redis outage never has
# every container restarted (the load balancer's probe is /healthz/ready; docs/deploy.md, "Health").
# gunicorn listens on 8000; for uvicorn set HEALTHCHECK_PORT=8001. The probe names the first allowed host
# and https, as the proxy does: with DEBUG=0 a bare 127.0.0.1 is refused (400) and plain http redirected.
# The task worker and the scheduler have no port: run them with --health-cmd "python manage.py healthcheck".
ENV HEALTHCHECK_PORT=8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import os, sys, urllib.request as r; \
host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.').replace('*', '') or 'localhost'; \
url = 'http://127.0.0.1:' + os.environ['HEALTHCHECK_PORT'] + '/healthz/live'; \
probe = r.Request(url, headers={'Host': host, 'X-Forwarded-Proto': 'https'}); \
sys.exit(r.urlopen(probe, timeout=4).status != 200)"

# HTTP API. For the WebSocket service (docs/deploy.md, "Processes") run instead, with HEALTHCHECK_PORT=8001:
#   uvicorn backend.asgi:application --host 0.0.0.0 --port 8001 --workers 2 --proxy-headers
# gunicorn.conf.py: 2 x CPU workers (GUNICORN_WORKERS), 2 threads.
CMD ["gunicorn", "backend.wsgi:application", "-c", "gunicorn.conf.py"]

# Production image. Topology (docs/deploy.md): gunicorn serves HTTP (/api, /admin), uvicorn serves /ws;
# the same image runs both, chosen by the command.
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
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

# HTTP API. For the WebSocket service run instead:
#   uvicorn backend.asgi:application --host 0.0.0.0 --port 8000 --workers 2 --proxy-headers
# gunicorn.conf.py: 2 x CPU workers (GUNICORN_WORKERS), 2 threads.
CMD ["gunicorn", "backend.wsgi:application", "-c", "gunicorn.conf.py"]

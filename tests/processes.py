"""A server process of its own for a test: Django set up against the test database, running `code`."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def run_server_process(code: str, *, timeout: int = 120, **env: str) -> subprocess.CompletedProcess:
    """Run `code` in a new Python process with this test's PostgreSQL database and the project's settings
    (plus `env`), for what one process cannot show about itself: its own pool, its connections killed."""
    settings_dict = connection.settings_dict
    url = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )

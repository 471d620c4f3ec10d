"""A real ASGI server (daphne) in a subprocess, for tests that need HTTP and WebSockets end to end.

pytest-django's live_server is WSGI-only (no WebSockets), and an in-memory SQLite test database cannot be
shared with another process. So the server gets its own throwaway SQLite file, migrated once per session
and copied per test; the test talks to it over HTTP and sets data up through `manage.py shell` in that
database. The channel layer follows the test's environment: in-memory inside the server without REDIS_URL,
Redis (shared with the test process) with it.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(DATABASE_URL=f"sqlite:///{database}", DEBUG="1", MEDIA_ROOT=str(database.parent / "media"))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def manage(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def migrated_database(template_dir: Path) -> Path:
    """A migrated SQLite file with the reference data (areas, categories, OPD)."""
    template = template_dir / "template.sqlite3"
    manage(server_env(template), "migrate", "--no-input", "-v0")
    return template


def copy_database(template: Path, target_dir: Path) -> Path:
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / "server.sqlite3"
    shutil.copyfile(template, target)
    return target


@contextmanager
def serving(
    command: list[str],
    env: dict,
    *,
    port: int,
    log: Path,
    name: str,
    host: str = "127.0.0.1",
    ready_path: str = "/healthz/live",
):
    """Run a server process until the block ends, once `ready_path` answers on `host:port`; yields its base
    URL."""
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
        url = f"http://{host}:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"{url}{ready_path}", timeout=2):  # noqa: S310 - our own server
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}") from None
                    time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def daphne(env: dict, *, log: Path):
    """Run `daphne backend.asgi:application` on a free port until the block ends; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "backend.asgi:application"]
    with serving(command, env, port=port, log=log, name="daphne") as url:
        yield url


# A moderator of Manggar and a resident of Manggar, created inside the server's database; prints ids as JSON.
SEED_PEOPLE = """
import json
from aspirasi.models import Category, Kelurahan, User
from aspirasi.services.accounts import tokens_for, user_assign_role
manggar = Kelurahan.objects.get(slug="manggar")
moderator = User.objects.create_user(phone="+6281211110001", password=PASSWORD, display_name="Moderator Manggar")
user_assign_role(user=moderator, role="moderator", kelurahan=[manggar])
from django.utils import timezone
resident = User.objects.create_user(  # verified: only such residents submit
    phone="+6281211110002", password=PASSWORD, display_name="Siti Warga", kelurahan=manggar,
    phone_verified_at=timezone.now(),
)
print(json.dumps({
    "moderator_phone": moderator.phone,
    "moderator_token": tokens_for(moderator)["access"],
    "resident_token": tokens_for(resident)["access"],
    "kelurahan_id": manggar.pk,
    "category_id": Category.objects.get(slug="pendidikan").pk,
}))
"""
PASSWORD = "rahasia-sekali-123"


def seed_people(env: dict) -> dict:
    import json

    output = manage(env, "shell", stdin=f"PASSWORD = {PASSWORD!r}\n{SEED_PEOPLE}")
    return json.loads(output.strip().splitlines()[-1])


# --- fixtures (import them into the test module or conftest that uses them) ---------------------------


@pytest.fixture(scope="session")
def asgi_database_template(tmp_path_factory):
    return migrated_database(tmp_path_factory.mktemp("asgi-template"))


@pytest.fixture
def asgi_server(asgi_database_template, tmp_path):
    """A running daphne on a fresh copy of the migrated database: yields (base_url, env)."""
    env = server_env(copy_database(asgi_database_template, tmp_path / "db"))
    with daphne(env, log=tmp_path / "daphne.log") as url:
        yield url, env

"""What the admin's frame says: the service's name, the staff member's name, where "View site" leads; and
`make run` (DEBUG) serving uploaded photos."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def staff_client(db):
    from aspirasi.services.accounts import user_assign_role

    moderator = user_assign_role(user=UserFactory(display_name="Rina Moderator"), role="moderator")
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(moderator)
    return client, moderator


def test_the_admin_is_branded_greets_by_name_and_view_site_opens_the_api_docs(staff_client):
    client, moderator = staff_client
    page = client.get("/admin/").content.decode()
    assert "Administrasi Aspirasi Balikpapan" in page and "Django" not in page.split("<body")[1].split("</header>")[0]
    assert "Rina Moderator" in page and moderator.phone not in page
    assert 'href="/api/docs/"' in page


MEDIA_CHECK = """
import django
django.setup()
from django.test import Client
answer = Client().get("/media/reports/x.jpg", HTTP_HOST="localhost", secure=True)
print(answer.status_code, b"".join(answer.streaming_content) if answer.status_code == 200 else b"")
"""


@pytest.mark.parametrize(("debug", "expected"), [("1", "200 b'\\xff\\xd8 a photo'"), ("0", "404 b''")])
def test_make_run_serves_uploaded_photos_and_production_leaves_them_to_the_storage(tmp_path, debug, expected):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "x.jpg").write_bytes(b"\xff\xd8 a photo")
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "DEBUG": debug,
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "MEDIA_ROOT": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    run = subprocess.run([sys.executable, "-c", MEDIA_CHECK], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.stdout.strip().splitlines()[-1] == expected, run.stderr

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_schema_validates_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_schema_documents_the_error_shape(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "ErrorOutput" in schema["components"]["schemas"]
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert me["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOutput")


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_reference_no_external_host(api, url):
    response = api.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = [u for u in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if re.match(r"(https?:)?//", u)]
    assert external == []
    assert "/static/drf_spectacular_sidecar/" in html

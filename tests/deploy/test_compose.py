"""The deploy kit says what the code does: compose.yaml is a valid Compose file (checked against the compose
specification's JSON schema, vendored here from compose-spec/compose-spec, schema/compose-spec.json: no
Docker engine or compose plugin on CI's machine), its roles run the commands and ports the code and the
proxy use, and its environment starts the settings cleanly."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
APP_ROLES = ["web", "asgi", "worker", "scheduler", "migrate"]


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((Path(__file__).parent / "compose-spec.json").read_text())
    jsonschema.Draft7Validator(schema).validate(COMPOSE)


def test_every_role_of_the_topology_is_there():
    assert set(SERVICES) >= {*APP_ROLES, "proxy", "postgres", "redis", "minio"}
    for role in APP_ROLES:  # one image for every role, chosen by the command
        assert SERVICES[role]["build"] == "." and SERVICES[role]["image"] == "aspirasi:latest"
    assert "command" not in SERVICES["web"]  # the Dockerfile's CMD: gunicorn
    assert 'CMD ["gunicorn", "backend.wsgi:application", "-c", "gunicorn.conf.py"]' in (ROOT / "Dockerfile").read_text()
    assert SERVICES["asgi"]["command"][:2] == ["uvicorn", "backend.asgi:application"]
    assert SERVICES["worker"]["command"] == ["python", "manage.py", "db_worker"]
    assert SERVICES["scheduler"]["command"] == ["python", "manage.py", "scheduler"]


def test_the_proxy_sends_each_path_to_the_port_its_role_listens_on():
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    asgi_port = SERVICES["asgi"]["command"][SERVICES["asgi"]["command"].index("--port") + 1]
    assert (
        SERVICES["asgi"]["expose"] == [asgi_port] and SERVICES["asgi"]["environment"]["HEALTHCHECK_PORT"] == asgi_port
    )
    assert f"server asgi:{asgi_port};" in nginx
    assert SERVICES["web"]["expose"] == ["8000"] and "server web:8000;" in nginx  # gunicorn.conf.py's bind
    assert re.search(r"location /ws/ \{\s*proxy_pass http://websockets;", nginx)
    assert re.search(r"location / \{\s*proxy_pass http://http_api;", nginx)


def _filled(value: str) -> str:
    """What compose makes of ${NAME:-default} and ${NAME:?message} when NAME is unset (a stand-in for :?)."""
    value = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)
    return re.sub(
        r"\$\{([A-Z_]+):\?[^}]*\}", lambda m: f"compose-test-{m.group(1).lower()}-0123456789abcdef0123", value
    )


def test_every_variable_it_sets_is_read_by_the_code():
    read = "".join((ROOT / name).read_text() for name in ("backend/settings.py", "Dockerfile", "gunicorn.conf.py"))
    for role in APP_ROLES:
        for name in SERVICES[role]["environment"]:
            assert f'"{name}"' in read or name in {"HEALTHCHECK_PORT", "PROMETHEUS_MULTIPROC_DIR"}, name
    assert "HEALTHCHECK_PORT" in read and "PROMETHEUS_MULTIPROC_DIR" in read


def test_its_environment_starts_the_settings():
    environment = {name: _filled(str(value)) for name, value in SERVICES["web"]["environment"].items()}
    code = (
        "from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'], settings.DEBUG, settings.METRICS_TOKEN != '', "
        "settings.LOG_FORMAT)"
    )
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_"))}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=base | environment | {"DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["storages.backends.s3.S3Storage", "False", "True", "json"], result.stderr[-2000:]


def test_the_image_leaves_out_history_environments_and_data():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".git", ".venv", "node_modules", "var", "media", "**/__pycache__", ".env"} <= ignored


def test_the_deploy_guide_names_every_service():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    for name in SERVICES:
        assert f"`{name}`" in guide, name

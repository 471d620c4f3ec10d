"""Clients generated from the served schema, once per session, the way a mobile team would make them.

The schema comes from /api/schema/ through Django's test client; openapi-python-client (pinned in
requirements-dev.txt) and openapi-typescript (pinned in package.json, installed by `make test`) run on it
with their default options, into a temporary directory.
"""

import importlib
import json
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "aspirasi_client"
OPENAPI_TYPESCRIPT = ROOT / "node_modules" / ".bin" / "openapi-typescript"
TSC = ROOT / "node_modules" / ".bin" / "tsc"


@dataclass
class Generated:
    output: str  # what the generator printed (its warnings included)
    package: ModuleType | None = None
    path: Path | None = None


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="session")
def served_schema(tmp_path_factory) -> Path:
    response = Client().get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content[:500]
    path = tmp_path_factory.mktemp("schema") / "openapi.json"
    path.write_text(json.dumps(response.json()))
    return path


@pytest.fixture(scope="session")
def python_client(served_schema, tmp_path_factory):
    """The openapi-python-client package, importable as `aspirasi_client` for the session."""
    directory = tmp_path_factory.mktemp("python-client")
    config = directory / "config.json"
    # No post hooks: the generator would otherwise run ruff over the output, which only reformats it.
    config.write_text(json.dumps({"package_name_override": PACKAGE, "post_hooks": []}))
    result = run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            str(served_schema),
            "--meta",
            "none",
            "--output-path",
            str(directory / PACKAGE),
            "--config",
            str(config),
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(directory))
    try:
        yield Generated(output=result.stdout + result.stderr, package=importlib.import_module(PACKAGE))
    finally:
        sys.path.remove(str(directory))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="session")
def typescript_types(served_schema, tmp_path_factory) -> Generated:
    """openapi-typescript's output, as ts/api.d.ts beside a copy of tests/clients/ts/client.ts."""
    directory = tmp_path_factory.mktemp("typescript-client")
    types = directory / "api.d.ts"
    result = run([str(OPENAPI_TYPESCRIPT), str(served_schema), "--output", str(types)])
    assert result.returncode == 0, result.stdout + result.stderr
    (directory / "client.ts").write_text((ROOT / "tests" / "clients" / "ts" / "client.ts").read_text())
    return Generated(output=result.stdout + result.stderr, path=directory)


def generated_modules(package: ModuleType) -> list[str]:
    return [module.name for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")]


class Operations:
    """The generated endpoint modules by operationId (`api.<tag>.<operation_id>`), whatever their tag."""

    def __init__(self, package: ModuleType):
        self.models = importlib.import_module(f"{package.__name__}.models")
        self.types = importlib.import_module(f"{package.__name__}.types")
        self.client = importlib.import_module(f"{package.__name__}.client")
        self._modules = {name.rsplit(".", 1)[-1]: name for name in generated_modules(package) if name.count(".") == 3}

    def __getattr__(self, operation_id: str) -> ModuleType:
        try:
            return importlib.import_module(self._modules[operation_id])
        except KeyError:
            raise AttributeError(f"no generated operation {operation_id!r}") from None


@pytest.fixture(scope="session")
def operations(python_client) -> Operations:
    return Operations(python_client.package)

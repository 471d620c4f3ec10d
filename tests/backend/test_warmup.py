"""A new server process loads its views before it serves (backend/warmup.py), not on its first request."""

import os
import subprocess
import sys

import pytest

from tests.processes import ROOT

# After the entry point is imported: are the views loaded, and was a database connection needed for it?
PROBE = """
import sys
import {entry}
from django.db import connections
print("aspirasi.api.votes" in sys.modules, "backend.urls" in sys.modules, connections["default"].connection is None)
"""


@pytest.mark.parametrize("entry", ["backend.wsgi", "backend.asgi"])
def test_entry_point_loads_the_views_without_a_database_connection(entry):
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(entry=entry)],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True"]

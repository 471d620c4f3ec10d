"""`make run`'s demo data shows real planning rows on a fresh database: the dashboard, the shortlist, the
T-D.4 exports, a resident's ballot and the public results of last year's (closed) cycle."""

import csv
import io

import pytest
from django.core.management import call_command

from aspirasi.models import BallotChoice, Cycle, Forum, Program, User
from aspirasi.selectors.planning import planning_dashboard
from aspirasi.services.cycles import cycle_current
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", force=True, stdout=io.StringIO())
    return {role: User.objects.filter(role=role).order_by("id").first() for role in ("planner", "resident")}


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]


def test_seeded_planning_demo_has_real_rows_everywhere(seeded):
    planner, resident = client_for(seeded["planner"]), client_for(seeded["resident"])
    current = cycle_current()
    closed = Cycle.objects.get(name="Musrenbang 2026")
    assert current.name == "Musrenbang 2027" and current.current_phase == "voting"
    assert planning_dashboard(cycle=current)["top"]

    shortlist = planner.get("/api/v1/planning/shortlist/").json()
    assert len(shortlist["areas"]) > 20
    assert any(area["shortlist"]["count"] for area in shortlist["areas"])

    for query in ({"list": "shortlist"}, {"list": "carried", "level": "kecamatan", "cycle": closed.pk}):
        assert _rows(planner.get("/api/v1/planning/exports/td4/", query)), query
    priorities = planner.get("/api/v1/planning/priorities/", {"format": "csv"})
    assert len(list(csv.reader(io.StringIO(b"".join(priorities.streaming_content).decode("utf-8-sig"))))) > 2

    assert BallotChoice.objects.filter(cycle=current).exists()
    ballot = resident.get(f"/api/v1/planning/ballots/{current.pk}/")
    assert ballot.status_code == 200 and ballot.json()["pagu"] > 0

    forum = Forum.objects.filter(cycle=closed).first()
    results = resident.get("/api/v1/planning/results/", {"cycle": closed.pk, "area": forum.kelurahan_id})
    assert results.status_code == 200, results.content
    body = results.json()
    assert body["public"] and body["results"] and body["forum"]["id"] == forum.pk and body["shortlist"]
    assert Program.objects.filter(cycle=current).exists()

"""`make run`'s demo data shows the OPD loop: officers with inboxes, dispositions in every state, SLA figures."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from aspirasi.models import Disposition, Report, RoutingRule, User
from aspirasi.selectors.opd import sla_report
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_seeded_demo_has_a_working_opd_loop(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    assert "opd (dpu" in out.getvalue()
    assert RoutingRule.objects.exists()
    states = set(Disposition.objects.values_list("state", flat=True))
    assert {"forwarded", "in_progress", "done", "not_ours"} <= states
    assert Report.objects.filter(follow_up_state="confirmed", status="resolved").exists()
    officer = User.objects.get(phone="+6281100000006")
    inbox = client_for(officer).get("/api/v1/opd/inbox/").json()["results"]
    assert inbox and all(item["opd"]["slug"] == "dpu" for item in inbox)
    rows = sla_report(
        user=User.objects.filter(role="planner").first(),
        start=timezone.now() - timedelta(days=60),
        end=timezone.now() + timedelta(days=1),
    )
    assert {row.opd for row in rows} == {"Dinas Kesehatan", "Dinas PU"}
    assert sum(row.received for row in rows) == Disposition.objects.count()
    assert any(row.median_working_days_to_done for row in rows)
    # The discussion and Open311 pages have rows too: a thread with an official answer, an integration's request.
    from aspirasi.models.comments import Comment
    from open311.models import ApiKey, ServiceRequest

    official = Comment.objects.get(is_official=True)
    assert official.parent_id and official.proposal.comment_count == 4
    # ... and the workbench a flagged comment waiting for its decision.
    from aspirasi.selectors.moderation import moderation_queue

    flagged, _next = moderation_queue(user=User.objects.get(phone="+6281100000002"), item_type="comment")
    assert len(flagged) == 1 and flagged[0]["flag_review_requested_at"] and flagged[0]["thread"]
    call_command("seed_open311_demo", force=True, stdout=out)  # make run's next step
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    assert ServiceRequest.objects.get().report.origin == "open311"
    assert "Open311: API key" in out.getvalue()
    call_command("seed_open311_demo", force=True, stdout=out)  # a second make run adds nothing
    assert ServiceRequest.objects.count() == 1

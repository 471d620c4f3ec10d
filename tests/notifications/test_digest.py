"""Moderators get one daily digest of what has waited too long in their own areas."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from aspirasi.models import Proposal, ProposalStatus
from notifications.models import Notification, NotificationKind
from notifications.services import moderation_digest_send
from tests.factories import ProposalFactory, kelurahan

pytestmark = pytest.mark.django_db


def waiting_proposal(*, hours: int, area: str = "manggar") -> Proposal:
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, kelurahan=kelurahan(area))
    Proposal.objects.filter(pk=proposal.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    return proposal


def test_moderator_hears_about_old_items_in_their_area_only(settings, moderator_manggar, moderator_barat):
    settings.MODERATION_DIGEST_WAITING_HOURS = 24
    waiting_proposal(hours=30)
    waiting_proposal(hours=30)
    waiting_proposal(hours=2)  # not waiting long enough

    assert moderation_digest_send() == 1
    digest = Notification.objects.get()
    assert digest.recipient == moderator_manggar and digest.kind == NotificationKind.MODERATION_DIGEST
    assert (digest.data["proposals"], digest.data["reports"]) == (2, 0)
    assert digest.target_type == "moderation_queue"
    assert not Notification.objects.filter(recipient=moderator_barat).exists()


def test_the_digest_is_sent_once_a_day(moderator_manggar):
    waiting_proposal(hours=100)
    assert moderation_digest_send() == 1
    assert moderation_digest_send() == 0
    assert moderation_digest_send(now=timezone.now() + timedelta(days=1)) == 1


def test_the_command_sends_the_digest(moderator_manggar, capsys):
    waiting_proposal(hours=100)
    call_command("send_moderation_digest")
    assert "1 moderation digest(s) sent" in capsys.readouterr().out
    assert Notification.objects.filter(recipient=moderator_manggar).count() == 1

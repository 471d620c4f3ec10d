"""The workload page's figures (aspirasi.selectors.workload) on hand-built audit trails, and the page itself."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aspirasi.models import AuditEntry, Proposal, ProposalStatus, ReportStatus
from aspirasi.selectors.workload import moderation_workload
from aspirasi.services.accounts import user_assign_role
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, kelurahan

pytestmark = pytest.mark.django_db

# 20:00 WITA: every hour-offset below up to 20 h stays on the same local day.
NOW = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time())) + timedelta(hours=20)
H = timedelta(hours=1)


def _item(factory, *, created, **fields):
    item = factory(**fields)
    type(item).objects.filter(pk=item.pk).update(created_at=NOW - created)
    item.refresh_from_db()
    return item


def _decision(actor, item, action: str, *, ago):
    entry = AuditEntry.objects.create(
        actor=actor,
        actor_role="moderator",
        item_type="proposal" if isinstance(item, Proposal) else "report",
        item_id=item.pk,
        kelurahan=item.kelurahan,
        action=action,
    )
    AuditEntry.objects.filter(pk=entry.pk).update(created_at=NOW - ago)  # the trail as it was written then
    return entry


@pytest.fixture
def trail(moderator_manggar):
    other = user_assign_role(user=UserFactory(display_name="Moderator Dua"), role="moderator", kelurahan=[kelurahan()])
    elsewhere = user_assign_role(
        user=UserFactory(display_name="Moderator Margasari"), role="moderator", kelurahan=[kelurahan("margasari")]
    )
    a = moderator_manggar
    p1 = _item(ProposalFactory, created=10 * H, status=ProposalStatus.PUBLISHED)
    p2 = _item(ProposalFactory, created=72 * H, status=ProposalStatus.PUBLISHED)
    r1 = _item(ReportFactory, created=5 * H, status=ReportStatus.VERIFIED)
    _decision(a, p1, "review", ago=5 * H)  # a claim is no decision
    _decision(a, p1, "publish", ago=4 * H)  # first decision 6 h after submission
    _decision(other, p2, "reject", ago=24 * H)  # 48 h, yesterday
    _decision(a, p2, "hide", ago=2 * H)  # a later decision: counts per day, not for the median
    _decision(a, r1, "verify", ago=3 * H)  # 2 h
    old = _item(ProposalFactory, created=21 * 24 * H, status=ProposalStatus.PUBLISHED)
    _decision(a, old, "publish", ago=20 * 24 * H)  # outside the 14 days
    far = _item(ProposalFactory, created=9 * H, kelurahan=kelurahan("margasari"))
    _decision(elsewhere, far, "publish", ago=1 * H)  # not in Manggar's moderator's areas
    oldest = _item(ProposalFactory, created=5 * 24 * H, status=ProposalStatus.SUBMITTED, title="Sumur bor")
    _item(ProposalFactory, created=24 * H, status=ProposalStatus.SUBMITTED)
    _item(ReportFactory, created=30 * H, status=ReportStatus.NEW)
    return {"a": a, "other": other, "oldest": oldest}


def test_decisions_per_day_and_medians_per_moderator_and_kelurahan(trail):
    workload = moderation_workload(user=trail["a"], now=NOW)

    assert len(workload.days) == 14 and workload.days[-1] == timezone.localdate(NOW)
    assert workload.per_day[-1] == 3 and workload.per_day[-2] == 1 and sum(workload.per_day) == 4
    by_name = {row.name: row for row in workload.moderators}
    assert set(by_name) == {"Moderator Manggar", "Moderator Dua"}
    assert by_name["Moderator Manggar"].total == 3 and by_name["Moderator Manggar"].per_day[-1] == 3
    assert by_name["Moderator Manggar"].median_seconds == 4 * 3600  # median of 6 h and 2 h
    assert by_name["Moderator Dua"].per_day[-2] == 1 and by_name["Moderator Dua"].median_seconds == 48 * 3600
    [manggar] = workload.kelurahan
    assert manggar.name == "Manggar" and manggar.total == 4
    assert manggar.median_seconds == 6 * 3600  # median of 2 h, 6 h and 48 h
    assert manggar.waiting == 3 and manggar.oldest_waiting_at == trail["oldest"].created_at
    assert workload.waiting_total == 3
    assert [item["id"] for item in workload.waiting][:1] == [trail["oldest"].pk]  # oldest first


def test_admin_sees_every_area(trail, admin_user):
    workload = moderation_workload(user=admin_user, now=NOW)
    assert {row.name for row in workload.kelurahan} == {"Manggar", "Margasari"}
    assert sum(workload.per_day) == 5


def test_query_count_does_not_grow_with_the_trail(trail, django_assert_max_num_queries):
    for n in range(20):
        item = _item(ProposalFactory, created=30 * H, status=ProposalStatus.PUBLISHED)
        _decision(trail["a"], item, "publish", ago=n * H)
        _item(ReportFactory, created=n * H, status=ReportStatus.NEW)
    with django_assert_max_num_queries(7):  # the queue reads proposals' photos (thumbnails) and the SLA calendar once
        workload = moderation_workload(user=trail["a"], now=NOW)
    assert workload.waiting_total == 23 and len(workload.waiting) == 15


def test_page_for_moderators_in_both_languages_not_for_residents(moderator_manggar, resident, planner):
    now = timezone.now()
    decided = ProposalFactory(status=ProposalStatus.PUBLISHED)
    Proposal.objects.filter(pk=decided.pk).update(created_at=now - 5 * H)
    _decision(moderator_manggar, decided, "publish", ago=NOW - now + H)  # an hour ago: 4 h after submission
    oldest = ProposalFactory(status=ProposalStatus.SUBMITTED, title="Sumur bor")
    trail = {"a": moderator_manggar, "oldest": oldest}
    url = reverse("admin:moderation-workload")
    client = Client(headers={"accept-language": "id"})
    client.force_login(trail["a"])
    html = client.get(url).content.decode()
    assert "Keputusan per hari" in html and "Moderator Manggar" in html and "4 j 0 mnt" in html
    change = reverse("admin:aspirasi_proposal_change", args=[trail["oldest"].pk])
    assert f'href="{change}"' in html and "Sumur bor" in html
    assert reverse("admin:moderation-workload") in client.get(reverse("admin:index")).content.decode()
    client = Client(headers={"accept-language": "en"})
    client.force_login(trail["a"])
    assert "Decisions per day" in client.get(url).content.decode()
    resident.is_staff = True
    resident.save()
    for person in (resident, planner):
        client = Client()
        client.force_login(person)
        assert client.get(url).status_code == 403

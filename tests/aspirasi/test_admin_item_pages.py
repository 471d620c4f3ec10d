"""The proposal and report admin pages: summary and next step, photos, map, rupiah, flags, audit trail; and
the feedback after an admin action, which names the item and the decision."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from aspirasi.models import Flag, Opd, Program, ProposalPhoto, ProposalStatus
from aspirasi.services.moderation import proposal_claim, proposal_publish
from aspirasi.templatetags.aspirasi_admin import rupiah
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, UserFactory, category, image_bytes, kelurahan

pytestmark = pytest.mark.django_db


def browser(user, language: str = "id") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1_250_000, "Rp\u00a01.250.000"),
        (0, "Rp\u00a00"),
        (999, "Rp\u00a0999"),
        (Decimal("1000.4"), "Rp\u00a01.000"),
        (None, "-"),
        (-5000, "-Rp\u00a05.000"),
    ],
)
def test_rupiah_is_written_indonesian_style(amount, text):
    assert rupiah(amount) == text


def _proposal_with_history(moderator):
    proposal = ProposalFactory(
        status=ProposalStatus.SUBMITTED,
        title="Pelatihan menjahit",
        estimated_cost=1_250_000,
        latitude=Decimal("-1.234567"),
        longitude=Decimal("116.987654"),
    )
    ProposalPhoto.objects.create(
        proposal=proposal,
        image=ContentFile(image_bytes(), name="foto.jpg"),
        thumbnail_small=ContentFile(image_bytes(size=(8, 6)), name="foto-s.jpg"),
        thumbnail_large=ContentFile(image_bytes(size=(16, 12)), name="foto-l.jpg"),
    )
    proposal_claim(proposal=proposal, actor=moderator)
    proposal_publish(proposal=proposal, actor=moderator, message="Sudah lengkap")
    Flag.objects.create(proposal=proposal, flagger=UserFactory(), reason="spam", message="iklan")
    return proposal


def test_proposal_page_leads_with_status_next_step_and_shows_evidence(moderator_manggar, django_assert_max_num_queries):
    proposal = _proposal_with_history(moderator_manggar)
    url = reverse("admin:aspirasi_proposal_change", args=[proposal.pk])
    client = browser(moderator_manggar)

    with django_assert_max_num_queries(25):
        response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('class="item-summary') : html.index('class="item-evidence"')]
    assert "Terbit" in summary and "published<" not in summary  # the status in Indonesian, not the code
    assert "Warga menandainya" in summary  # an open flag on a public proposal: its decision is next
    photo = proposal.photos.get()
    assert f'href="{photo.image.url}"' in html and f'src="{photo.thumbnail_large.url}"' in html
    assert 'data-lat="-1.234567"' in html and 'data-lng="116.987654"' in html
    assert "-1.234567, 116.987654" in html and "Manggar" in html  # the map's text alternative
    assert "vendor/leaflet/leaflet.js" in html and "aspirasi/admin/map.js" in html
    assert "Rp\u00a01.250.000" in html and "1250000" not in html
    audit = html[html.index('class="item-audit') :]
    assert "diklaim untuk ditinjau" in audit and "diterbitkan" in audit and "Sudah lengkap" in audit
    assert "Moderator Manggar" in audit and "Ditinjau &rarr; Terbit" in audit
    flags = html[html.index('class="item-flags') : html.index('class="item-audit')]
    assert "Spam" in flags and "iklan" in flags
    assert "Pengusul" in html and "Manfaat dan biaya" in html  # fieldsets with Indonesian labels
    # The workbench's decision panel, loaded by panel.js into its place.
    assert f'data-decision-panel data-url="/admin/moderation/panel/proposal/{proposal.pk}/"' in html
    assert html.index("data-decision-panel") < html.index('id="proposal_form"')  # its forms outside the change form
    assert "aspirasi/moderation/panel.js" in html


def test_proposal_page_in_english(moderator_manggar):
    proposal = _proposal_with_history(moderator_manggar)
    html = browser(moderator_manggar, "en").get(reverse("admin:aspirasi_proposal_change", args=[proposal.pk]))
    text = html.content.decode()
    assert "Published" in text and "Residents flagged it" in text and "Benefit and cost" in text
    assert "claimed for review" in text and "Rp\u00a01.250.000" in text


def test_submitted_proposal_says_to_claim_it_and_nobody_holds_it(moderator_manggar):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    html = browser(moderator_manggar, "en").get(reverse("admin:aspirasi_proposal_change", args=[proposal.pk]))
    text = html.content.decode()
    assert "Claim it, then publish it" in text and "nobody yet" in text and "No point was given." in text


def test_report_page_shows_its_photo_and_map(moderator_manggar):
    report = ReportFactory(latitude=Decimal("-1.2"), longitude=Decimal("116.9"))
    response = browser(moderator_manggar).get(reverse("admin:aspirasi_report_change", args=[report.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{report.image.url}"' in html and f'src="{report.thumbnail_large.url}"' in html
    assert 'data-lat="-1.200000"' in html and "Baru" in html and "verifikasi" in html


def test_resident_and_moderator_elsewhere_get_no_item_page(resident, moderator_barat):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    resident.is_staff = True  # a staff flag set by mistake opens nothing
    resident.save()
    url = reverse("admin:aspirasi_proposal_change", args=[proposal.pk])
    assert browser(resident).get(url).status_code == 403
    assert browser(moderator_barat).get(url).status_code == 302  # not in their areas: "does not exist"


def test_program_list_shows_the_budget_in_rupiah(planner):
    Program.objects.create(
        name="Pelatihan menjahit 2027",
        opd=Opd.objects.first() or Opd.objects.create(slug="dinas-pendidikan", name="Dinas Pendidikan"),
        category=category(),
        budget=1_250_000_000,
        period_start="2027-01-01",
        period_end="2027-12-31",
    )
    html = browser(planner).get(reverse("admin:aspirasi_program_changelist")).content.decode()
    assert "Rp\u00a01.250.000.000" in html


# --- feedback after an action ---------------------------------------------------------------------------


def _act(client, model: str, action: str, pks):
    response = client.post(
        reverse(f"admin:aspirasi_{model}_changelist"), {"action": action, "_selected_action": pks}, follow=True
    )
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "Usulan #{pk} “Pelatihan menjahit” diterbitkan."),
        ("en", "Proposal #{pk} “Pelatihan menjahit” published."),
    ],
)
def test_one_decision_names_the_item_and_the_decision(moderator_manggar, language, expected):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED, title="Pelatihan menjahit")
    messages = _act(browser(moderator_manggar, language), "proposal", "publish_selected", [proposal.pk])
    assert messages == [expected.format(pk=proposal.pk)]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "5 laporan diverifikasi: #{0} “Lubang 0”, #{1} “Lubang 1”, #{2} “Lubang 2” dan 2 lainnya."),
        ("en", "5 reports verified: #{0} “Lubang 0”, #{1} “Lubang 1”, #{2} “Lubang 2” and 2 more."),
    ],
)
def test_bulk_decision_gives_the_count_and_the_first_titles(moderator_manggar, language, expected):
    reports = [ReportFactory(description=f"Lubang {n}") for n in range(5)]
    elsewhere = ReportFactory(kelurahan=kelurahan("margasari"))
    pks = [r.pk for r in reports]
    messages = _act(browser(moderator_manggar, language), "report", "verify_selected", [*pks, elsewhere.pk])
    assert messages == [expected.format(*pks)]  # the report elsewhere is not in the moderator's list at all

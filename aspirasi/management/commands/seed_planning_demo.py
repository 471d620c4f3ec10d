"""Seed the planning demo on top of seed_data (issue 24): last year's Musrenbang, closed, with pagu, forums,
carried proposals and a shortlist (its public results), and this year's, in its voting phase, with pagu,
budget ballots and programs. Everything goes through the services, as a planner and residents would do it.
seed_demo runs it; on its own it needs the demo accounts and seed_data's proposals."""

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from aspirasi.errors import DomainError
from aspirasi.models import (
    Category,
    Cycle,
    Kecamatan,
    Kelurahan,
    Level,
    Opd,
    Program,
    Proposal,
    ProposalStatus,
    Role,
    User,
)
from aspirasi.services.ballots import ballot_replace
from aspirasi.services.budgets import pagu_create, shortlist_decide
from aspirasi.services.forums import forum_record, paper_support_enter
from aspirasi.services.planning import proposal_carry

KELURAHAN_PAGU = 1_500_000_000  # Rp 1.5 billion per kelurahan
KECAMATAN_PAGU = 6_000_000_000


def _minutes_pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return SimpleUploadedFile("berita-acara.pdf", buffer.getvalue(), content_type="application/pdf")


def _cycle(name: str, *, start, ballot: bool) -> Cycle:
    return Cycle.objects.create(
        name=name,
        submission_starts_on=start,
        review_starts_on=start + timedelta(days=14),
        voting_starts_on=start + timedelta(days=28),
        deliberation_starts_on=start + timedelta(days=56),
        closes_on=start + timedelta(days=70),
        budget_ballot=ballot,
        weight_ballot=2 if ballot else 0,
    )


class Command(BaseCommand):
    help = "Seed Musrenbang cycles with pagu, forums, carried proposals, budget ballots and programs (demo)."

    @transaction.atomic
    def handle(self, *args, **options):
        planner = User.objects.filter(role=Role.PLANNER).order_by("id").first()
        if planner is None or Cycle.objects.exists():
            self.stdout.write("No planner, or cycles exist already: no planning demo seeded.")
            return
        today = timezone.localdate()
        closed = _cycle("Musrenbang 2026", start=today - timedelta(days=400), ballot=False)
        current = _cycle("Musrenbang 2027", start=today - timedelta(days=35), ballot=True)  # voting now
        public = list(Proposal.objects.filter(status=ProposalStatus.PUBLISHED).order_by("id"))
        last_year = {p.pk for p in public[: len(public) // 3]}
        Proposal.objects.filter(pk__in=last_year).update(cycle=closed)
        Proposal.objects.exclude(pk__in=last_year).update(cycle=current)
        for cycle in (closed, current):
            for kelurahan in Kelurahan.objects.order_by("id"):
                pagu_create(
                    cycle=cycle, level=Level.KELURAHAN, area_id=kelurahan.pk, amount=KELURAHAN_PAGU,
                    source="apbd", note="Pagu indikatif kelurahan (demo)", actor=planner,
                )  # fmt: skip
            for kecamatan in Kecamatan.objects.order_by("id"):
                pagu_create(
                    cycle=cycle, level=Level.KECAMATAN, area_id=kecamatan.pk, amount=KECAMATAN_PAGU,
                    source="piwk", note="PIWK (demo)", actor=planner,
                )  # fmt: skip
        self._last_year(closed, planner)
        self._ballots(current)
        self._programs(current, planner)
        self.stdout.write(self.style.SUCCESS("Planning demo: Musrenbang 2026 (closed) and 2027 (voting) seeded."))

    def _last_year(self, cycle: Cycle, planner: User) -> None:
        """Forums in every kelurahan with proposals; the top three of each carried to the kecamatan, one pinned."""
        rng = random.Random(2026)
        held = cycle.deliberation_starts_on + timedelta(days=2)
        by_kelurahan: dict[int, list[Proposal]] = {}
        for proposal in Proposal.objects.filter(cycle=cycle).select_related("kelurahan").order_by("-vote_count", "id"):
            by_kelurahan.setdefault(proposal.kelurahan_id, []).append(proposal)
        for kelurahan_id, proposals in by_kelurahan.items():
            kelurahan = proposals[0].kelurahan
            forum = forum_record(
                cycle=cycle, level=Level.KELURAHAN, area_id=kelurahan_id, held_on=held,
                place=f"Aula Kantor Kelurahan {kelurahan.name}", attendance_men=rng.randint(25, 60),
                attendance_women=rng.randint(25, 60), attendance_disabled=rng.randint(0, 5),
                delegates=["Ketua LPM", "Perwakilan PKK", "Perwakilan Karang Taruna"],
                minutes=_minutes_pdf(), actor=planner,
            )  # fmt: skip
            paper_support_enter(forum=forum, proposal=proposals[0], count=rng.randint(10, 80), actor=planner)
            for rank, proposal in enumerate(proposals[:3], start=1):
                proposal_carry(proposal=proposal, level=Level.KECAMATAN, rank=rank, actor=planner, forum=forum)
        first = next(iter(by_kelurahan.values()), [])
        if first:
            shortlist_decide(
                cycle=cycle, level=Level.KELURAHAN, proposal=first[-1], kind="pin",
                reason="Disepakati forum: kebutuhan mendesak", actor=planner,
            )  # fmt: skip

    def _ballots(self, cycle: Cycle) -> None:
        """Residents of each kelurahan choose proposals of their kelurahan by votes until the pagu is used."""
        proposals: dict[int, list[Proposal]] = {}
        for proposal in Proposal.objects.filter(
            cycle=cycle, status=ProposalStatus.PUBLISHED, is_hidden=False, estimated_cost__isnull=False
        ).order_by("-vote_count", "id"):
            proposals.setdefault(proposal.kelurahan_id, []).append(proposal)
        voters = User.objects.filter(role=Role.RESIDENT, phone_verified_at__isnull=False, kelurahan__isnull=False)
        for offset, voter in enumerate(voters.order_by("id")):
            chosen, left = [], KELURAHAN_PAGU
            options = proposals.get(voter.kelurahan_id, [])
            for proposal in options[offset % 2 :]:
                if proposal.estimated_cost <= left:
                    chosen.append(proposal.pk)
                    left -= proposal.estimated_cost
            try:
                ballot_replace(cycle=cycle, voter=voter, proposal_ids=chosen)
            except DomainError:
                continue  # e.g. an inactive seeded resident

    def _programs(self, cycle: Cycle, planner: User) -> None:
        opd = Opd.objects.order_by("id").first()
        if opd is None:
            return
        start = cycle.closes_on + timedelta(days=90)
        for category in Category.objects.order_by("order", "id")[:3]:
            Program.objects.create(
                name=f"Program {category.name_id} {cycle.name[-4:]}", opd=opd, category=category, cycle=cycle,
                budget=4_000_000_000, period_start=start, period_end=start + timedelta(days=300),
            )  # fmt: skip

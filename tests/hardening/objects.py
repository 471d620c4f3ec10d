"""One of each thing an endpoint acts on, all of `author`'s in Manggar: the rows the hardening tests aim at."""

import datetime

from aspirasi.models import AreaBudget, Cycle, Disposition, Forum, Opd, Program, ProposalStatus, ReportStatus
from aspirasi.services.comments import comment_create
from aspirasi.sla import FOLLOW_UP, stage_due_at
from notifications.models import Device, Notification
from tests.aspirasi.factories_moderation import ReportFactory
from tests.factories import ProposalFactory, kelurahan


def objects_of(author) -> dict:
    manggar = kelurahan("manggar")
    # Not started (years ahead): no endpoint's phase rules change because of it.
    cycle = Cycle.objects.create(
        name="Musrenbang 2099",
        submission_starts_on=datetime.date(2099, 1, 1),
        review_starts_on=datetime.date(2099, 2, 1),
        voting_starts_on=datetime.date(2099, 3, 1),
        deliberation_starts_on=datetime.date(2099, 4, 1),
        closes_on=datetime.date(2099, 5, 1),
        budget_ballot=True,
    )
    published = ProposalFactory(author=author, kelurahan=manggar, status=ProposalStatus.PUBLISHED)
    return {
        "cycle": cycle,  # offers a ballot; the author's (in Manggar) reads the budget below
        "budget": AreaBudget.objects.create(
            cycle=cycle, level="kelurahan", kelurahan=manggar, amount=1_000_000, source="apbd"
        ),
        "forum": Forum.objects.create(
            cycle=cycle,
            level="kelurahan",
            kelurahan=manggar,
            held_on=datetime.date(2099, 4, 2),
            place="Aula Kelurahan Manggar",
            attendance_men=30,
            attendance_women=28,
            attendance_disabled=2,
            minutes="forums/berita-acara.pdf",
        ),
        "published": published,
        "comment": comment_create(author=author, proposal=published, body="Komentar penulis"),
        "submitted": ProposalFactory(author=author, kelurahan=manggar, status=ProposalStatus.SUBMITTED),
        "verified_report": ReportFactory(author=author, kelurahan=manggar, status=ReportStatus.VERIFIED),
        "new_report": ReportFactory(author=author, kelurahan=manggar, status=ReportStatus.NEW),
        # Forwarded to Dinas Kesehatan (the opd_officer persona's OPD): its follow-up is theirs alone.
        "disposition": Disposition.objects.create(
            report=ReportFactory(author=author, kelurahan=manggar, status=ReportStatus.VERIFIED),
            opd=Opd.objects.get(slug="dinkes"),
            due_at=stage_due_at(FOLLOW_UP, datetime.datetime.now(datetime.UTC)),
        ),
        "notification": Notification.objects.create(recipient=author, kind="proposal_published", title="t"),
        "device": Device.objects.create(user=author, platform="android", token="fcm-token-of-the-author"),
        "program": Program.objects.create(
            name="Pelatihan menjahit",
            opd_id=1,
            category_id=1,
            budget=1,
            period_start=datetime.date(2027, 1, 1),
            period_end=datetime.date(2027, 12, 31),
        ),
    }

"""Seed demo accounts (one per role) and a small demo data set on a new database, DEBUG only.
Credentials are printed once."""

import io
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aspirasi.models import Kecamatan, Kelurahan, Proposal, ProposalStatus, User
from aspirasi.services.accounts import user_assign_role

DEMO_ACCOUNTS = [
    # phone, display name, role, moderated kecamatan code
    ("+6281100000001", "Warga Demo", "resident", None),
    # The demo moderator covers the whole city so the seeded queue is not empty; real moderators get
    # one kecamatan or a few kelurahan (see the admin's user page).
    ("+6281100000002", "Moderator Kota Balikpapan", "moderator", "*"),
    ("+6281100000003", "Perencana Bappedalitbang", "planner", None),
    ("+6281100000004", "Admin Aspirasi", "admin", None),
]


class Command(BaseCommand):
    help = "Create demo accounts for each role on a new database (DEBUG only) and print their passwords once."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off (never in production)")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo runs only with DEBUG on")
        if User.objects.exists():
            self.stdout.write("Database already has accounts; no demo accounts created.")
            return
        home = Kelurahan.objects.get(slug="manggar")
        lines = []
        for phone, name, role, kecamatan_code in DEMO_ACCOUNTS:
            password = secrets.token_urlsafe(9)
            # Verified and a month old, so the demo resident may do everything at once (flags need a day).
            joined = timezone.now() - timedelta(days=30)
            user = User.objects.create_user(
                phone, password, display_name=name, kelurahan=home, date_joined=joined, phone_verified_at=joined
            )
            if kecamatan_code == "*":
                kecamatan = list(Kecamatan.objects.all())
            else:
                kecamatan = list(Kecamatan.objects.filter(code=kecamatan_code)) if kecamatan_code else []
            user_assign_role(user=user, role=role, kecamatan=kecamatan)
            lines.append(f"  {role:<10} phone {phone}  password {password}")
        self.stdout.write(
            self.style.SUCCESS("Demo accounts (shown once; log in at /admin/ or POST /api/v1/auth/token/):")
        )
        self.stdout.write("\n".join(lines))
        self._demo_data(admin=User.objects.get(phone=DEMO_ACCOUNTS[3][0]))
        self._demo_decisions(moderator=User.objects.get(phone=DEMO_ACCOUNTS[1][0]))
        self._demo_opd_loop(moderator=User.objects.get(phone=DEMO_ACCOUNTS[1][0]))
        self._demo_discussion(resident=User.objects.get(phone=DEMO_ACCOUNTS[0][0]))

    def _demo_data(self, *, admin: User) -> None:
        """A small, repeatable data set: proposals, votes, a few photos and reports where those services exist."""
        try:
            import aspirasi.services.reports  # noqa: F401
        except ImportError:
            reports = 0
        else:
            reports = 5
        call_command("seed_data", proposals=60, votes=300, residents=30, reports=reports, seed=2024, stdout=self.stdout)
        # Cycles with pagu, forums, carried proposals, budget ballots and programs (issue 24).
        call_command("seed_planning_demo", stdout=self.stdout)
        try:
            from aspirasi.services.photos import proposal_photo_add
        except ImportError:
            return
        from PIL import Image

        colours = [(46, 125, 50), (21, 101, 192), (239, 108, 0)]
        published = Proposal.objects.filter(status=ProposalStatus.PUBLISHED).order_by("-vote_count", "-id")[:3]
        for proposal, colour in zip(published, colours, strict=False):
            buffer = io.BytesIO()
            Image.new("RGB", (640, 480), colour).save(buffer, "JPEG")
            buffer.seek(0)
            buffer.name = "demo.jpg"
            proposal_photo_add(proposal=proposal, image=buffer, actor=admin)

    def _demo_decisions(self, *, moderator: User) -> None:
        """A few real decisions by the demo moderator, through the services (audited as in production), so
        the workload page (/admin/moderation/workload/) and the items' audit trails show rows at once."""
        from aspirasi.models import Report, ReportStatus
        from aspirasi.services import moderation

        waiting = list(Proposal.objects.filter(status=ProposalStatus.SUBMITTED).order_by("created_at")[:3])
        for proposal, decide in zip(waiting, ("publish", "publish", "reject"), strict=False):
            moderation.proposal_claim(proposal=proposal, actor=moderator)
            if decide == "publish":
                moderation.proposal_publish(proposal=proposal, actor=moderator)
            else:
                moderation.proposal_reject(
                    proposal=proposal,
                    actor=moderator,
                    reason=moderation.RejectionReason.INCOMPLETE,
                    message="Mohon lengkapi lokasi dan perkiraan jumlah penerima manfaat.",
                )
        for report in Report.objects.filter(status=ReportStatus.NEW).order_by("created_at")[:2]:
            moderation.report_verify(report=report, actor=moderator)

    def _demo_opd_loop(self, *, moderator: User) -> None:
        """OPD officers, routing rules and a few dispositions in every state (docs/sla.md), through the services,
        then moved back in time so the OPD inbox and the SLA report (/admin/opd/sla/) show real figures."""
        from PIL import Image

        from aspirasi.models import Category, Disposition, Opd, Report, ReportStatus, RoutingRule
        from aspirasi.models.opd import OPEN_DISPOSITION_STATES
        from aspirasi.services import dispositions, moderation

        dinkes, dpu = Opd.objects.get(slug="dinkes"), Opd.objects.get(slug="dpu")
        officers = {}
        lines = []
        for phone, name, opd, head in (
            ("+6281100000005", "Kepala Dinas Kesehatan", dinkes, True),
            ("+6281100000006", "Petugas Dinas PU", dpu, False),
            ("+6281100000007", "Kepala Dinas PU", dpu, True),
        ):
            password = secrets.token_urlsafe(9)
            user = User.objects.create_user(phone, password, display_name=name)
            officers[(opd.slug, head)] = user_assign_role(user=user, role="opd", opd=opd, is_opd_head=head)
            lines.append(f"  opd ({opd.slug}{', head' if head else ''}) phone {phone}  password {password}")
        self.stdout.write("\n".join(lines))
        for category, opd in zip(Category.objects.order_by("order", "id"), (dinkes, dpu, dpu, dinkes), strict=False):
            RoutingRule.objects.get_or_create(category=category, kecamatan=None, defaults={"opd": opd})

        def photo():
            buffer = io.BytesIO()
            Image.new("RGB", (640, 480), (120, 144, 156)).save(buffer, "JPEG")
            buffer.seek(0)
            buffer.name = "bukti.jpg"
            return buffer

        for report in Report.objects.filter(status=ReportStatus.NEW).order_by("created_at"):
            moderation.report_verify(report=report, actor=moderator)
        reports = list(Report.objects.filter(status=ReportStatus.VERIFIED).order_by("created_at")[:5])
        kes, pu, pu_head = officers[("dinkes", True)], officers[("dpu", False)], officers[("dpu", True)]
        steps = [
            (dinkes, []),  # forwarded, waiting
            (dpu, [(pu, "accepted", {}), (pu, "in_progress", {})]),
            (dpu, [(pu, "accepted", {}), (pu, "done", {"note": "Sudah diperbaiki", "photo": True})]),
            (dinkes, [(kes, "not_ours", {"reason": "Urusan Dinas PU"})]),
            (dpu, [(pu_head, "done", {"note": "Selesai dikerjakan", "photo": True})]),
        ]
        for report, (opd, answers) in zip(reports, steps, strict=False):
            dispositions.report_dispose(report=report, actor=moderator, opd=opd, note="Mohon ditindaklanjuti")
            for officer, state, extra in answers:
                disposition = Disposition.objects.get(report=report, state__in=OPEN_DISPOSITION_STATES)
                arguments = {**extra, "photo": photo()} if extra.get("photo") else extra
                dispositions.follow_up_record(disposition=disposition, actor=officer, state=state, **arguments)
        # The returned one goes on to Dinas PU; the last one's reporter confirms.
        returned = [r for r in reports if Report.objects.get(pk=r.pk).follow_up_state == "not_ours"]
        for report in returned:
            dispositions.report_dispose(report=report, actor=moderator, opd=dpu, note="Dialihkan ke Dinas PU")
        if len(reports) == 5 and reports[4].author_id:
            dispositions.report_confirm(report=reports[4], actor=reports[4].author, fixed=True, comment="Terima kasih")
        # History: spread the dispositions over the last weeks (some late), as a month of work would be.
        for days_back, disposition in enumerate(Disposition.objects.order_by("id")):
            shift = timedelta(days=2 + 3 * days_back)
            Disposition.objects.filter(pk=disposition.pk).update(
                created_at=disposition.created_at - shift,
                due_at=disposition.due_at - shift,
                **{
                    name: getattr(disposition, name) - shift + timedelta(days=days_back % 3)
                    for name in ("accepted_at", "started_at", "done_at", "returned_at")
                    if getattr(disposition, name)
                },
            )
        self.stdout.write(
            f"OPD loop: {Disposition.objects.count()} dispositions (see /admin/opd/inbox/, /admin/opd/sla/)."
        )

    def _demo_discussion(self, *, resident: User) -> None:
        """A discussion on the most supported proposal, through the service (counted, notified): a resident's
        question, a neighbour's reply and an official answer by an OPD officer (shown by role and OPD)."""
        from aspirasi.models import FlagReason
        from aspirasi.services.comments import comment_create, comment_flag

        proposal = Proposal.objects.filter(status=ProposalStatus.PUBLISHED).order_by("-vote_count", "-id").first()
        officer = User.objects.filter(role="opd").order_by("id").first()
        neighbour = (
            User.objects.filter(role="resident", phone_verified_at__isnull=False).exclude(pk=resident.pk).first()
        )
        if proposal is None or officer is None or neighbour is None:
            return
        question = comment_create(
            author=resident, proposal=proposal, body="Kapan kegiatan ini bisa dimulai, dan di mana tempatnya?"
        )
        comment_create(
            author=neighbour, proposal=proposal, parent_id=question.pk, body="Saya juga ingin tahu, anak saya ikut."
        )
        comment_create(
            author=officer,
            proposal=proposal,
            parent_id=question.pk,
            body="Usulan ini sedang kami kaji untuk Musrenbang kecamatan; jadwal diumumkan setelah pagu ditetapkan.",
        )
        # A comment residents flagged past the threshold: the workbench shows it, waiting for its decision.
        flagged = comment_create(
            author=neighbour, proposal=proposal, body="Jualan pulsa murah, hubungi 0812-0000-0000 sekarang juga!"
        )
        flaggers = (
            User.objects.filter(role="resident", phone_verified_at__isnull=False)
            .exclude(pk__in=[neighbour.pk, resident.pk])
            .order_by("id")[: settings.FLAG_REVIEW_THRESHOLD]
        )
        for flagger in flaggers:
            comment_flag(comment=flagged, flagger=flagger, reason=FlagReason.SPAM)
        self.stdout.write(
            f"Discussion: 4 comments on proposal #{proposal.pk}, one flagged for review "
            "(see the workbench's Comments filter)."
        )

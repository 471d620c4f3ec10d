"""Aspirasi's domain models, one module per area of the domain; import them from here."""

from .accounts import Language, Role, User
from .areas import Kecamatan, Kelurahan
from .categories import Category, TargetGroup
from .idempotency import IdempotencyRecord
from .moderation import AuditEntry, Flag, FlagOutcome, FlagReason, Opd
from .phone_codes import CodeCheck, CodePurpose, PhoneCodeDevice
from .planning import CarriedProposal, Cycle, Level, Phase, Program, ProgramStatus, ProgramUpdate, VoteScope
from .proposals import Proposal, ProposalPhoto, ProposalStatus, ProposalStatusEvent, Vote
from .reports import Report, ReportStatus
from .schedule import ScheduledRun
from .versions import ListVersion

__all__ = [
    "AuditEntry",
    "CarriedProposal",
    "Category",
    "CodeCheck",
    "CodePurpose",
    "Cycle",
    "Flag",
    "FlagOutcome",
    "FlagReason",
    "IdempotencyRecord",
    "Kecamatan",
    "Kelurahan",
    "Language",
    "Level",
    "ListVersion",
    "Opd",
    "Phase",
    "PhoneCodeDevice",
    "Program",
    "ProgramStatus",
    "ProgramUpdate",
    "Proposal",
    "ProposalPhoto",
    "ProposalStatus",
    "ProposalStatusEvent",
    "Report",
    "ReportStatus",
    "Role",
    "ScheduledRun",
    "TargetGroup",
    "User",
    "Vote",
    "VoteScope",
]

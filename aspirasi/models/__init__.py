"""Aspirasi's domain models, one module per area of the domain; import them from here."""

from .accounts import Language, Role, User
from .areas import Kecamatan, Kelurahan
from .categories import Category, TargetGroup
from .comments import COMMENT_MAX_LENGTH, Comment, CommentFlag, CommentState, ProposalFollow
from .idempotency import IdempotencyRecord
from .moderation import AuditEntry, Flag, FlagOutcome, FlagReason, Opd
from .opd import (
    CalendarDay,
    CalendarDayKind,
    Disposition,
    DispositionState,
    Escalation,
    FollowUpEvent,
    FollowUpState,
    FollowUpStep,
    RoutingRule,
)
from .phone_codes import CodeCheck, CodePurpose, PhoneCodeDevice
from .planning import (
    AreaBudget,
    BallotChoice,
    CarriedProposal,
    Cycle,
    Forum,
    Level,
    PaguSource,
    PaperSupport,
    Phase,
    Program,
    ProgramStatus,
    ProgramUpdate,
    ShortlistDecision,
    ShortlistDecisionKind,
    VoteScope,
)
from .proposals import Proposal, ProposalPhoto, ProposalStatus, ProposalStatusEvent, Vote
from .reports import Report, ReportStatus
from .schedule import ScheduledRun
from .versions import ListVersion

__all__ = [
    "COMMENT_MAX_LENGTH",
    "AreaBudget",
    "AuditEntry",
    "BallotChoice",
    "CalendarDay",
    "CalendarDayKind",
    "CarriedProposal",
    "Category",
    "CodeCheck",
    "CodePurpose",
    "Comment",
    "CommentFlag",
    "CommentState",
    "Cycle",
    "Disposition",
    "DispositionState",
    "Escalation",
    "Flag",
    "FlagOutcome",
    "FlagReason",
    "FollowUpEvent",
    "FollowUpState",
    "FollowUpStep",
    "Forum",
    "IdempotencyRecord",
    "Kecamatan",
    "Kelurahan",
    "Language",
    "Level",
    "ListVersion",
    "Opd",
    "PaguSource",
    "PaperSupport",
    "Phase",
    "PhoneCodeDevice",
    "Program",
    "ProgramStatus",
    "ProgramUpdate",
    "Proposal",
    "ProposalFollow",
    "ProposalPhoto",
    "ProposalStatus",
    "ProposalStatusEvent",
    "Report",
    "ReportStatus",
    "Role",
    "RoutingRule",
    "ScheduledRun",
    "ShortlistDecision",
    "ShortlistDecisionKind",
    "TargetGroup",
    "User",
    "Vote",
    "VoteScope",
]

"""Who may do what, written once. DRF permissions, admin querysets and WebSocket consumers all ask here."""

from django.db.models import Q

from aspirasi.models import Report, Role
from realtime import events


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


def is_moderator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.MODERATOR)


def is_planner(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.PLANNER)


def is_opd_officer(user) -> bool:
    """An officer of a city department (OPD); `user.opd` says which, `user.is_opd_head` whether they head it."""
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.OPD and user.opd_id)


def is_resident(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.RESIDENT)


def is_verified_resident(user) -> bool:
    """A resident whose phone answered a one-time code: only they vote, flag, submit and comment."""
    return is_resident(user) and user.phone_verified_at is not None


def must_verify_phone(user) -> bool:
    """A resident whose phone has not answered a code yet: logging in sends one instead of tokens. Staff
    accounts are made by an admin and are not asked."""
    return is_resident(user) and user.phone_verified_at is None


def moderated_kelurahan_ids(user) -> set[int]:
    """Kelurahan a moderator covers: those assigned directly and those of assigned kecamatan."""
    from aspirasi.models import Kelurahan

    if not is_moderator(user):
        return set()
    return set(
        Kelurahan.objects.filter(Q(moderators=user) | Q(kecamatan__moderators=user)).values_list("id", flat=True)
    )


def can_moderate(user, kelurahan_id: int) -> bool:
    return is_admin(user) or kelurahan_id in moderated_kelurahan_ids(user)


def can_plan(user) -> bool:
    """Planners and admins rank, carry and export priorities and manage programs."""
    return is_planner(user) or is_admin(user)


def can_flag(user) -> bool:
    """Residents flag public items. Staff have the moderation tools instead: a planner's or moderator's flag
    would count toward hiding an item like a resident's."""
    return is_resident(user)


def can_comment(user) -> bool:
    """Verified residents, and staff who answer (moderators, OPD officers, planners, admins)."""
    return is_verified_resident(user) or is_comment_official(user)


def is_comment_official(user) -> bool:
    """Staff whose comments are official answers, shown by role and OPD, never by name."""
    return is_admin(user) or is_moderator(user) or is_opd_officer(user) or is_planner(user)


def reads_threads_as_everyone(user) -> bool:
    """Whether `user` reads a public item's thread as an anonymous reader does (but for their `is_own`):
    everyone but staff, who may open more threads than the public ones."""
    return not is_comment_official(user)


def can_add_proposal_photo(user, proposal) -> bool:
    """The author (while the proposal is editable: the service checks the status) or a moderator of its area."""
    return proposal.author_id == user.pk or can_moderate(user, proposal.kelurahan_id)


def can_see_authors(user) -> bool:
    """Moderators, planners and admins see who wrote a submission, even an anonymous one."""
    return is_admin(user) or is_moderator(user) or is_planner(user)


def can_see_exact_report_location(user, report) -> bool:
    """A point read from a photo's GPS may be where the resident lives: exact for its author and for staff,
    rounded for everyone else (see api/reports.ReportOutput)."""
    if report.location_source != Report.LocationSource.EXIF:
        return True
    return bool(user and user.is_authenticated and (report.author_id == user.pk or can_see_authors(user)))


# --- Moderation: one scope for the API, the admin and the live sockets ---------------------------------


def can_act_as_moderator(user) -> bool:
    """Moderators and admins decide items; planners and residents never do."""
    return is_admin(user) or is_moderator(user)


def can_read_moderation(user) -> bool:
    """Who may look at the moderation queue and the admin lists: moderators, admins and (read-only) planners."""
    return can_act_as_moderator(user) or is_planner(user)


# "Every item" as a filter that survives `|`: Django drops an empty Q() from an OR, which would turn
# "public or everything" into "public only".
EVERYTHING = Q(pk__isnull=False)


def _moderated_kelurahan_q(user, field: str) -> Q:
    from aspirasi.models import Kelurahan

    areas = Kelurahan.objects.filter(Q(moderators=user) | Q(kecamatan__moderators=user)).values("id")
    return Q(**{f"{field}__in": areas})


def moderation_scope(user, *, field: str = "kelurahan") -> Q:
    """Items `user` may decide, as a filter on `field` (a kelurahan foreign key): everything for admins,
    the moderator's areas (a kecamatan covers its kelurahan), nothing for anyone else."""
    if is_admin(user):
        return EVERYTHING
    if is_moderator(user):
        return _moderated_kelurahan_q(user, field)
    return Q(pk__in=[])


def moderation_read_scope(user, *, field: str = "kelurahan") -> Q:
    """Items `user` may see in moderation views: the moderation scope, plus every area for planners."""
    if is_planner(user):
        return EVERYTHING
    return moderation_scope(user, field=field)


def can_moderate_all(user, kelurahan_ids) -> bool:
    """True when `user` moderates every one of `kelurahan_ids` (e.g. both ends of a relocation)."""
    if is_admin(user):
        return True
    covered = moderated_kelurahan_ids(user)
    return bool(covered) and set(kelurahan_ids) <= covered


def can_relocate_report(user, report, kelurahan_id: int) -> bool:
    """A report moves between areas its moderator covers; one whose kelurahan is unconfirmed (a guess from
    its author's home) may be handed to any kelurahan by the moderators who received it."""
    if not can_moderate(user, report.kelurahan_id):
        return False
    return not report.kelurahan_confirmed or can_moderate(user, kelurahan_id)


def moderation_socket_groups(user) -> list[str]:
    """The live groups a moderation socket joins: every area for admins, the moderator's kelurahan, or none."""
    if is_admin(user):
        return [events.MODERATION_ALL_GROUP]
    return [events.moderation_kelurahan_group(pk) for pk in sorted(moderated_kelurahan_ids(user))]


def can_read_results(user, cycle) -> bool:
    """A cycle's results (ranks, scores, shortlist, forum) are public once the cycle has closed; before that,
    planners' and admins' only (issue 24)."""
    from aspirasi.models import Phase

    return cycle.current_phase == Phase.CLOSED or can_plan(user)


# --- the OPD loop (issue 23, docs/sla.md) --------------------------------------------------------------


def can_dispose(user, kelurahan_id: int) -> bool:
    """Forwarding an item to an OPD is a moderation decision: the area's moderators and admins."""
    return can_act_as_moderator(user) and can_moderate(user, kelurahan_id)


def can_follow_up(user, disposition) -> bool:
    """An OPD's officers (its head among them) act on what was forwarded to their OPD, and only that."""
    return is_opd_officer(user) and user.opd_id == disposition.opd_id


def opd_inbox_scope(user) -> Q:
    """Dispositions in `user`'s OPD inbox: every officer sees the whole OPD's (a small team shares the work);
    nothing for anyone else."""
    if is_opd_officer(user):
        return Q(opd_id=user.opd_id)
    return Q(pk__in=[])


def can_read_sla_report(user) -> bool:
    """The SLA report per OPD (/admin/opd/sla/): whoever reads moderation, and every officer of an OPD (for
    their own OPD: sla_report_scope)."""
    return can_read_moderation(user) or is_opd_officer(user)


def sla_report_scope(user) -> Q:
    """The dispositions the SLA report counts for `user`: every OPD's for moderators, planners and admins (the
    city compares its OPDs), the officer's own OPD's for any of its officers, nothing for anyone else."""
    if can_read_moderation(user):
        return EVERYTHING
    return opd_inbox_scope(user)


def sees_opd_escalations(user) -> bool:
    """The head answers for the OPD's deadlines: overdue escalations are theirs."""
    return is_opd_officer(user) and user.is_opd_head


def can_confirm_fix(user, report) -> bool:
    """Only the reporter confirms or reopens their report's fix."""
    return bool(user and user.is_authenticated and user.is_active and report.author_id == user.pk)


def opd_socket_groups(user) -> list[str]:
    """The live group of an officer's OPD inbox (ws/opd/), or none."""
    return [events.opd_group(user.opd_id)] if is_opd_officer(user) else []

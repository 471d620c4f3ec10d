"""Erasure of a resident's account, the right to erasure of UU 27/2022 (PDP): what goes, what stays and why
is docs/privacy.md.

One transaction: the account row, its sessions, its open votes, its unpublished items and (by the
`user_erasing` signal) what other apps hold of the person go together, or, on any failure, nothing does.
Public proposals and reports stay without their author (shown as "Warga <kelurahan>"); the person's comments
keep their place in their threads with their text gone (a "comment removed" placeholder); votes of ballots no
longer open stay counted without their voter; the audit trail names the person by a pseudonym. The list
versions move by their triggers (migration 0014) as the authors are cleared: no cache is touched here.
"""

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.crypto import salted_hmac
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from aspirasi import login_limits, signals
from aspirasi.errors import CallerNotFound, StaffErasureRefused, VotingClosedPhase
from aspirasi.models import (
    AuditEntry,
    Comment,
    CommentState,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    ProposalStatusEvent,
    Report,
    Role,
    User,
    Vote,
)
from aspirasi.models.proposals import PUBLIC_STATUSES
from aspirasi.models.reports import PUBLIC_REPORT_STATUSES
from aspirasi.services.comments import comments_publish_removed
from aspirasi.services.credentials import password_require
from aspirasi.services.cycles import cycle_require_phase
from aspirasi.services.votes import vote_tally_publish


def actor_pseudonym(user_id: int) -> str:
    """The stand-in for an erased account in the audit trail: the same for all of one person's entries,
    not to be turned back into the id without the SECRET_KEY (an HMAC of it)."""
    return "erased-" + salted_hmac("aspirasi.erasure.actor", str(user_id)).hexdigest()[:24]


def _proposals_lock(user: User) -> None:
    """Lock, in id order, every proposal whose counts the erasure moves (their votes', their comments') or
    that it deletes (their own), before anything else: a vote locks its proposal before its row moves a
    tallies version (a trigger), so moving a version first and taking a proposal after deadlocks with it."""
    touched = (
        Q(pk__in=Vote.objects.filter(voter=user).values("proposal_id"))
        | Q(pk__in=Comment.objects.filter(author=user, proposal__isnull=False).values("proposal_id"))
        | Q(author=user)
    )
    list(Proposal.objects.select_for_update().filter(touched).order_by("pk").values_list("pk", flat=True))


def _votes_withdraw_open(user: User) -> list[int]:
    """Withdraw the votes the person could still withdraw themselves (services/votes.vote_withdraw: the
    cycle is in its voting phase, or there is none, and the proposal is published), each under the same
    rule: the row deleted and the count moved by one, in the database. Returns the proposals' ids."""
    try:
        cycle_require_phase(action="vote")
    except VotingClosedPhase:
        return []  # no ballot is open: every vote is part of a closed count and stays, without its voter
    withdrawn = []
    open_votes = Vote.objects.filter(voter=user, proposal__status=ProposalStatus.PUBLISHED)
    for proposal_id in open_votes.values_list("proposal_id", flat=True):
        # Only a vote this statement deleted is uncounted: a merge that moved it meanwhile recounted both.
        if Vote.objects.filter(voter=user, proposal_id=proposal_id).delete()[0]:
            Proposal.objects.filter(pk=proposal_id).update(vote_count=F("vote_count") - 1)
            vote_tally_publish(proposal_id=proposal_id)
            withdrawn.append(proposal_id)
    return withdrawn


def _comments_blank(user: User) -> int:
    """Blank the text of the person's comments: a visible one becomes "comment removed", as if its author had
    deleted it (replies keep their place, the proposal's comment_count drops by it, in the database, and its
    thread's open screens hear `comment.updated` after commit, as for an author's own removal); a hidden one
    stays hidden, without its text. Returns how many were blanked."""
    visible = Comment.objects.filter(author=user, state=CommentState.VISIBLE, proposal__isnull=False)
    removed_ids = list(visible.values_list("pk", flat=True))
    per_proposal = visible.values("proposal_id").annotate(n=Count("pk")).order_by().values_list("proposal_id", "n")
    for proposal_id, n in per_proposal:
        Proposal.objects.filter(pk=proposal_id).update(comment_count=F("comment_count") - n)
    Comment.objects.filter(author=user, state=CommentState.VISIBLE).update(state=CommentState.DELETED)
    blanked = Comment.objects.filter(author=user).exclude(body="").update(body="")
    comments_publish_removed(removed_ids)
    return blanked


def _unpublished_items_delete(user: User) -> list[str]:
    """Delete the person's proposals and reports that were never, or are no longer, public (nobody but
    they and the moderators ever saw them); returns the names of their stored files. A proposal another
    one was merged into stays (the merged one points at it)."""
    merged_into_it = Proposal.objects.filter(merged_into=OuterRef("pk"))
    proposals = Proposal.objects.filter(author=user).exclude(status__in=PUBLIC_STATUSES).filter(~Exists(merged_into_it))
    reports = Report.objects.filter(author=user).exclude(status__in=PUBLIC_REPORT_STATUSES)
    files = [
        name
        for row in ProposalPhoto.objects.filter(proposal__in=proposals).values_list(
            "image", "thumbnail_small", "thumbnail_large"
        )
        for name in row
    ]
    files += [
        name
        for row in reports.values_list("image", "thumbnail_small", "thumbnail_large", "resolution_image")
        for name in row
    ]
    proposals.delete()
    reports.delete()
    return [name for name in files if name]


@transaction.atomic
def account_erase(*, user: User, password: str) -> None:
    """Erase the resident `user` after checking their password (WrongPassword); staff accounts are refused
    (StaffErasureRefused: an administrator removes them). Sends `user_erasing`; publishes `vote.tally` for
    the proposals whose votes were withdrawn and deletes the stored files of the deleted items, after commit."""
    # Locked: the person's votes serialize on this row (services/votes.py), so none lands mid-erasure.
    user = User.objects.select_for_update().filter(pk=user.pk).first()
    if user is None:
        raise CallerNotFound()
    if user.is_staff or user.is_superuser or user.role != Role.RESIDENT:
        raise StaffErasureRefused()
    password_require(user=user, password=password, field="password")

    _proposals_lock(user)
    _votes_withdraw_open(user)
    pseudonym = actor_pseudonym(user.pk)
    ProposalStatusEvent.objects.filter(actor=user).update(actor_pseudonym=pseudonym)
    AuditEntry.objects.filter(actor=user).update(actor_pseudonym=pseudonym)
    files = _unpublished_items_delete(user)
    _comments_blank(user)
    # Its sessions (their rows name the account) and the admin's history of the account (its object_repr
    # is "<name> (<phone>)").
    OutstandingToken.objects.filter(user=user).delete()
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).delete()
    login_limits.forget(username=user.phone)
    signals.user_erasing.send(sender=User, user=user)
    # What is left points at the account by SET_NULL (public items, closed votes, the audit trail) or goes
    # with it by CASCADE (flags, Idempotency-Key records).
    user.delete()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])

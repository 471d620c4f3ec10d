"""Reads of the discussion: which thread a caller may open, its comments in page order, who follows."""

from django.db.models import Q, QuerySet

from aspirasi import policies
from aspirasi.models import Comment, Proposal, ProposalFollow, Report, User, Vote
from aspirasi.selectors.proposals import proposals_visible_to
from aspirasi.selectors.reports import reports_visible_to


def thread_proposal(*, pk: int, user) -> Proposal | None:
    """The proposal whose thread `user` may read and write: a public one, their own, one of the areas they
    may read as staff, or (OPD officers) one forwarded to their OPD. None otherwise (a 404)."""
    visible = proposals_visible_to(user)
    if policies.is_opd_officer(user):
        visible = Proposal.objects.filter(Q(pk__in=visible.values("pk")) | Q(opd_id=user.opd_id))
    # What a thread needs of its proposal, not the whole row (a page of comments reads it first).
    return visible.filter(pk=pk).only("id", "author_id", "kelurahan_id", "title", "status", "opd_id").first()


def thread_report(*, pk: int, user) -> Report | None:
    """The report whose thread `user` may read and write (public, their own, staff's areas), or None."""
    return reports_visible_to(user).filter(pk=pk).first()


_COMMENT_FIELDS = [
    "id",
    "proposal_id",
    "report_id",
    "parent_id",
    "author_id",
    "author_opd_id",
    "body",
    "state",
    "is_official",
    "author_role",
    "created_at",
    "edited_at",
]


def comments_of(*, proposal: Proposal | None = None, report: Report | None = None) -> QuerySet[Comment]:
    """A thread's comments, every state (a removed one stays as a placeholder), with what the output shows:
    one query per page."""
    lookup = {"proposal": proposal} if proposal is not None else {"report": report}
    # Only what the output shows of the author and the OPD: a User row is wide, and a page builds 20.
    return (
        Comment.objects.filter(**lookup)
        .select_related("author", "author_opd")
        .only(*_COMMENT_FIELDS, "author__display_name", "author_opd__slug", "author_opd__name")
    )


def comment_for(*, pk: int, user) -> Comment | None:
    """A comment whose thread `user` may read, or None."""
    comment = Comment.objects.select_related("author", "author_opd").filter(pk=pk).first()
    if comment is None:
        return None
    if comment.proposal_id is not None:
        item = thread_proposal(pk=comment.proposal_id, user=user)
    else:
        item = thread_report(pk=comment.report_id, user=user)
    return comment if item is not None else None


def followers_of(proposal: Proposal) -> QuerySet:
    """Who hears of `proposal`'s discussion: its author, whoever follows it, voted for it or commented on it,
    except those who turned following it off (an inactive ProposalFollow). Voting and commenting write no
    follow row: the vote path stays as it is, and turning off is one row."""

    followed = Q(proposal_follows__proposal=proposal, proposal_follows__active=True)
    voted = Q(pk__in=Vote.objects.filter(proposal=proposal).values("voter_id"))
    commented = Q(pk__in=Comment.objects.filter(proposal=proposal).values("author_id"))
    authored = Q(pk=proposal.author_id) if proposal.author_id else Q(pk__in=[])
    turned_off = ProposalFollow.objects.filter(proposal=proposal, active=False).values("user_id")
    return User.objects.filter(followed | voted | commented | authored).exclude(pk__in=turned_off).distinct()


def is_following(*, proposal: Proposal, user) -> bool:
    return followers_of(proposal).filter(pk=user.pk).exists()

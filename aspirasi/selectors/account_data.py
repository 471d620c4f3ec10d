"""What the domain holds about one person, for the export of their data (UU 27/2022 PDP, the right of access).

Read in a fixed number of queries whatever the person wrote. What is left out, and why, is in docs/privacy.md:
other people's personal data about the person's items (who flagged or voted for them), staff identities
(who claimed or decided an item) and the moderators' internal audit trail; the person's view of those
decisions is in what is exported (statuses, rejection messages, the public timeline).
notifications/selectors.notification_data_for reads the rest (aspirasi does not import notifications).
"""

from django.db.models import Prefetch

from aspirasi.models import (
    Comment,
    CommentFlag,
    Flag,
    Proposal,
    ProposalFollow,
    ProposalPhoto,
    ProposalStatusEvent,
    Report,
    User,
    Vote,
)


def account_data_for(*, user: User) -> dict:
    """{"profile", "proposals", "reports", "votes", "flags", "comments", "comment_flags", "follows"} of `user`:
    rows for api/me.AccountDataOutput."""
    profile = User.objects.select_related("kelurahan__kecamatan").get(pk=user.pk)
    proposals = (
        Proposal.objects.filter(author=user)
        .select_related("category", "kelurahan")
        .prefetch_related(
            "target_groups",
            Prefetch("photos", queryset=ProposalPhoto.objects.order_by("created_at", "id")),
            Prefetch("timeline", queryset=ProposalStatusEvent.objects.order_by("created_at", "id")),
        )
        .order_by("created_at", "id")
    )
    reports = Report.objects.filter(author=user).select_related("category", "kelurahan").order_by("created_at", "id")
    votes = (
        Vote.objects.filter(voter=user).select_related("proposal").only("created_at", "proposal__id", "proposal__title")
    )
    flags = Flag.objects.filter(flagger=user).order_by("created_at", "id")
    comments = Comment.objects.filter(author=user).order_by("created_at", "id")
    comment_flags = CommentFlag.objects.filter(flagger=user).order_by("created_at", "id")
    follows = ProposalFollow.objects.filter(user=user).order_by("created_at", "id")
    return {
        "profile": profile,
        "proposals": list(proposals),
        "reports": list(reports),
        "votes": list(votes.order_by("created_at", "id")),
        "flags": list(flags),
        "comments": list(comments),
        "comment_flags": list(comment_flags),
        "follows": list(follows),
    }

"""The version of the public proposals list, so its rendered items can be cached and never served stale.

Every service that changes what a list item shows (a status, a correction, a photo, a program's
progress, an author's name, reference names edited in the admin) calls `mark_changed()` inside its
transaction. The version moves once the transaction commits: a rolled-back write invalidates nothing,
and the writer's own response is sent only after the move, so the writer reads their change back. Votes
move nothing: tallies and the order by votes are read live with every page.

A reader takes the version with its page's rows and renders afterwards, so an item cached under version N
was built from data at least as new as the commit that made N. The counter lives in the database: every
process reads the same number with or without Redis (api/list_cache.py keeps the items per process).
"""

import logging

from django.db import transaction
from django.db.models import F, Subquery

from aspirasi.models import ListVersion

logger = logging.getLogger(__name__)

PUBLIC_PROPOSALS = "public_proposals"


def mark_changed() -> None:
    """The public list changes with the current transaction: move its version after commit."""
    transaction.on_commit(_bump)


def _bump() -> None:
    try:
        if not ListVersion.objects.filter(name=PUBLIC_PROPOSALS).update(value=F("value") + 1):
            ListVersion.objects.get_or_create(name=PUBLIC_PROPOSALS, defaults={"value": 1})
    except Exception:
        # The write itself has committed; cached items may lag until the next change or their expiry.
        logger.exception("public list version not moved")


def current_version() -> int:
    return ListVersion.objects.filter(name=PUBLIC_PROPOSALS).values_list("value", flat=True).first() or 0


def version_expression() -> Subquery:
    """The current version as a column: a page query carries it, read in the same snapshot as its rows
    and without a round trip of its own."""
    return Subquery(ListVersion.objects.filter(name=PUBLIC_PROPOSALS).values("value")[:1])

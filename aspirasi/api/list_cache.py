"""The public list's items, rendered once per version of the list and kept per process.

A list request reads its page live: which proposals, in which order, their tally, the caller's
`has_voted` and `is_own` (selectors.proposals_live_fields, one query without joins). Everything else an
item shows (text, category and area names, photos, program, author) comes from here, rendered for nobody
in particular and keyed by the list's version (aspirasi/public_list.py, moved after commit by every writer
of such content), the variant (public, or staff with authors), the language (category names are
translated), the host (photo URLs are absolute) and the proposal. A vote moves no version: the tally and
the order by votes are always read live, so the cache survives a voting week.
"""

from collections.abc import Callable, Iterable

from django.core.cache import caches
from django.utils.translation import get_language


def rendered_items(
    request, *, ids: list[int], version: int, variant: str, render: Callable[[list[int]], Iterable[dict]]
) -> dict[int, dict]:
    """id -> rendered item for `ids`, rendering only those not cached yet (in one `render(missing)` call).
    `version` is the list's version read with the page (before rendering: see public_list)."""
    items = caches["list_items"]
    prefix = f"{version}:{variant}:{get_language()}:{request.get_host()}:{request.scheme}:"
    found = items.get_many([prefix + str(pk) for pk in ids])
    cached = {int(key.rsplit(":", 1)[1]): item for key, item in found.items()}
    missing = [pk for pk in ids if pk not in cached]
    if missing:
        fresh = {item["id"]: item for item in render(missing)}
        items.set_many({prefix + str(pk): item for pk, item in fresh.items()})
        cached.update(fresh)
    return cached

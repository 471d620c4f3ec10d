"""Pages of the public proposals list, cached per process under the list's version (aspirasi/public_list.py).

A cached page is what every caller of one variant shares (the public one, or staff's with authors):
`has_voted` and `is_own` are false in it and the authors' ids ride along, never rendered, so
`for_caller` sets both for the caller from one query over the page's ids. The key holds the version,
the variant, the language (category names are translated) and the whole URL (filters, cursor, and the
host the next/previous links are built on), so a hit is exactly the page a fresh read would render.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import caches
from django.utils.translation import get_language

from aspirasi import public_list
from aspirasi.selectors import proposals as selectors


@dataclass(frozen=True)
class CachedPage:
    body: dict  # {"next", "previous", "results"}: the paginated response, for a caller who voted for none
    author_ids: list[int]  # per result, to set `is_own`


def _key(request, variant: str) -> str:
    parts = [str(public_list.current_version()), variant, get_language() or "", request.build_absolute_uri()]
    return "proposals:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached_page(request, *, variant: str, build: Callable[[], CachedPage]) -> CachedPage:
    """The page for this request's URL from the cache, or `build()` it (a bad filter raises, nothing is kept)."""
    pages = caches["pages"]
    key = _key(request, variant)  # the version is read before the page is built: see public_list
    page = pages.get(key)
    if page is None:
        page = build()
        pages.set(key, page)
    return page


def for_caller(page: CachedPage, user) -> dict:
    """The shared page with `has_voted` and `is_own` set for `user`."""
    if not user.is_authenticated:
        return page.body
    results = page.body["results"]
    voted = selectors.proposal_ids_voted_by(user=user, proposal_ids=[item["id"] for item in results])
    return {
        **page.body,
        "results": [
            {**item, "has_voted": item["id"] in voted, "is_own": author_id == user.pk}
            for item, author_id in zip(results, page.author_ids, strict=True)
        ],
    }

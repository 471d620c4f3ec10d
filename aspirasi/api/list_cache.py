"""The public list, cached per process at two grains, never stale (versions: aspirasi/public_list.py).

**Pages.** A whole page (which proposals, in which order, with their tallies and cursor links) is kept
under both versions, the variant (public, or staff with authors), the language, and the full URL with its
host (links and photo URLs are absolute). A vote moves the tallies' version, so the next read of a page
after a vote builds it again; between votes every caller reads the same page. A caller's own fields
(`has_voted`, `is_own`) are never in it: the view sets them per request, from the ids of the page's
proposals the caller supports, kept per caller and page under the same key.

**Details.** A public proposal's detail is kept the same way, as a page of one item under both versions
and its own URL (`detail_page`): a viral proposal's link is read many times between two votes.

**Comment threads.** A page of a public item's thread is kept the same way (`thread_page`), under the
thread's version, for everyone but staff; the caller's `is_own` is appended per request.

**Items.** When a page is built, each item (text, category and area names, photos, program, author) comes
from the item cache, rendered for nobody in particular and keyed by the content version alone: a vote
builds the page again from the items already rendered, so items survive a voting week.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Iterable

import orjson
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.translation import get_language
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

_CALLERS_OWN = ("has_voted", "is_own")
_CALLERS_OWN_JSON = {
    (has_voted, is_own): orjson.dumps({"has_voted": has_voted, "is_own": is_own})[1:]  # b'"has_voted":..}'
    for has_voted in (False, True)
    for is_own in (False, True)
}
_IS_OWN_JSON = {is_own: orjson.dumps({"is_own": is_own})[1:] for is_own in (False, True)}  # comments: no vote


_default = JSONEncoder().default  # DRF's own conversions (Decimal, lazy text, dates)


@dataclasses.dataclass(frozen=True)
class Page:
    """A page rendered once as JSON for nobody in particular. Each item's JSON stops short of the caller's
    own fields (`has_voted`, `is_own`), which `for_caller` appends: a caller's page costs a join of bytes."""

    head: bytes  # b'{"next":...,"previous":...,"results":['; b"" for a detail
    items: tuple[bytes, ...]  # b'{"id":1,...' without its closing brace
    ids: tuple[int, ...]
    author_ids: tuple[int | None, ...]
    anonymous: bytes
    digest: str = ""  # of `anonymous`: the ETags derive from it without hashing a page per request
    tail: bytes = b"]}"  # b"" for a detail
    votable: bool = True  # False: items carry `is_own` only (comments)

    @classmethod
    def render(cls, body: dict, *, author_ids: list[int | None], votable: bool = True) -> "Page":
        """`body` as a paginator gives it: {"next", "previous", "results"}."""
        head = orjson.dumps({key: value for key, value in body.items() if key != "results"}, default=_default)
        head = head[:-1] + b',"results":['
        return cls._of(head=head, items=body["results"], author_ids=author_ids, tail=b"]}", votable=votable)

    @classmethod
    def render_one(cls, item: dict, *, author_id: int | None) -> "Page":
        """One proposal's detail as its serializer gives it."""
        return cls._of(head=b"", items=[item], author_ids=[author_id], tail=b"")

    @classmethod
    def _of(
        cls, *, head: bytes, items: list[dict], author_ids: list[int | None], tail: bytes, votable: bool = True
    ) -> "Page":
        items = [{key: value for key, value in item.items() if key not in _CALLERS_OWN} for item in items]
        page = cls(
            head=head,
            items=tuple(orjson.dumps(item, default=_default)[:-1] + b"," for item in items),
            ids=tuple(item["id"] for item in items),
            author_ids=tuple(author_ids),
            anonymous=b"",
            tail=tail,
            votable=votable,
        )
        anonymous = page.for_caller(voted=set(), user_id=None)
        digest = hashlib.blake2b(anonymous, digest_size=16).hexdigest()
        return dataclasses.replace(page, anonymous=anonymous, digest=digest)

    def for_caller(self, *, voted: set[int], user_id: int | None) -> bytes:
        # An erased author's item has no author id: it is nobody's own, the anonymous caller's neither.
        if self.votable:
            items = (
                item + _CALLERS_OWN_JSON[(pk in voted, user_id is not None and author_id == user_id)]
                for item, pk, author_id in zip(self.items, self.ids, self.author_ids, strict=True)
            )
        else:
            items = (
                item + _IS_OWN_JSON[user_id is not None and author_id == user_id]
                for item, author_id in zip(self.items, self.author_ids, strict=True)
            )
        return self.head + b",".join(items) + self.tail

    def etag(self, *, voted: set[int], user_id: int | None) -> str:
        """The ETag of `for_caller(voted, user_id)`: what its bytes are made of, hashed (the page, the
        caller's votes among its items, and the caller for `is_own`)."""
        if user_id is None:
            return f'"{self.digest}"'
        mine = ",".join(str(pk) for pk in self.ids if pk in voted)
        digest = hashlib.blake2b(f"{self.digest}:{mine}:{user_id}".encode(), digest_size=16).hexdigest()
        return f'"{digest}"'


def page_response(request, page: Page, *, voted: set[int]) -> HttpResponse:
    """`page` as the caller sees it (their own fields on each item), with its ETag."""
    user_id = request.user.pk if request.user.is_authenticated else None
    content = page.anonymous if user_id is None else page.for_caller(voted=voted, user_id=user_id)
    if request.accepted_renderer.format != "json":  # the browsable API, in development
        return Response(orjson.loads(content))
    response = HttpResponse(content, content_type="application/json")
    # Set here, ConditionalGetMiddleware answers If-None-Match with it instead of hashing the page.
    response["ETag"] = page.etag(voted=voted, user_id=user_id)
    return response


def page_key(request, *, versions: tuple[int, ...], variant: str) -> str:
    """The key of this request's page under `versions` (read before building it: see public_list)."""
    url = request.build_absolute_uri()  # host, scheme, path and every filter and cursor
    identity = f"{'.'.join(map(str, versions))}:{variant}:{get_language()}:{url}"
    # Hashed: a URL may be long or hold spaces, which cache keys may not.
    return hashlib.blake2b(identity.encode(), digest_size=20).hexdigest()


def cached_page(key: str, *, build: Callable[[], Page]) -> Page:
    """The page under `key`, built by `build()` when not cached yet."""
    return caches["list_pages"].get_or_set(key, build)


def detail_page(key: str, *, build: Callable[[], Page | None]) -> Page | None:
    """The detail under `key` (page_key of the detail's URL), built by `build()` when not cached yet. None,
    kept too, when the proposal is not public under these versions: the caller's own view then decides."""
    # A cache of their own: a crawl through many details must not push the list's pages out.
    return caches["proposal_details"].get_or_set(key, build)


def thread_page(key: str, *, build: Callable[[], Page | None]) -> Page | None:
    """A page of a comment thread under `key` (page_key under the thread's version), built by `build()` when
    not cached yet; None, kept too, when the item is not public: the caller's own view then decides."""
    return caches["comment_pages"].get_or_set(key, build)


def voted_ids(key: str, *, user, load: Callable[[], set[int]]) -> set[int]:
    """Which proposals of the page under `key` `user` supports, from `load()` once per page and versions:
    only a vote (the tallies' version) or a merge moving votes (the content's) changes it."""
    # Kept apart from the pages: many callers' entries must not push pages out.
    return caches["list_voted"].get_or_set(f"{key}:{user.pk}", load)


def rendered_items(
    request, *, ids: list[int], version: int, variant: str, render: Callable[[list[int]], Iterable[dict]]
) -> dict[int, dict]:
    """id -> rendered item for `ids`, rendering only those not cached yet (in one `render(missing)` call).
    `version` is the content version read with the page's rows (before rendering: see public_list)."""
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

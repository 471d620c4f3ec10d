"""Reads of proposals (usulan): who may see which, the annotations the API renders, search and distance.

Every list is built so its query count does not depend on the number of rows: related rows are joined or
prefetched, `has_voted` is one annotated Exists, distances and trending counts are computed in the database.
"""

import difflib
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField, TrigramSimilarity
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import ASin, Cast, Coalesce, Cos, Power, Radians, Sin, Sqrt
from django.utils import timezone

from aspirasi import policies, public_list
from aspirasi.models import Disposition, Proposal, ProposalPhoto, ProposalStatus, ProposalStatusEvent, Vote
from aspirasi.models.opd import OPEN_DISPOSITION_STATES
from aspirasi.models.proposals import PUBLIC_STATUSES

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.32
TRENDING_WINDOW = timedelta(days=7)
SIMILAR_LIMIT = 10
SIMILAR_MIN_SCORE = 0.25
# Proposals closer than this get a proximity boost when looking for duplicates.
SIMILAR_NEAR_KM = 2.0


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- Visibility ---------------------------------------------------------------------------------------


def proposals_public() -> QuerySet[Proposal]:
    """Published-or-later proposals that a moderator has not hidden: what everyone may read."""
    return Proposal.objects.filter(status__in=PUBLIC_STATUSES, is_hidden=False)


def proposals_visible_to(user) -> QuerySet[Proposal]:
    """The public proposals, the caller's own in every state, and for staff the areas they may read."""
    visible = Q(status__in=PUBLIC_STATUSES, is_hidden=False)
    if user is not None and user.is_authenticated:
        visible |= Q(author=user)
        if policies.can_read_moderation(user):
            visible |= policies.moderation_read_scope(user)
    return Proposal.objects.filter(visible)


def proposals_of_author(user) -> QuerySet[Proposal]:
    """A resident's own proposals in every state."""
    return Proposal.objects.filter(author=user)


# --- What the API renders -----------------------------------------------------------------------------


def proposals_for_output(queryset: QuerySet[Proposal], *, user, with_timeline: bool = False) -> QuerySet[Proposal]:
    """Join and prefetch what ProposalOutput renders; annotate `has_voted` for the caller in one Exists."""
    queryset = queryset.select_related("category", "kelurahan__kecamatan", "author", "program").prefetch_related(
        "target_groups", Prefetch("photos", queryset=ProposalPhoto.objects.order_by("created_at", "id"))
    )
    if with_timeline:
        queryset = queryset.prefetch_related(
            Prefetch("timeline", queryset=ProposalStatusEvent.objects.order_by("created_at", "id"))
        )
    if user is not None and user.is_authenticated:
        has_voted = Exists(Vote.objects.filter(proposal=OuterRef("pk"), voter=user))
    else:
        has_voted = Value(False)
    return queryset.annotate(has_voted=has_voted)


def proposals_live_fields(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """A page of a list read without what a cached item holds: the rows' order and ids, the tally, the
    author (for `is_own`), and the content version that the cached items are keyed by (api/list_cache.py
    renders the rest once per version). comment_count is a tally as vote_count is."""
    # Dicts, not model instances: a page needs none of a model's machinery.
    # Filters may annotate more (distance_km, trending_votes); values() carries those along.
    return queryset.values("id", "author_id", "vote_count", "comment_count").annotate(
        list_version=public_list.version_expression()
    )


def proposals_voted_by(user, *, ids: list[int]) -> set[int]:
    """Which of the proposals `ids` `user` supports (a list's `has_voted`)."""
    return set(Vote.objects.filter(voter=user, proposal_id__in=ids).values_list("proposal_id", flat=True))


@dataclass(frozen=True)
class ProposalFollowUp:
    opd: dict | None  # {"id", "slug", "name"} of Proposal.opd
    state: str | None  # the counted disposition's
    due_at: datetime | None


def proposal_follow_up(proposal_id: int) -> ProposalFollowUp:
    """A proposal's OPD and the disposition it shows, in one query: its open disposition, else its latest (at
    most one is open at a time); none before it is forwarded."""
    is_open = Case(When(state__in=OPEN_DISPOSITION_STATES, then=Value(0)), default=Value(1))
    counted = Disposition.objects.filter(proposal=OuterRef("pk")).order_by(is_open, "-created_at", "-id")
    row = (
        Proposal.objects.filter(pk=proposal_id)
        .annotate(d_state=Subquery(counted.values("state")[:1]), d_due_at=Subquery(counted.values("due_at")[:1]))
        .values("opd_id", "opd__slug", "opd__name", "d_state", "d_due_at")
        .first()
    ) or {"opd_id": None, "d_state": None, "d_due_at": None}
    opd = {"id": row["opd_id"], "slug": row["opd__slug"], "name": row["opd__name"]} if row["opd_id"] else None
    return ProposalFollowUp(opd=opd, state=row["d_state"], due_at=row["d_due_at"])


def proposal_detail(*, pk: int, user) -> Proposal | None:
    """One proposal the caller may see, with its timeline, or None."""
    queryset = proposals_for_output(proposals_visible_to(user), user=user, with_timeline=True)
    return queryset.filter(pk=pk).first()


# --- Filters ------------------------------------------------------------------------------------------


class _ProposalDocument(Func):
    """to_tsvector over title and description written exactly as the GIN index (migration 0004) is, so
    PostgreSQL's planner can use the index."""

    template = "to_tsvector('indonesian', coalesce(%(expressions)s, ''))"
    arg_joiner = ", '') || ' ' || coalesce("
    output_field = SearchVectorField()


def _search_words(text: str) -> list[str]:
    return [word for word in re.split(r"\W+", text.lower()) if word]


def proposals_search(queryset: QuerySet[Proposal], *, text: str) -> QuerySet[Proposal]:
    """Proposals matching `text`: PostgreSQL full-text search ('indonesian', stemmed) or, on SQLite, every
    word contained in the title or description, case-insensitively."""
    text = text.strip()
    if not text:
        return queryset
    if _is_postgresql():
        query = SearchQuery(text, config="indonesian", search_type="websearch")
        return queryset.alias(document=_ProposalDocument("title", "description")).filter(document=query)
    for word in _search_words(text):
        queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return queryset


def distance_km_expression(*, latitude: float, longitude: float) -> Func:
    """Great-circle (haversine) distance in km from a point to a proposal, computed in the database."""
    lat = Radians(Cast(F("latitude"), FloatField()))
    lng = Radians(Cast(F("longitude"), FloatField()))
    origin_lat = math.radians(latitude)
    origin_lng = math.radians(longitude)
    half_chord = Power(Sin((lat - Value(origin_lat)) / 2), 2) + Value(math.cos(origin_lat)) * Cos(lat) * Power(
        Sin((lng - Value(origin_lng)) / 2), 2
    )
    return Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(half_chord), output_field=FloatField())


def bounding_box(*, latitude: float, longitude: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; a cheap prefilter before the exact distance."""
    delta_lat = radius_km / KM_PER_DEGREE_LATITUDE
    delta_lng = radius_km / (KM_PER_DEGREE_LATITUDE * max(math.cos(math.radians(latitude)), 0.01))
    return latitude - delta_lat, latitude + delta_lat, longitude - delta_lng, longitude + delta_lng


def proposals_near(
    queryset: QuerySet[Proposal], *, latitude: float, longitude: float, radius_km: float
) -> QuerySet[Proposal]:
    """Proposals within `radius_km` of the point, annotated with `distance_km`."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(latitude=latitude, longitude=longitude, radius_km=radius_km)
    return (
        queryset.filter(
            latitude__gte=round(min_lat, 6),
            latitude__lte=round(max_lat, 6),
            longitude__gte=round(min_lng, 6),
            longitude__lte=round(max_lng, 6),
        )
        .annotate(distance_km=distance_km_expression(latitude=latitude, longitude=longitude))
        .filter(distance_km__lte=radius_km)
    )


def proposals_with_trending(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """Annotate `trending_votes`: votes received in the last 7 days (one correlated count, no per-row query)."""
    since = timezone.now() - TRENDING_WINDOW
    recent = (
        Vote.objects.filter(proposal=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(trending_votes=Coalesce(Subquery(recent, output_field=IntegerField()), 0))


# --- Likely duplicates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimilarProposal:
    proposal: Proposal
    similarity: float
    distance_km: float | None


def _text_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.lower(), b.lower(), autojunk=False).ratio()


def proposals_similar(
    *,
    title: str,
    description: str = "",
    category_id: int | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
) -> list[SimilarProposal]:
    """Public, unmerged proposals that look like the one being written: text similarity (trigram and
    full-text rank on PostgreSQL, difflib on SQLite), ranked with a boost for those within a few km."""
    queryset = proposals_public().exclude(status=ProposalStatus.MERGED).select_related("category", "kelurahan")
    if category_id is not None:
        queryset = queryset.filter(category_id=category_id)
    has_point = latitude is not None and longitude is not None
    if has_point:
        queryset = queryset.annotate(distance_km=distance_km_expression(latitude=latitude, longitude=longitude))
    text = f"{title} {description}".strip()
    if _is_postgresql():
        candidates = _similar_candidates_postgresql(queryset, title=title, text=text)
    else:
        candidates = _similar_candidates_portable(queryset, title=title, description=description)
    results = []
    for proposal, similarity in candidates:
        distance = getattr(proposal, "distance_km", None)
        score = similarity
        if distance is not None:
            score += 0.3 * max(0.0, 1.0 - distance / SIMILAR_NEAR_KM)
        if similarity >= SIMILAR_MIN_SCORE:
            results.append((score, SimilarProposal(proposal, round(similarity, 3), _round_km(distance))))
    results.sort(key=lambda pair: (-pair[0], -pair[1].proposal.pk))
    return [similar for _score, similar in results[:SIMILAR_LIMIT]]


def _round_km(distance: float | None) -> float | None:
    return None if distance is None else round(distance, 3)


def _similar_candidates_postgresql(queryset, *, title: str, text: str) -> list[tuple[Proposal, float]]:
    words = _search_words(text)
    # Any word may match (OR): a duplicate rarely repeats every word of the new text.
    query = SearchQuery(" OR ".join(words), config="indonesian", search_type="websearch") if words else None
    queryset = queryset.annotate(title_similarity=TrigramSimilarity("title", title))
    matches = Q(title_similarity__gte=SIMILAR_MIN_SCORE)
    if query is not None:
        document = _ProposalDocument("title", "description")
        # Normalisation 32 maps the rank into 0..1 (rank / (rank + 1)).
        queryset = queryset.alias(document=document).annotate(text_rank=SearchRank(document, query, normalization=32))
        matches |= Q(document=query)
    else:
        queryset = queryset.annotate(text_rank=Value(0.0, output_field=FloatField()))
    rows = queryset.filter(matches).order_by("-title_similarity", "-text_rank", "-id")[: SIMILAR_LIMIT * 5]
    # Rank 0.1 (rank/(rank+1) of a strong full-text hit) counts as fully similar.
    return [(row, max(row.title_similarity, min(1.0, row.text_rank * 10))) for row in rows]


def _similar_candidates_portable(queryset, *, title: str, description: str) -> list[tuple[Proposal, float]]:
    words = [word for word in _search_words(f"{title} {description}") if len(word) >= 4]
    if not words:
        return []
    any_word = Q()
    for word in words[:12]:
        any_word |= Q(title__icontains=word) | Q(description__icontains=word)
    rows = queryset.filter(any_word).order_by("-vote_count", "-id")[:200]
    scored = []
    for row in rows:
        similarity = _text_ratio(title, row.title)
        if description:
            similarity = max(similarity, 0.8 * _text_ratio(f"{title} {description}"[:400], row.description[:400]))
        scored.append((row, similarity))
    return scored

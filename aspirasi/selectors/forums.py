"""Reads of Musrenbang forum records (issue 24)."""

from django.db.models import QuerySet

from aspirasi.models import Forum, Level, PaperSupport
from aspirasi.selectors.planning import CITY_NAME


def forums_list(
    *, cycle_id: int | None = None, level: str | None = None, area_id: int | None = None
) -> QuerySet[Forum]:
    """Forum records, filtered by cycle, level and (with a level) area."""
    forums = Forum.objects.select_related("kelurahan", "kecamatan")
    if level is not None and area_id is not None:
        forums = forums.filter(**{"kelurahan_id" if level == Level.KELURAHAN else "kecamatan_id": area_id})
    if cycle_id is not None:
        forums = forums.filter(cycle_id=cycle_id)
    if level is not None:
        forums = forums.filter(level=level)
    return forums.order_by("cycle_id", "level", "held_on", "id")


def forum_area(forum: Forum) -> dict:
    area = forum.kelurahan if forum.level == Level.KELURAHAN else forum.kecamatan
    return {"id": forum.area_id, "name": area.name if area is not None else CITY_NAME}


def paper_support_of(forum: Forum | None) -> dict[int, int]:
    """Paper support counted at `forum`, by proposal id (one query; none without a forum)."""
    if forum is None:
        return {}
    return dict(PaperSupport.objects.filter(forum=forum).values_list("proposal_id", "count"))

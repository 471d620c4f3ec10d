"""Reads of Musrenbang forum records (issue 24)."""

from django.db.models import QuerySet

from aspirasi.models import Forum, Level
from aspirasi.selectors.planning import CITY_NAME


def forums_list(*, cycle_id: int | None = None, level: str | None = None) -> QuerySet[Forum]:
    forums = Forum.objects.select_related("kelurahan", "kecamatan")
    if cycle_id is not None:
        forums = forums.filter(cycle_id=cycle_id)
    if level is not None:
        forums = forums.filter(level=level)
    return forums.order_by("cycle_id", "level", "held_on", "id")


def forum_area(forum: Forum) -> dict:
    area = forum.kelurahan if forum.level == Level.KELURAHAN else forum.kecamatan
    return {"id": forum.area_id, "name": area.name if area is not None else CITY_NAME}

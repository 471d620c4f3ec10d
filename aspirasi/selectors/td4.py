"""The rows of the T-D.4 table of Permendagri 86/2017 (the Musrenbang's list of priority activities) for the
funded shortlist and the carried list. Where we hold no value for a column it stays empty (docs/planning.md
maps each column)."""

from aspirasi.models import CarriedProposal, Cycle, Level
from aspirasi.selectors.forums import forum_area
from aspirasi.selectors.shortlist import (  # the positions of the columns in the rows it reads
    COST,
    ID,
    KELURAHAN_NAME,
    OPD_NAME,
    PILLAR_NAME,
    PROGRAM_NAME,
    TITLE,
    UNIT,
    VOLUME,
    shortlist_for,
)


def _volume(volume, unit: str) -> str:
    if volume is None:
        return unit or ""
    text = f"{float(volume):g}"
    return f"{text} {unit}".strip()


def _row(number: int, *, pillar, program, title, kelurahan, volume, unit, cost, opd) -> tuple:
    # priority no., regional priority, regional target, program, activity, activity target, location,
    # volume, pagu, responsible PD
    return (number, pillar or "", "", program or "", title, "", kelurahan, _volume(volume, unit), cost, opd or "")


def shortlist_td4_rows(*, cycle: Cycle, level: str, area_id: int | None = None) -> list[tuple]:
    """The funded shortlist of each area with a pagu, by rank, numbered per area from 1."""
    rows = []
    for area in shortlist_for(cycle=cycle, level=level, area_id=area_id, rows_too=True):
        chosen = {item["id"] for item in area["proposals"] if item["in_shortlist"]}
        number = 0
        for row in area["_rows"]:
            if row[ID] not in chosen:
                continue
            number += 1
            rows.append(
                _row(
                    number,
                    pillar=row[PILLAR_NAME],
                    program=row[PROGRAM_NAME],
                    title=row[TITLE],
                    kelurahan=row[KELURAHAN_NAME],
                    volume=row[VOLUME],
                    unit=row[UNIT],
                    cost=row[COST],
                    opd=row[OPD_NAME],
                )
            )
    return rows


def carried_td4_rows(*, cycle: Cycle, level: str, area_id: int | None = None) -> list[tuple]:
    """The proposals carried into `level` (kecamatan or city), by forum rank, each with the forum that
    decided it: name, date, place, attendance (men, women, persons with disabilities). One query."""
    carried = (
        CarriedProposal.objects.filter(level=level, proposal__cycle=cycle)
        .select_related(
            "proposal__kelurahan__kecamatan",
            "proposal__category",
            "proposal__opd",
            "proposal__program",
            "forum__kelurahan",
            "forum__kecamatan",
        )
        .order_by("proposal__kelurahan__kecamatan__code", "rank", "id")
    )
    if area_id is not None and level == Level.KECAMATAN:
        carried = carried.filter(proposal__kelurahan__kecamatan_id=area_id)
    rows = []
    for item in carried:
        proposal, forum = item.proposal, item.forum
        rows.append(
            (
                *_row(
                    item.rank,
                    pillar=proposal.category.name_id,
                    program=proposal.program.name if proposal.program else None,
                    title=proposal.title,
                    kelurahan=proposal.kelurahan.name,
                    volume=proposal.volume,
                    unit=proposal.unit,
                    cost=proposal.estimated_cost,
                    opd=proposal.opd.name if proposal.opd else None,
                ),
                f"Musrenbang {Level(forum.level).label} {forum_area(forum)['name']}" if forum else "",
                forum.held_on if forum else None,
                forum.place if forum else "",
                forum.attendance_men if forum else None,
                forum.attendance_women if forum else None,
                forum.attendance_disabled if forum else None,
            )
        )
    return rows

"""The list's versions move by triggers (migration 0014), whoever writes: each table and column a list item or
a public detail shows is changed here without any service, and the next read must see it.

A column added to Proposal fails test_every_proposal_column_is_classified until it is put on one side, and a
shown one without a trigger fails the tests below on both databases.
"""

import pytest
from django.db import connection, transaction

from aspirasi import public_list
from aspirasi.models import (
    Category,
    Kecamatan,
    Kelurahan,
    Opd,
    Program,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    ProposalStatusEvent,
    TargetGroup,
    User,
    Vote,
)
from tests.aspirasi.planning_fixtures import make_cycle
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"

# What an item shows, or what decides which items a page holds, in the order it is read (api/proposals.py).
SHOWN = {
    Proposal: [
        "author_id",
        "title",
        "description",
        "category_id",
        "kelurahan_id",
        "rt",
        "rw",
        "latitude",
        "longitude",
        "estimated_beneficiaries",
        "estimated_poor_households",
        "volume",
        "unit",
        "estimated_cost",
        "anonymous",
        "status",
        "rejection_reason",
        "rejection_message",
        "merged_into_id",
        "is_hidden",
        "cycle_id",
        "program_id",
        "created_at",
        "updated_at",
        "published_at",
    ],
    Category: ["slug", "name_id", "name_en"],
    TargetGroup: ["slug"],
    Kelurahan: ["kecamatan_id", "name", "slug"],
    Kecamatan: ["name", "slug"],
    Program: ["name", "status", "progress_percent"],
    User: ["display_name", "phone"],
}
# Moderators' working state: not shown, so a claim re-renders nothing.
NOT_SHOWN = {"id", "claimed_by_id", "claimed_at", "opd_id", "source_report_id", "flag_review_requested_at"}
TALLIES = {"vote_count", "comment_count"}
# Shown whole: any insert, update or delete.
WHOLE = [ProposalPhoto, ProposalStatusEvent, Proposal.target_groups.through]


def _raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _touch(model, column: str, pk) -> None:
    """`UPDATE ... SET column = column`: what a fix by hand or `queryset.update()` sends, no service involved."""
    table, column = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
    _raw(f"UPDATE {table} SET {column} = {column} WHERE id = %s", [pk])  # noqa: S608 - names from _meta


@pytest.fixture
def proposal(resident):
    opd = Opd.objects.first() or Opd.objects.create(slug="dinas-kesehatan", name="Dinas Kesehatan")
    program = Program.objects.create(
        name="Posyandu Keliling",
        opd=opd,
        category=Category.objects.first(),
        cycle=make_cycle(phase="closed"),
        budget=1,
        period_start="2027-01-01",
        period_end="2027-12-31",
    )
    return ProposalFactory(author=resident, program=program, status=ProposalStatus.ACCEPTED)


def _moved(write) -> tuple[bool, bool]:
    """Whether `write()` moved (content, tallies), once its transaction committed."""
    content, tallies = public_list.current_versions()
    with transaction.atomic():
        write()
    after = public_list.current_versions()
    return after[0] > content, after[1] > tallies


def test_every_proposal_column_is_classified():
    columns = {field.column for field in Proposal._meta.concrete_fields}
    assert columns == {*SHOWN[Proposal], *NOT_SHOWN, *TALLIES}


def _row_of(model, proposal):
    return {
        Proposal: proposal.pk,
        Category: proposal.category_id,
        TargetGroup: TargetGroup.objects.values_list("pk", flat=True).first(),
        Kelurahan: proposal.kelurahan_id,
        Kecamatan: proposal.kelurahan.kecamatan_id,
        Program: proposal.program_id,
        User: proposal.author_id,
    }[model]


@pytest.mark.parametrize(
    ("model", "column"), [(model, column) for model, columns in SHOWN.items() for column in columns]
)
def test_a_shown_column_written_by_hand_moves_the_content(proposal, model, column):
    assert _moved(lambda: _touch(model, column, _row_of(model, proposal))) == (True, False)


@pytest.mark.parametrize("column", sorted(NOT_SHOWN - {"id"}))
def test_a_column_no_item_shows_moves_nothing(proposal, column):
    assert _moved(lambda: _touch(Proposal, column, proposal.pk)) == (False, False)


@pytest.mark.parametrize("column", sorted(TALLIES))
def test_a_count_written_by_hand_moves_the_tallies_only(proposal, column):
    assert _moved(lambda: Proposal.objects.filter(pk=proposal.pk).update(**{column: 7})) == (False, True)


def test_a_vote_inserted_or_deleted_by_hand_moves_the_tallies_only(proposal, other_resident):
    assert _moved(lambda: Vote.objects.create(proposal=proposal, voter=other_resident)) == (False, True)
    assert _moved(lambda: Vote.objects.filter(proposal=proposal).delete()) == (False, True)


@pytest.mark.parametrize("model", WHOLE, ids=lambda model: model._meta.db_table)
def test_rows_of_a_table_shown_whole_move_the_content(proposal, model):
    if model is Proposal.target_groups.through:
        group = TargetGroup.objects.first()
        assert _moved(lambda: proposal.target_groups.add(group)) == (True, False)
        assert _moved(lambda: model.objects.filter(proposal=proposal).update(targetgroup=group)) == (True, False)
        assert _moved(lambda: proposal.target_groups.clear()) == (True, False)
        return
    fields = {"image": "p.jpg", "width": 1, "height": 1} if model is ProposalPhoto else {"to_status": "published"}
    assert _moved(lambda: model.objects.create(proposal=proposal, **fields)) == (True, False)
    assert _moved(lambda: model.objects.filter(proposal=proposal).update(created_at=proposal.created_at)) == (
        True,
        False,
    )
    assert _moved(lambda: model.objects.filter(proposal=proposal).delete()) == (True, False)


def test_a_new_or_deleted_proposal_moves_the_content(resident):
    created = []
    assert _moved(lambda: created.append(ProposalFactory(author=resident))) == (True, False)
    assert _moved(lambda: Proposal.objects.filter(pk=created[0].pk).delete()) == (True, False)


def test_a_rolled_back_write_moves_nothing(proposal):
    before = public_list.current_versions()
    with pytest.raises(RuntimeError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(title="Dibatalkan", vote_count=3)
        raise RuntimeError("the fix failed")
    assert public_list.current_versions() == before


# --- End to end: the next read after a write that no service made -----------------------------------------


def test_changes_made_around_the_services_reach_the_next_read(api, as_resident, resident):
    published = ProposalFactory(author=resident, title="Pelatihan menjahit ibu-ibu")
    for client in (api, as_resident):
        client.get(URL)  # cached: the page, its items and the caller's votes
    Proposal.objects.filter(pk=published.pk).update(title="Pelatihan menjahit dan tata boga")
    User.objects.filter(pk=resident.pk).update(display_name="Bu Siti")
    Category.objects.filter(pk=published.category_id).update(name_id="Pendidikan Vokasi")
    Vote.objects.create(proposal=published, voter=resident)  # a vote moved here by hand: no count changed
    Proposal.objects.filter(pk=published.pk).update(vote_count=5)  # and a recount by hand
    newer = ProposalFactory()  # a factory writes through the ORM only
    for client in (api, as_resident):
        results = client.get(URL, HTTP_ACCEPT_LANGUAGE="id").json()["results"]
        item = next(item for item in results if item["id"] == published.pk)
        assert (item["title"], item["author_name"], item["category"]["name"], item["vote_count"]) == (
            "Pelatihan menjahit dan tata boga",
            "Bu Siti",
            "Pendidikan Vokasi",
            5,
        )
        assert results[0]["id"] == newer.pk
    assert next(item for item in as_resident.get(URL).json()["results"] if item["id"] == published.pk)["has_voted"]

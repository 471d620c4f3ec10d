"""The list's versions move by triggers (migration 0014), whoever writes: each table and column a list item or
a public detail shows is changed here without any service, and the next read must see it. The same for a
comment thread's page and its version (migration 0029), at the end.

A column added to Proposal fails test_every_proposal_column_is_classified until it is put on one side, and a
shown one without a trigger fails the tests below on both databases.
"""

import importlib

import pytest
from django.db import connection, transaction

from aspirasi import public_list
from aspirasi.models import (
    Category,
    Comment,
    Kecamatan,
    Kelurahan,
    ListVersion,
    Opd,
    Program,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    ProposalStatusEvent,
    Report,
    TargetGroup,
    User,
    Vote,
)
from tests.aspirasi.factories_moderation import ReportFactory
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


SHARDS = importlib.import_module("aspirasi.migrations.0014_list_versions_by_triggers").SHARDS


def _shard(proposal_id: int) -> int:
    name = f"{public_list.PUBLIC_TALLIES}:{proposal_id % SHARDS}"
    return ListVersion.objects.filter(name=name).values_list("value", flat=True).first() or 0


def test_a_vote_moved_to_another_proposal_moves_both_shards(proposal, other_resident):
    # As a merge moves votes onto the proposal that stays; ids a shard apart, so each shard is seen on its own.
    other = ProposalFactory(author=proposal.author, status=ProposalStatus.PUBLISHED)
    while other.pk % SHARDS == proposal.pk % SHARDS:
        other = ProposalFactory(author=proposal.author, status=ProposalStatus.PUBLISHED)
    vote = Vote.objects.create(proposal=proposal, voter=other_resident)
    before = _shard(proposal.pk), _shard(other.pk)
    Vote.objects.filter(pk=vote.pk).update(proposal=other)
    assert (_shard(proposal.pk), _shard(other.pk)) == (before[0] + 1, before[1] + 1)
    Vote.objects.filter(pk=vote.pk).update(voter=proposal.author)  # another column: no shard moves
    assert (_shard(proposal.pk), _shard(other.pk)) == (before[0] + 1, before[1] + 1)


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


# --- A comment thread's page (migration 0029): its version moves by triggers, whoever writes -------------

# What a comment item shows (api/comments.CommentOutput), by where it comes from: the comment's own row (every
# column: the triggers are on the whole row, so a column added later is covered), its author and its OPD.
COMMENT_OUTPUT = {
    "id", "proposal", "report", "parent", "state", "body", "notice", "is_official", "author_role",
    "author_opd", "author_name", "is_own", "created_at", "edited_at",
}  # fmt: skip
THREAD_SHOWN = {User: ["display_name"], Opd: ["slug", "name"]}
# What decides whether a thread's item is public (anyone reads it), or whether it exists.
THREAD_VISIBILITY = {Proposal: ["status", "is_hidden"], Report: ["status", "is_hidden"]}
# Shown nowhere on a thread: a vote or a recount must not move its pages.
THREAD_NOT_SHOWN = {Proposal: ["title", "vote_count", "comment_count"], User: ["phone", "role"], Opd: ["is_active"]}


def test_every_comment_output_field_is_classified():
    from aspirasi.api.comments import CommentOutput

    # author_name and author_opd read the author's display name and the OPD's slug and name (THREAD_SHOWN)
    assert set(CommentOutput().fields) == COMMENT_OUTPUT


@pytest.fixture
def thread(proposal, opd_officer):
    """A public proposal's thread with a resident's comment and an OPD officer's official answer."""
    resident_comment = Comment.objects.create(
        proposal=proposal, kelurahan_id=proposal.kelurahan_id, author=proposal.author, body="Setuju"
    )
    official = Comment.objects.create(
        proposal=proposal,
        kelurahan_id=proposal.kelurahan_id,
        author=opd_officer,
        body="Sudah dijadwalkan",
        is_official=True,
        author_role="opd",
        author_opd_id=opd_officer.opd_id,
    )
    return resident_comment, official


def _thread_moved(write, *, kind="proposal", pk) -> bool:
    before = public_list.thread_version(kind=kind, pk=pk)
    with transaction.atomic():
        write()
    return public_list.thread_version(kind=kind, pk=pk) > before


def _rename(model, column: str, pk) -> None:
    """A changed value written by hand (the author's and OPD's triggers skip a write that changes nothing)."""
    table, quoted = connection.ops.quote_name(model._meta.db_table), connection.ops.quote_name(column)
    _raw(f"UPDATE {table} SET {quoted} = {quoted} || 'x' WHERE id = %s", [pk])  # noqa: S608 - names from _meta


@pytest.mark.parametrize("column", sorted(field.column for field in Comment._meta.concrete_fields))
def test_any_comment_column_written_by_hand_moves_its_thread(thread, column):
    comment, _official = thread
    assert _thread_moved(lambda: _touch(Comment, column, comment.pk), pk=comment.proposal_id)


def test_a_comment_inserted_or_deleted_by_hand_moves_its_thread(thread):
    comment, _official = thread
    pk = comment.proposal_id
    assert _thread_moved(lambda: Comment.objects.create(proposal_id=pk, kelurahan_id=comment.kelurahan_id), pk=pk)
    assert _thread_moved(lambda: Comment.objects.filter(pk=comment.pk).delete(), pk=pk)


def test_a_comment_moved_to_another_thread_moves_both(thread, resident):
    comment, _official = thread
    other = ProposalFactory(author=resident, status=ProposalStatus.PUBLISHED)
    before = public_list.thread_version(kind="proposal", pk=other.pk)
    assert _thread_moved(lambda: Comment.objects.filter(pk=comment.pk).update(proposal=other), pk=comment.proposal_id)
    assert public_list.thread_version(kind="proposal", pk=other.pk) > before


@pytest.mark.parametrize(
    ("model", "column"), [(model, column) for model, columns in THREAD_SHOWN.items() for column in columns]
)
def test_what_a_comment_shows_of_its_author_or_opd_moves_its_thread(thread, model, column):
    comment, official = thread
    row = comment.author_id if model is User else official.author_opd_id
    assert _thread_moved(lambda: _rename(model, column, row), pk=comment.proposal_id)
    assert not _thread_moved(lambda: _touch(model, column, row), pk=comment.proposal_id)  # the same value


@pytest.mark.parametrize(
    ("model", "column"), [(model, column) for model, columns in THREAD_VISIBILITY.items() for column in columns]
)
def test_whether_the_item_is_public_moves_its_thread(resident, model, column):
    item = ProposalFactory(author=resident) if model is Proposal else ReportFactory(author=resident)
    kind = "proposal" if model is Proposal else "report"
    assert _thread_moved(lambda: _touch(model, column, item.pk), kind=kind, pk=item.pk)
    assert _thread_moved(lambda: model.objects.filter(pk=item.pk).delete(), kind=kind, pk=item.pk)


@pytest.mark.parametrize(
    ("model", "column"), [(model, column) for model, columns in THREAD_NOT_SHOWN.items() for column in columns]
)
def test_what_no_thread_shows_moves_no_thread(thread, model, column):
    comment, official = thread
    row = {Proposal: comment.proposal_id, User: comment.author_id, Opd: official.author_opd_id}[model]
    assert not _thread_moved(lambda: _touch(model, column, row), pk=comment.proposal_id)


def test_a_rolled_back_comment_write_moves_no_thread(thread):
    comment, _official = thread
    before = public_list.thread_version(kind="proposal", pk=comment.proposal_id)
    with pytest.raises(RuntimeError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(body="Dibatalkan")
        raise RuntimeError("the fix failed")
    assert public_list.thread_version(kind="proposal", pk=comment.proposal_id) == before


def test_changes_made_around_the_services_reach_the_next_thread_read(api, as_resident, resident, thread):
    comment, official = thread
    url = f"/api/v1/proposals/{comment.proposal_id}/comments/"
    for client in (api, as_resident):
        client.get(url)  # cached for everyone but staff
    Comment.objects.filter(pk=comment.pk).update(body="Setuju sekali", edited_at=comment.created_at)
    User.objects.filter(pk=resident.pk).update(display_name="Bu Siti")
    Opd.objects.filter(pk=official.author_opd_id).update(name="Dinas Kesehatan Kota")
    Comment.objects.filter(pk=official.pk).update(state="hidden", hidden_reason="di luar topik")
    newer = Comment.objects.create(proposal_id=comment.proposal_id, kelurahan_id=comment.kelurahan_id, body="Baru")
    for client in (api, as_resident):
        first, hidden, new = client.get(url, HTTP_ACCEPT_LANGUAGE="id").json()["results"]
        assert (first["body"], first["author_name"], first["edited_at"] is not None) == (
            "Setuju sekali",
            "Bu Siti",
            True,
        )
        assert first["is_own"] is (client is as_resident)
        assert (hidden["state"], hidden["body"], hidden["author_opd"]["name"]) == ("hidden", "", "Dinas Kesehatan Kota")
        assert new["id"] == newer.pk
    Proposal.objects.filter(pk=comment.proposal_id).update(is_hidden=True)  # no longer public: the author only
    assert api.get(url).status_code == 404
    assert as_resident.get(url).status_code == 200

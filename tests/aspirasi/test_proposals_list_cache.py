"""The public list's item cache: shared rendered items, live pages and tallies, never a stale item.

Every write that changes what an item shows moves the list's version (triggers: aspirasi/public_list.py,
tests/aspirasi/test_list_versions.py); each case below reads the list once (so the items are cached), writes
through a service, and reads again.
"""

import io
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from aspirasi import public_list
from aspirasi.api.proposals import ProposalsView
from aspirasi.models import Category, ListVersion, Opd, Program, ProposalStatus
from aspirasi.services import accounts, flags, moderation, photos, planning, votes
from tests.aspirasi.planning_fixtures import make_cycle
from tests.factories import ProposalFactory, UserFactory, image_bytes, kelurahan

pytestmark = pytest.mark.django_db

URL = "/api/v1/proposals/"
# What only the detail shows: the timeline, and the OPD follow-up read fresh on every request (issue 23).
DETAIL_ONLY = {"timeline", "opd", "follow_up_state", "sla"}


def _items(client, **params) -> dict[int, dict]:
    """The list's items, each checked against its detail, which is cached the same way: every writer's case
    below then shows that the detail moves with the list."""
    response = client.get(URL, params)
    assert response.status_code == 200, response.json()
    items = {item["id"]: item for item in response.json()["results"]}
    language = {"lang": params["lang"]} if "lang" in params else {}
    for pk, item in items.items():
        detail = client.get(f"{URL}{pk}/", language).json()
        assert {key: value for key, value in detail.items() if key not in DETAIL_ONLY} == item
    return items


def test_a_repeated_read_renders_nothing_again(api, as_resident, django_assert_num_queries):
    ProposalFactory.create_batch(3)
    api.get(URL)
    with django_assert_num_queries(1):  # the list's versions: the page is kept whole
        api.get(URL)
    as_resident.get(URL)
    with django_assert_num_queries(1):  # the versions; the caller and their votes are kept too
        as_resident.get(URL)


def test_a_page_is_kept_until_a_version_moves(api, django_assert_num_queries):
    older = ProposalFactory()
    assert list(_items(api)) == [older.pk]
    with django_assert_num_queries(1):  # the versions only: the page is the one kept
        assert [item["id"] for item in api.get(URL).json()["results"]] == [older.pk]
    newer = ProposalFactory()  # written around the services: the triggers moved the version
    assert list(_items(api)) == [newer.pk, older.pk]


def test_a_vote_builds_the_page_again_from_the_items_kept(api, resident, committed, django_assert_num_queries):
    first, second = ProposalFactory(), ProposalFactory()
    api.get(URL, {"ordering": "most_voted"})
    with committed():
        votes.vote_cast(proposal_id=first.pk, voter_id=resident.pk)
    with django_assert_num_queries(2):  # the versions + the page's live rows; no item rendered again
        results = api.get(URL, {"ordering": "most_voted"}).json()["results"]
    assert [item["id"] for item in results] == [first.pk, second.pk]


def test_the_page_bytes_are_the_serializer_output(api, as_resident, resident, committed):
    """The page is kept as JSON with the caller's own fields appended: it must equal the serializer's."""
    from aspirasi.api.proposals import ProposalOutput
    from aspirasi.selectors import proposals as selectors

    own, supported = ProposalFactory(author=resident, volume="12.50"), ProposalFactory()
    with committed():
        votes.vote_cast(proposal_id=supported.pk, voter_id=resident.pk)
    for _ in range(2):  # built, then read from the cache
        body = as_resident.get(URL).json()
        assert body["next"] is None and body["previous"] is None
        request = as_resident.get(URL).wsgi_request
        expected = ProposalOutput(
            selectors.proposals_for_output(selectors.proposals_public().order_by("-id"), user=resident),
            many=True,
            context={"request": request, "user": resident},
        ).data
        assert body["results"] == [dict(item) for item in expected]
    mine = {item["id"]: item for item in body["results"]}
    assert mine[own.pk]["is_own"] and not mine[own.pk]["has_voted"]
    assert mine[supported.pk]["has_voted"] and not mine[supported.pk]["is_own"]


def test_the_browsable_api_gets_the_same_page(api):
    proposal = ProposalFactory()
    api.get(URL)
    response = api.get(URL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert proposal.title in response.content.decode()


def test_has_voted_and_is_own_are_the_callers_own_on_a_shared_page(
    api, resident, as_resident, as_other_resident, committed
):
    own = ProposalFactory(author=resident)
    supported = ProposalFactory()
    with committed():
        votes.vote_cast(proposal_id=supported.pk, voter_id=resident.pk)

    anonymous = _items(api)  # cached first by an anonymous caller...
    mine = _items(as_resident)  # ...then read from the same page by two residents
    theirs = _items(as_other_resident)

    assert not any(item["has_voted"] or item["is_own"] for item in anonymous.values())
    assert mine[supported.pk]["has_voted"] and not mine[own.pk]["has_voted"]
    assert mine[own.pk]["is_own"] and not mine[supported.pk]["is_own"]
    assert not any(item["has_voted"] or item["is_own"] for item in theirs.values())


def test_staff_and_public_pages_are_kept_apart(api, as_moderator):
    proposal = ProposalFactory(anonymous=True)
    assert "author" in _items(as_moderator)[proposal.pk]
    public = _items(api)[proposal.pk]
    assert "author" not in public and public["author_name"].startswith("Warga ")


def test_each_language_has_its_own_page(api):
    proposal = ProposalFactory()
    category = proposal.category
    names = {
        language: api.get(URL, HTTP_ACCEPT_LANGUAGE=language).json()["results"][0]["category"]["name"]
        for language in ("id", "en")
    }
    assert names == {"id": category.name_id, "en": category.name_en}


def test_filters_and_cursors_are_part_of_the_key(api):
    first, second = ProposalFactory(), ProposalFactory(kelurahan=kelurahan("teritip"))
    assert list(_items(api)) == [second.pk, first.pk]
    assert list(_items(api, kelurahan=kelurahan("teritip").pk)) == [second.pk]
    page = api.get(URL, {"page_size": 1}).json()
    assert [item["id"] for item in api.get(page["next"]).json()["results"]] == [first.pk]


def test_a_bad_filter_is_refused_every_time(api):
    for _ in range(2):
        assert api.get(URL, {"ordering": "oldest"}).status_code == 400


# --- Every writer moves the version ----------------------------------------------------------------------


@pytest.fixture
def published():
    return ProposalFactory(kelurahan=kelurahan("manggar"))


@pytest.fixture
def program():
    return Program.objects.create(
        name="Pelatihan menjahit 2027",
        opd=Opd.objects.first() or Opd.objects.create(slug="dinas-pendidikan", name="Dinas Pendidikan"),
        category=Category.objects.get(slug="pendidikan"),
        cycle=make_cycle(phase="closed"),
        budget=150_000_000,
        period_start="2027-01-01",
        period_end="2027-12-31",
    )


def test_a_vote_and_its_withdrawal_show_at_once(api, as_resident, resident, published, committed):
    assert _items(api)[published.pk]["vote_count"] == 0
    assert not _items(as_resident)[published.pk]["has_voted"]
    with committed():
        votes.vote_cast(proposal_id=published.pk, voter_id=resident.pk)
    assert _items(api)[published.pk]["vote_count"] == 1
    assert _items(as_resident)[published.pk]["has_voted"]
    with committed():
        votes.vote_withdraw(proposal_id=published.pk, voter_id=resident.pk)
    assert _items(api)[published.pk]["vote_count"] == 0


def test_a_vote_through_the_api_is_read_back_by_the_voter(as_resident, published, committed):
    assert _items(as_resident)[published.pk]["vote_count"] == 0
    with committed():
        assert as_resident.post(f"/api/v1/proposals/{published.pk}/vote/").status_code in (200, 201)
    item = _items(as_resident)[published.pk]
    assert item["vote_count"] == 1 and item["has_voted"]


def test_a_status_change_shows_at_once(api, moderator_manggar, published, committed):
    assert published.pk in _items(api)
    with committed():
        moderation.proposal_reject(proposal=published, actor=moderator_manggar, reason="offensive")
    assert published.pk not in _items(api)


def test_a_publication_shows_at_once(api, moderator_manggar, committed):
    waiting = ProposalFactory(kelurahan=kelurahan("manggar"), status=ProposalStatus.SUBMITTED)
    assert waiting.pk not in _items(api)
    with committed():
        moderation.proposal_publish(proposal=waiting, actor=moderator_manggar)
    assert waiting.pk in _items(api)


def test_a_correction_shows_at_once(api, moderator_manggar, published, committed):
    assert _items(api)[published.pk]["category"]["slug"] == "pendidikan"
    health = Category.objects.get(slug="kesehatan")
    with committed():
        moderation.proposal_recategorize(proposal=published, actor=moderator_manggar, category=health)
    assert _items(api)[published.pk]["category"]["slug"] == "kesehatan"


def test_a_merge_moves_the_votes_at_once(api, moderator_manggar, resident, published, committed):
    target = ProposalFactory(kelurahan=kelurahan("manggar"))
    with committed():
        votes.vote_cast(proposal_id=published.pk, voter_id=resident.pk)
    assert _items(api)[target.pk]["vote_count"] == 0
    with committed():
        moderation.proposal_merge(proposal=published, actor=moderator_manggar, target_id=target.pk)
    assert _items(api)[target.pk]["vote_count"] == 1


def test_flags_keep_an_item_listed_and_a_moderators_hide_shows_at_once(
    api, settings, moderator_manggar, published, committed
):
    settings.FLAG_REVIEW_THRESHOLD = 1
    assert published.pk in _items(api)
    flagger = UserFactory(date_joined=timezone.now() - timedelta(days=2))
    with committed():
        flags.proposal_flag(proposal=published, flagger=flagger, reason="spam")
    assert published.pk in _items(api)  # in review, still public
    with committed():
        moderation.proposal_hide(proposal=published, actor=moderator_manggar)
    assert published.pk not in _items(api)


def test_a_new_photo_shows_at_once(api, moderator_manggar, published, committed):
    assert _items(api)[published.pk]["photos"] == []
    with committed():
        photos.proposal_photo_add(proposal=published, image=io.BytesIO(image_bytes()), actor=moderator_manggar)
    assert len(_items(api)[published.pk]["photos"]) == 1


def test_a_programs_link_and_progress_show_at_once(api, planner, published, program, committed):
    assert _items(api)[published.pk]["program"] is None
    with committed():
        planning.program_link_proposal(program=program, proposal=published, actor=planner)
    assert _items(api)[published.pk]["program"]["progress_percent"] == 0
    with committed():
        planning.program_set_progress(program=program, actor=planner, progress_percent=40)
    assert _items(api)[published.pk]["program"]["progress_percent"] == 40


def test_an_authors_new_name_shows_at_once(api, resident, committed):
    proposal = ProposalFactory(author=resident, anonymous=False)
    assert _items(api)[proposal.pk]["author_name"] == resident.display_name
    with committed():
        accounts.user_update_profile(user=resident, display_name="Bu Siti")
    assert _items(api)[proposal.pk]["author_name"] == "Bu Siti"


def test_a_category_renamed_in_the_admin_shows_at_once(api, admin_user, client, published, committed):
    category = published.category
    assert _items(api, lang="id")[published.pk]["category"]["name"] == category.name_id
    client.force_login(admin_user)
    with committed():
        response = client.post(
            f"/admin/aspirasi/category/{category.pk}/change/",
            {
                "slug": category.slug,
                "name_id": "Pendidikan dan Pelatihan",
                "name_en": category.name_en,
                "order": category.order,
                "pillar_weight": getattr(category, "pillar_weight", 1),
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.content[:2000]
    assert _items(api, lang="id")[published.pk]["category"]["name"] == "Pendidikan dan Pelatihan"


def test_a_vote_moves_no_version_and_the_order_by_votes_is_live(api, committed, resident, other_resident):
    first, second = ProposalFactory(), ProposalFactory()
    before = public_list.current_versions()[0]
    assert list(_items(api, ordering="most_voted")) == [second.pk, first.pk]
    with committed():
        votes.vote_cast(proposal_id=first.pk, voter_id=resident.pk)
    assert list(_items(api, ordering="most_voted")) == [first.pk, second.pk]
    assert public_list.current_versions()[0] == before  # cached items survive a voting week


def test_votes_move_the_tallies_version_only_once_committed(resident, published, committed):
    content, tallies = public_list.current_versions()
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        votes.vote_cast(proposal_id=published.pk, voter_id=resident.pk)
        raise RuntimeError("the request failed after the vote")
    assert public_list.current_versions() == (content, tallies)
    with committed():
        votes.vote_cast(proposal_id=published.pk, voter_id=resident.pk)
    after_cast = public_list.current_versions()
    assert after_cast[0] == content and after_cast[1] > tallies
    with committed():
        votes.vote_cast(proposal_id=published.pk, voter_id=resident.pk)  # a repeat changes nothing
    assert public_list.current_versions() == after_cast
    with committed():
        votes.vote_withdraw(proposal_id=published.pk, voter_id=resident.pk)
    after_withdrawal = public_list.current_versions()
    assert after_withdrawal[0] == content and after_withdrawal[1] > after_cast[1]


def test_a_rolled_back_write_leaves_the_version(moderator_manggar, published, committed):
    before = public_list.current_versions()[0]
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        moderation.proposal_reject(proposal=published, actor=moderator_manggar, reason="offensive")
        raise RuntimeError("the request failed after the decision")
    assert public_list.current_versions()[0] == before
    with committed():
        moderation.proposal_reject(proposal=published, actor=moderator_manggar, reason="offensive")
    assert public_list.current_versions()[0] > before


def test_without_its_row_the_version_starts_again(moderator_manggar, published, committed):
    ListVersion.objects.all().delete()  # a flushed table (tests with transaction=True do this)
    assert public_list.current_versions()[0] == 0
    with committed():
        moderation.proposal_reject(proposal=published, actor=moderator_manggar, reason="offensive")
    assert public_list.current_versions()[0] > 0


def test_a_proposal_deleted_between_the_page_and_its_rendering_is_left_out(api, monkeypatch):
    kept, gone = ProposalFactory(), ProposalFactory()
    render = ProposalsView._render

    def render_after_a_delete(view, ids):
        gone.timeline.all().delete()
        gone.delete()
        return render(view, ids)

    monkeypatch.setattr(ProposalsView, "_render", render_after_a_delete)
    assert list(_items(api)) == [kept.pk]

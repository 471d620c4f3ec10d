"""Casting and withdrawing votes: once per resident, published only, a budget, live tallies coalesced."""

import copy
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from aspirasi.api.throttling import ScopedRateThrottle
from aspirasi.models import Proposal, ProposalStatus, User, Vote
from aspirasi.selectors.proposals import proposals_visible_to
from aspirasi.services import votes as vote_services
from aspirasi.services.accounts import user_assign_role
from aspirasi.tasks import vote_tally_send
from notifications import services as notification_services
from realtime import events
from tests.aspirasi.planning_fixtures import make_cycle, open_votes_count
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def _url(proposal) -> str:
    return f"/api/v1/proposals/{proposal.pk}/vote/"


@pytest.fixture
def sent(monkeypatch):
    messages = []
    monkeypatch.setattr(events, "send_now", lambda groups, message: messages.append((groups, message)))
    monkeypatch.setattr(events, "send_each", messages.extend)  # a round's tallies, sent together
    return messages


def test_first_vote_is_201_and_a_repeat_is_200_with_the_same_state(as_resident, resident, settings):
    settings.VOTE_BUDGET = 10
    proposal = ProposalFactory()
    first = as_resident.post(_url(proposal))
    again = as_resident.post(_url(proposal))
    expected = {"proposal": proposal.pk, "vote_count": 1, "has_voted": True, "votes_remaining": 9}
    assert (first.status_code, first.json()) == (201, expected)
    assert (again.status_code, again.json()) == (200, expected)
    assert Vote.objects.filter(proposal=proposal).count() == 1


def test_withdraw_gives_the_vote_back_and_a_second_withdraw_is_a_no_op(as_resident, settings):
    settings.VOTE_BUDGET = 10
    proposal = ProposalFactory()
    as_resident.post(_url(proposal))
    withdrawn = as_resident.delete(_url(proposal))
    expected = {"proposal": proposal.pk, "vote_count": 0, "has_voted": False, "votes_remaining": 10}
    assert (withdrawn.status_code, withdrawn.json()) == (200, expected)
    assert as_resident.delete(_url(proposal)).json() == expected
    proposal.refresh_from_db()
    assert proposal.vote_count == 0


def test_author_may_vote_for_their_own_proposal(as_resident, resident):
    proposal = ProposalFactory(author=resident)
    assert as_resident.post(_url(proposal)).status_code == 201


@pytest.mark.parametrize(
    "fields",
    [
        {"status": ProposalStatus.ACCEPTED},
        {"status": ProposalStatus.REJECTED},
        {"is_hidden": True},
    ],
)
def test_voting_is_closed_unless_published_and_visible(as_resident, resident, fields):
    proposal = ProposalFactory(author=resident, **fields)  # the author can still see it
    response = as_resident.post(_url(proposal))
    assert response.status_code == 409 and response.json()["code"] == "voting_closed"
    assert not Vote.objects.exists()


def test_unpublished_proposal_of_someone_else_is_not_found(as_resident):
    proposal = ProposalFactory(status=ProposalStatus.SUBMITTED)
    assert as_resident.post(_url(proposal)).status_code == 404


def test_staff_do_not_vote(as_moderator):
    assert as_moderator.post(_url(ProposalFactory())).status_code == 403


def test_budget_counts_open_votes_on_published_proposals_only(as_resident, resident, settings):
    settings.VOTE_BUDGET = 2
    first, second, third = ProposalFactory.create_batch(3)
    assert as_resident.post(_url(first)).json()["votes_remaining"] == 1
    assert as_resident.post(_url(second)).json()["votes_remaining"] == 0
    refused = as_resident.post(_url(third))
    assert refused.status_code == 409 and refused.json()["code"] == "vote_budget_exhausted"
    # A proposal accepted into the plan no longer uses the budget.
    first.status = ProposalStatus.ACCEPTED
    first.save(update_fields=["status"])
    assert as_resident.post(_url(third)).status_code == 201
    third.refresh_from_db()
    assert third.vote_count == 1


def test_withdraw_after_the_proposal_closed_is_refused(as_resident, resident):
    proposal = ProposalFactory()
    as_resident.post(_url(proposal))
    proposal.status = ProposalStatus.ACCEPTED
    proposal.save(update_fields=["status"])
    response = as_resident.delete(_url(proposal))
    assert response.status_code == 409 and response.json()["code"] == "voting_closed"
    assert Vote.objects.filter(proposal=proposal).count() == 1


def test_retried_vote_with_same_key_replays_the_201(as_resident):
    proposal = ProposalFactory()
    first = as_resident.post(_url(proposal), HTTP_IDEMPOTENCY_KEY="vote-1")
    again = as_resident.post(_url(proposal), HTTP_IDEMPOTENCY_KEY="vote-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    other = as_resident.post(_url(ProposalFactory()), HTTP_IDEMPOTENCY_KEY="vote-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert Vote.objects.count() == 1


def test_votes_are_throttled_per_user(as_resident, as_other_resident, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "vote", "2/min")
    proposal = ProposalFactory()
    codes = [as_resident.post(_url(proposal)).status_code, as_resident.delete(_url(proposal)).status_code]
    throttled = as_resident.post(_url(proposal))
    assert codes == [201, 200]
    assert throttled.status_code == 429 and throttled.json()["code"] == "throttled"
    assert 0 < int(throttled["Retry-After"]) <= 60  # when the oldest of the two leaves the minute
    assert as_other_resident.post(_url(proposal)).status_code == 201  # per user, not global


def test_anonymous_caller_cannot_vote(api):
    assert api.post(_url(ProposalFactory())).status_code == 401


@pytest.fixture
def scheduled(settings):
    """The live tally sends a vote schedules: the dummy task backend keeps them, as the worker's queue would."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = vote_tally_send.get_backend()
    backend.clear()
    return backend.results


def _run(results) -> None:
    """Run the scheduled sends, as the worker does at each one's run_after."""
    for result in results:
        result.task.call(*result.args, **result.kwargs)


def test_a_vote_schedules_its_tally_after_commit_and_notifies_milestones(
    as_resident, sent, scheduled, monkeypatch, django_capture_on_commit_callbacks
):
    milestones = []
    monkeypatch.setattr(
        notification_services, "notify_vote_milestone", lambda **kw: milestones.append(kw["vote_count"])
    )
    proposal = ProposalFactory(vote_count=9)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        as_resident.post(_url(proposal))
    assert scheduled == []  # nothing before commit
    for callback in callbacks:
        callback()
    [result] = scheduled
    assert result.task.run_after > timezone.now()  # at the end of the window, not at once
    with django_capture_on_commit_callbacks(execute=True):
        _run(scheduled)
    [(groups, message)] = sent
    assert groups == events.moderation_groups(proposal.kelurahan_id)
    assert message["type"] == events.VOTE_TALLY
    assert message["payload"] == {"proposal_id": proposal.pk, "kelurahan_id": proposal.kelurahan_id, "vote_count": 10}
    assert milestones == [10]


def test_one_tally_per_proposal_per_window_with_the_count_at_its_end(
    as_resident, as_other_resident, sent, scheduled, django_capture_on_commit_callbacks
):
    popular, other = ProposalFactory(), ProposalFactory()
    with django_capture_on_commit_callbacks(execute=True):
        as_resident.post(_url(popular))
        as_other_resident.post(_url(popular))
        as_resident.delete(_url(popular))
        as_resident.post(_url(other))
    assert len(scheduled) == 1  # one send for the window, whatever the proposals
    with django_capture_on_commit_callbacks(execute=True):
        _run(scheduled)
    counts = {m["payload"]["proposal_id"]: m["payload"]["vote_count"] for _groups, m in sent}
    assert counts == {popular.pk: 1, other.pk: 1}  # once each, with the count after the last vote
    cache.delete("vote-tally:round")  # the window has passed: the next vote opens another
    with django_capture_on_commit_callbacks(execute=True):
        as_resident.post(_url(popular))
    assert len(scheduled) == 2
    with django_capture_on_commit_callbacks(execute=True):
        _run(scheduled[1:])
    assert [m["payload"] for _groups, m in sent[2:]] == [
        {"proposal_id": popular.pk, "kelurahan_id": popular.kelurahan_id, "vote_count": 2}
    ]


def test_a_vote_in_a_window_whose_send_ran_late_rides_along_with_the_next(
    as_resident, as_other_resident, sent, scheduled, django_capture_on_commit_callbacks
):
    # The window's key expired and another vote opened the next window before the first send ran: that send
    # takes both votes' proposals, and the next one has nothing left to send twice.
    first, second = ProposalFactory(), ProposalFactory()
    with django_capture_on_commit_callbacks(execute=True):
        as_resident.post(_url(first))
    cache.delete("vote-tally:round")
    with django_capture_on_commit_callbacks(execute=True):
        as_other_resident.post(_url(second))
    assert len(scheduled) == 2
    with django_capture_on_commit_callbacks(execute=True):
        _run(scheduled)
    assert sorted(m["payload"]["proposal_id"] for _groups, m in sent) == sorted([first.pk, second.pk])


def test_without_delayed_tasks_each_vote_sends_its_tally_at_once(as_resident, sent, settings, committed):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    proposal = ProposalFactory()
    with committed():
        as_resident.post(_url(proposal))
    with committed():
        as_resident.delete(_url(proposal))
    assert [m["payload"]["vote_count"] for _groups, m in sent] == [1, 0]


def _fresh_state(*, proposal, voter, cycle) -> SimpleNamespace:
    """The caller's vote state counted again by the ORM (services/votes.py's readable rules)."""
    proposal.refresh_from_db(fields=["vote_count"])
    return SimpleNamespace(
        vote_count=proposal.vote_count,
        has_voted=Vote.objects.filter(proposal=proposal, voter=voter).exists(),
        votes_remaining=max(0, settings.VOTE_BUDGET - open_votes_count(voter=voter, cycle=cycle)),
    )


def test_the_remaining_budget_in_each_answer_is_what_a_fresh_count_gives(as_resident, resident, settings):
    settings.VOTE_BUDGET = 10
    cycle = make_cycle(phase="voting")
    this_cycle = ProposalFactory(cycle=cycle)
    no_cycle = ProposalFactory()  # outside the cycle: does not use its budget
    for proposal, expected in ((this_cycle, 9), (no_cycle, 9)):
        answer = as_resident.post(_url(proposal)).json()
        fresh = _fresh_state(proposal=proposal, voter=resident, cycle=cycle)
        assert answer["votes_remaining"] == fresh.votes_remaining == expected
        assert answer["vote_count"] == fresh.vote_count == 1
    for proposal in (no_cycle, this_cycle):
        answer = as_resident.delete(_url(proposal)).json()
        fresh = _fresh_state(proposal=proposal, voter=resident, cycle=cycle)
        assert answer["votes_remaining"] == fresh.votes_remaining
        assert (answer["vote_count"], answer["has_voted"]) == (fresh.vote_count, fresh.has_voted) == (0, False)
    assert answer["votes_remaining"] == 10


@pytest.mark.parametrize("status", ProposalStatus.values)
@pytest.mark.parametrize("is_hidden", [False, True])
@pytest.mark.parametrize("own", [False, True])
def test_who_may_vote_follows_who_may_see_the_proposal(as_resident, resident, status, is_hidden, own):
    # The vote reads visibility in its own statement (services/votes.py); it must agree with the selector.
    fields = {"author": resident} if own else {}
    if status == ProposalStatus.MERGED:
        fields["merged_into"] = ProposalFactory()
    proposal = ProposalFactory(status=status, is_hidden=is_hidden, **fields)
    visible = proposals_visible_to(resident).filter(pk=proposal.pk).exists()
    response = as_resident.post(_url(proposal))
    if not visible:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    elif status == ProposalStatus.PUBLISHED and not is_hidden:
        assert response.status_code == 201
    else:
        assert (response.status_code, response.json()["code"]) == (409, "voting_closed")
    assert Vote.objects.filter(proposal=proposal).exists() == (response.status_code == 201)


def test_a_missing_proposal_is_not_found(as_resident):
    response = as_resident.post("/api/v1/proposals/987654/vote/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert as_resident.delete("/api/v1/proposals/987654/vote/").status_code == 404


def test_a_vote_takes_a_fixed_number_of_statements(as_resident, django_assert_num_queries):
    # No user read by authentication (the view's stateless token check); then the vote locks and checks the
    # voter (with the cycles' version), reads and locks the proposal, reads the voter's votes (a repeat, the
    # budget), inserts and counts the vote (the count is the locked row's, moved by one: no read back;
    # triggers move the list's tallies), within the test's savepoint around the request. A withdrawal
    # deletes and counts. The current cycle is read once per version of the cycles, then kept.
    proposal = ProposalFactory()
    as_resident.get("/api/v1/proposals/")  # warm: nothing lazily loaded on the first request
    with django_assert_num_queries(8):  # lock, cycle (first vote since the cycles changed), proposal, votes,
        assert as_resident.post(_url(proposal)).status_code == 201  # insert, count, the test's two
    with django_assert_num_queries(7):  # lock, proposal, votes, delete, count, the test's two
        assert as_resident.delete(_url(proposal)).status_code == 200
    with django_assert_num_queries(7):  # the same without the cycle
        assert as_resident.post(_url(proposal)).status_code == 201
    with django_assert_num_queries(5):  # a repeat: lock, proposal, votes, the test's two
        assert as_resident.post(_url(proposal)).status_code == 200


@pytest.mark.parametrize("method", ["post", "delete"])
def test_a_token_of_a_deactivated_or_deleted_user_is_refused_as_authentication_refuses_it(
    as_resident, resident, method
):
    # The vote's caller is the token's user, not read (api/authentication.py): the vote reads and checks it.
    proposal = ProposalFactory()
    as_resident.post(_url(proposal))
    User.objects.filter(pk=resident.pk).update(is_active=False)
    inactive = getattr(as_resident, method)(_url(proposal))
    assert (inactive.status_code, inactive.json()["code"]) == (401, "user_inactive")
    assert inactive["WWW-Authenticate"] == 'Bearer realm="api"'
    assert as_resident.get("/api/v1/me/").json()["code"] == "user_inactive"  # the same answer as elsewhere
    Vote.objects.filter(voter=resident).delete()
    User.objects.filter(pk=resident.pk).delete()
    gone = getattr(as_resident, method)(_url(proposal))
    assert (gone.status_code, gone.json()["code"]) == (401, "user_not_found")
    assert Vote.objects.filter(proposal=proposal).count() == 0


def test_a_resident_made_staff_after_the_token_was_issued_no_longer_votes(as_resident, resident):
    proposal = ProposalFactory()
    user_assign_role(user=resident, role="moderator", kelurahan=[resident.kelurahan])
    response = as_resident.post(_url(proposal))
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not Vote.objects.filter(proposal=proposal).exists()


def test_refusals_come_in_order_who_then_phase_then_proposal(as_moderator, as_resident):
    make_cycle(phase="review")
    missing = "/api/v1/proposals/987654/vote/"
    assert as_moderator.post(missing).status_code == 403  # staff: refused before anything else is told
    response = as_resident.post(missing)
    assert (response.status_code, response.json()["code"]) == (409, "voting_closed_phase")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans are PostgreSQL's")
def test_a_voters_votes_are_read_from_the_index_alone(resident):
    """A list's `has_voted` and a vote's read of the voter's votes read only (voter, proposal): one index
    serves them without a visit to each vote's row. A voter-only index would read every row of the voter's
    history (and, in a bitmap scan, the withdrawn votes' rows too, on every vote)."""
    proposals = ProposalFactory.create_batch(3)
    for proposal in proposals:
        vote_services.vote_cast(proposal_id=proposal.pk, voter_id=resident.pk)
    voted = Vote.objects.filter(voter=resident, proposal_id__in=[p.pk for p in proposals])
    with connection.cursor() as cursor:  # a test table is small: make the planner show what an index can do
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off")
    assert "Index Only Scan using vote_voter_proposal" in voted.values_list("proposal_id").explain()
    assert "Index Only Scan using vote_voter_proposal" in vote_services._votes_of(resident.pk).explain()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared plans are PostgreSQL's")
def test_the_votes_read_keeps_its_plan_once_prepared(resident):
    """Statements are prepared after 5 runs on a connection, and a prepared statement may keep one plan for
    any value of its parameters. The vote's read of the voter's votes has no parameter but the voter, and its
    plan must be a walk of the voter's index with a lookup of each proposal: the count it replaced, with
    `status = $1` (a skewed column), got a plan that hashed every published proposal (on the bench's 20,000
    proposals, 3.4 ms a vote instead of 0.05)."""
    # A city in small: 2,000 proposals, 200 voters with 10 votes each (the planner's estimates come from these).
    template = ProposalFactory()
    template.pk = None
    statuses = [s for s in ProposalStatus if s != ProposalStatus.MERGED]  # as varied as a city's: the count's trap
    proposals = [copy.copy(template) for _ in range(2000)]
    for n, proposal in enumerate(proposals):
        proposal.status = statuses[n % len(statuses)]
    proposals = Proposal.objects.bulk_create(proposals, batch_size=500)
    voters = User.objects.bulk_create(
        [User(phone=f"+62811000{n:04d}", display_name=f"Warga {n}") for n in range(200)], batch_size=500
    )
    Vote.objects.bulk_create(
        [
            Vote(voter=voter, proposal=proposals[(n * 10 + k) % 2000])
            for n, voter in enumerate(voters)
            for k in range(10)
        ],
        batch_size=500,
    )
    sql, params = vote_services._votes_of(resident.pk).query.sql_with_params()
    for n in range(1, len(params) + 1):
        sql = sql.replace("%s", f"${n}", 1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE aspirasi_proposal; ANALYZE aspirasi_vote")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        types = ", ".join("bigint" if isinstance(param, int) else "text" for param in params)
        cursor.execute(f"PREPARE votes_of({types}) AS {sql}")
        values = ", ".join(str(param) if isinstance(param, int) else f"'{param}'" for param in params)
        cursor.execute(f"EXPLAIN EXECUTE votes_of({values})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE votes_of")
    assert plan.startswith("Nested Loop") and "Index Cond: (voter_id = $" in plan, plan
    assert "Index Scan using aspirasi_proposal_pkey" in plan, plan
    assert "Seq Scan on aspirasi_proposal" not in plan and "Hash" not in plan, plan


def test_a_vote_moved_in_while_the_vote_waited_for_the_proposal_counts_once(resident, monkeypatch):
    """A merge moving this voter's vote onto the proposal holds the proposal's lock: the vote waits for it
    and reads the voter's votes after it, so it finds the moved vote and answers as a repeat (not created),
    the count untouched."""
    proposal = ProposalFactory(vote_count=1)
    locked = vote_services._proposal_locked

    def merged_while_waiting(**kwargs):
        read = locked(**kwargs)
        Vote.objects.create(proposal=proposal, voter=resident)  # the merge's, committed as the lock is granted
        return read

    monkeypatch.setattr(vote_services, "_proposal_locked", merged_while_waiting)
    state = vote_services.vote_cast(proposal_id=proposal.pk, voter_id=resident.pk)
    assert (state.created, state.has_voted, state.vote_count) == (False, True, 1)
    proposal.refresh_from_db()
    assert proposal.vote_count == 1
    assert Vote.objects.filter(proposal=proposal).count() == 1

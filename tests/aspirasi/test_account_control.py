"""The resident's control of their account (issue 21): log out, rotating refresh tokens, change the password,
export their data, erase the account."""

import json
import threading

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.db.models import Count, F
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from aspirasi.errors import CallerNotFound, VotingClosed
from aspirasi.models import (
    AuditEntry,
    Flag,
    Proposal,
    ProposalPhoto,
    ProposalStatus,
    ProposalStatusEvent,
    Report,
    ReportStatus,
    User,
    Vote,
)
from aspirasi.services.account_data import account_erase, actor_pseudonym
from aspirasi.services.accounts import tokens_for
from aspirasi.services.votes import vote_cast, vote_withdraw
from notifications import services as notification_services
from notifications.models import Device, MutedKind, Notification, NotificationSettings, PushDelivery
from tests.aspirasi.factories_moderation import ReportFactory
from tests.aspirasi.planning_fixtures import make_cycle
from tests.conftest import client_for
from tests.factories import ProposalFactory, UserFactory, category, image_bytes, kelurahan

pytestmark = pytest.mark.django_db

PASSWORD = "rahasia-sekali-123"  # tests/factories.UserFactory's
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
CHANGE_PASSWORD = "/api/v1/auth/password/change/"
EXPORT = "/api/v1/me/export/"
ME = "/api/v1/me/"


def _bearer(access: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client


# --- Sessions: logout, rotation -------------------------------------------------------------------------


def test_every_issued_refresh_token_is_recorded(resident):
    tokens_for(resident)
    tokens_for(resident)
    assert OutstandingToken.objects.filter(user=resident).count() == 2


def test_a_refresh_rotates_and_the_used_token_is_refused(api, resident):
    first = tokens_for(resident)["refresh"]
    answer = api.post(REFRESH, {"refresh": first}, format="json")
    assert answer.status_code == 200
    assert set(answer.json()) == {"access", "refresh"} and answer.json()["refresh"] != first
    again = api.post(REFRESH, {"refresh": first}, format="json")
    assert again.status_code == 401 and again.json()["code"] == "token_not_valid"
    assert api.post(REFRESH, {"refresh": answer.json()["refresh"]}, format="json").status_code == 200


def test_logout_revokes_the_refresh_token(api, resident):
    refresh = tokens_for(resident)["refresh"]
    assert api.post(LOGOUT, {"refresh": refresh}, format="json").status_code == 204
    refused = api.post(REFRESH, {"refresh": refresh}, format="json")
    assert refused.status_code == 401 and refused.json()["code"] == "token_not_valid"
    # Once is enough: the same token again is no live session.
    assert api.post(LOGOUT, {"refresh": refresh}, format="json").json()["code"] == "token_not_valid"


def test_logout_leaves_the_other_sessions(api, resident):
    phone, tablet = tokens_for(resident)["refresh"], tokens_for(resident)["refresh"]
    api.post(LOGOUT, {"refresh": phone}, format="json")
    assert api.post(REFRESH, {"refresh": tablet}, format="json").status_code == 200


@pytest.mark.parametrize("token", ["not-a-token", "a.b.c", "x" * 1000])
def test_logout_with_a_bad_token_is_a_401_not_a_500(api, token):
    answer = api.post(LOGOUT, {"refresh": token}, format="json")
    assert answer.status_code == 401 and answer.json()["code"] == "token_not_valid"


def test_logout_with_an_access_token_is_refused(api, resident):
    answer = api.post(LOGOUT, {"refresh": tokens_for(resident)["access"]}, format="json")
    assert answer.status_code == 401 and answer.json()["code"] == "token_not_valid"


def test_logout_with_someone_elses_token_ends_that_session_only(api, resident, other_resident):
    # Holding a refresh token is the session: whoever holds it may end it (and could as well use it).
    mine, theirs = tokens_for(resident)["refresh"], tokens_for(other_resident)["refresh"]
    answer = client_for(resident).post(LOGOUT, {"refresh": theirs}, format="json")
    assert answer.status_code == 204
    assert api.post(REFRESH, {"refresh": theirs}, format="json").status_code == 401
    assert api.post(REFRESH, {"refresh": mine}, format="json").status_code == 200


# --- Password change ----------------------------------------------------------------------------------------


def test_password_change_revokes_every_session_and_returns_a_new_pair(api, resident):
    sessions = [tokens_for(resident)["refresh"] for _ in range(2)]
    answer = client_for(resident).post(
        CHANGE_PASSWORD, {"old_password": PASSWORD, "new_password": "kebun-mangga-di-teritip"}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert "no-store" in answer["Cache-Control"]
    for refresh in sessions:
        assert api.post(REFRESH, {"refresh": refresh}, format="json").json()["code"] == "token_not_valid"
    assert api.post(REFRESH, {"refresh": answer.json()["refresh"]}, format="json").status_code == 200
    assert _bearer(answer.json()["access"]).get(ME).status_code == 200
    resident.refresh_from_db()
    assert resident.check_password("kebun-mangga-di-teritip") and not resident.check_password(PASSWORD)


def test_a_wrong_old_password_has_its_own_code_and_changes_nothing(api, resident):
    session = tokens_for(resident)["refresh"]
    answer = client_for(resident, language="en").post(
        CHANGE_PASSWORD, {"old_password": "bukan-ini", "new_password": "kebun-mangga-di-teritip"}, format="json"
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "wrong_password" and body["message"] == "The password is wrong."
    assert body["fields"]["old_password"][0]["code"] == "wrong_password"
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
    assert api.post(REFRESH, {"refresh": session}, format="json").status_code == 200


def test_the_wrong_password_message_is_indonesian_by_default(resident):
    body = client_for(resident).post(CHANGE_PASSWORD, {"old_password": "x", "new_password": "y" * 12}).json()
    assert body["message"] == "Kata sandi salah."


@pytest.mark.parametrize(
    ("new_password", "code"),
    [("12345678901", "password_entirely_numeric"), ("password123", "password_too_common"), ("short", "min_length")],
)
def test_the_password_validators_judge_the_new_password(resident, new_password, code):
    answer = client_for(resident).post(
        CHANGE_PASSWORD, {"old_password": PASSWORD, "new_password": new_password}, format="json"
    )
    assert answer.status_code == 400
    assert code in {error["code"] for error in answer.json()["fields"]["new_password"]}
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)


def test_password_guesses_are_limited_per_account(resident):
    client = client_for(resident)
    body = {"old_password": "tebakan", "new_password": "kebun-mangga-di-teritip"}
    answers = [client.post(CHANGE_PASSWORD, body, format="json").status_code for _ in range(11)]
    assert answers[:10] == [400] * 10 and answers[10] == 429
    # The erasure's password check counts against the same limit.
    assert client.delete(ME, {"password": PASSWORD}, format="json").status_code == 429
    assert User.objects.filter(pk=resident.pk).exists()


def test_password_change_needs_a_signed_in_caller(api):
    answer = api.post(CHANGE_PASSWORD, {"old_password": PASSWORD, "new_password": "kebun-mangga"}, format="json")
    assert answer.status_code == 401


# --- Export -------------------------------------------------------------------------------------------------


def _photo(proposal: Proposal) -> ProposalPhoto:
    return ProposalPhoto.objects.create(
        proposal=proposal,
        image=ContentFile(image_bytes(), name="foto.jpg"),
        thumbnail_small=ContentFile(image_bytes(size=(8, 6)), name="foto-s.jpg"),
        thumbnail_large=ContentFile(image_bytes(size=(16, 12)), name="foto-l.jpg"),
    )


def _world(person: User, *, n: int, other: User) -> None:
    """n of everything the person can have, and what others did to it."""
    for i in range(n):
        proposal = ProposalFactory(author=person, kelurahan=kelurahan("manggar"))
        _photo(proposal)
        ProposalStatusEvent.objects.create(proposal=proposal, to_status="submitted", actor=person, actor_role="author")
        ReportFactory(author=person, status=ReportStatus.VERIFIED)
        theirs = ProposalFactory(author=other)
        Vote.objects.create(proposal=theirs, voter=person)
        Flag.objects.create(proposal=theirs, flagger=person, reason="spam", message=f"iklan {i}")
        Flag.objects.create(proposal=proposal, flagger=other, reason="offensive", message="dari tetangga")
        Vote.objects.create(proposal=proposal, voter=other)
        Notification.objects.create(recipient=person, kind="proposal_published", title=f"Terbit {i}")
        Device.objects.create(user=person, platform="android", token=f"fcm-token-{person.pk}-{i}")
    MutedKind.objects.create(user=person, kind="vote_milestone")


def test_export_holds_the_callers_data_and_nobody_elses(resident, other_resident):
    _world(resident, n=1, other=other_resident)
    answer = client_for(resident).get(EXPORT)
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    data = answer.json()
    assert data["profile"]["phone"] == resident.phone and data["profile"]["display_name"] == "Siti Warga"
    assert data["profile"]["kelurahan"]["slug"] == "manggar"
    [proposal] = data["proposals"]
    assert proposal["photos"][0]["image"].startswith("http://testserver/")
    assert proposal["timeline"] == [
        {
            "from_status": "",
            "to_status": "submitted",
            "actor_role": "author",
            "message": "",
            "created_at": proposal["timeline"][0]["created_at"],
        }
    ]
    assert data["reports"][0]["image"].startswith("http://testserver/")
    assert [v["proposal_id"] for v in data["votes"]] == list(
        Vote.objects.filter(voter=resident).values_list("proposal_id", flat=True)
    )
    assert [f["message"] for f in data["flags"]] == ["iklan 0"]
    assert [n["title"] for n in data["notifications"]] == ["Terbit 0"]
    assert data["notification_settings"]["kinds"]["vote_milestone"] is False
    assert data["devices"][0]["platform"] == "android" and "token" not in data["devices"][0]
    text = json.dumps(data)
    # Other people's personal data about the caller's items stays out: who flagged or voted, and what they wrote.
    assert other_resident.phone not in text and other_resident.display_name not in text
    assert "dari tetangga" not in text and "fcm-token" not in text


def _export_queries(person, django_assert_max_num_queries, *, n: int, other, budget: int) -> None:
    _world(person, n=n, other=other)
    client = client_for(person)
    with django_assert_max_num_queries(budget) as captured:
        assert client.get(EXPORT).status_code == 200
    return len(captured)


def test_export_reads_a_fixed_number_of_queries(resident, other_resident, django_assert_max_num_queries):
    # The caller, the profile, proposals (+ target groups, photos, timeline), reports, votes, flags, comments,
    # comment flags, follows, the inbox, the push switch, the muted kinds, devices.
    few = _export_queries(resident, django_assert_max_num_queries, n=1, other=other_resident, budget=16)
    heavy = UserFactory()
    many = _export_queries(heavy, django_assert_max_num_queries, n=4, other=other_resident, budget=16)
    assert few == many


def test_export_is_limited_per_account(resident, other_resident):
    client = client_for(resident)
    assert [client.get(EXPORT).status_code for _ in range(6)] == [200] * 5 + [429]
    assert client_for(other_resident).get(EXPORT).status_code == 200


def test_export_needs_a_signed_in_caller(api):
    assert api.get(EXPORT).status_code == 401


# --- Erasure ------------------------------------------------------------------------------------------------


def test_a_wrong_password_erases_nothing(resident):
    answer = client_for(resident).delete(ME, {"password": "bukan-ini"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "wrong_password"
    assert answer.json()["fields"]["password"][0]["code"] == "wrong_password"
    assert User.objects.filter(pk=resident.pk).exists()


def test_erasure_needs_the_password(resident):
    answer = client_for(resident).delete(ME)
    assert answer.status_code == 400 and "password" in answer.json()["fields"]
    assert User.objects.filter(pk=resident.pk).exists()


@pytest.mark.parametrize("staff", ["moderator_manggar", "planner", "admin_user"])
def test_staff_cannot_erase_themselves(request, staff):
    user = request.getfixturevalue(staff)
    answer = client_for(user).delete(ME, {"password": PASSWORD}, format="json")
    assert answer.status_code == 403 and answer.json()["code"] == "staff_erasure_refused"
    assert User.objects.filter(pk=user.pk).exists()


@pytest.fixture
def history(resident, other_resident, admin_user):
    """A resident with a bit of everything, some of it made through the API (an Idempotency-Key's stored
    answer names them), before a Musrenbang cycle in its voting phase starts."""
    resident.email = "siti@example.id"
    resident.save(update_fields=["email"])
    # A mistyped password: the lockouts keep the phone number (django-axes' attempts and failure log).
    wrong = APIClient().post("/api/v1/auth/token/", {"phone": resident.phone, "password": "salah"}, format="json")
    assert wrong.status_code == 401 and AccessAttempt.objects.filter(username=resident.phone).exists()
    created = client_for(resident).post(
        "/api/v1/proposals/",
        {
            "title": "Lampu jalan di gang mawar",
            "description": "Gang mawar gelap di malam hari sehingga warga takut keluar rumah.",
            "category": category("pendidikan").pk,
            "kelurahan": kelurahan("manggar").pk,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert created.status_code == 201, created.json()
    public = ProposalFactory(author=resident, kelurahan=kelurahan("manggar"), title="Sumur bor untuk RT 12")
    photo = _photo(public)
    submitted = Proposal.objects.get(pk=created.json()["id"])
    public_report = ReportFactory(author=resident, status=ReportStatus.VERIFIED)
    new_report = ReportFactory(author=resident, status=ReportStatus.NEW)
    theirs = ProposalFactory(author=other_resident, kelurahan=kelurahan("teritip"))
    Flag.objects.create(proposal=theirs, flagger=resident, reason="spam", message="Siti Warga melihat iklan")
    notification = Notification.objects.create(recipient=resident, kind="proposal_published", title="Terbit")
    device = Device.objects.create(user=resident, platform="android", token="fcm-token-of-siti")
    PushDelivery.objects.create(notification=notification, device=device, next_attempt_at=notification.created_at)
    NotificationSettings.objects.create(user=resident, push_enabled=False)
    MutedKind.objects.create(user=resident, kind="vote_milestone")
    LogEntry.objects.create(
        user=admin_user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(resident.pk),
        object_repr=str(resident),
        action_flag=CHANGE,
        change_message="[]",
    )
    AuditEntry.objects.create(
        actor=resident, actor_role="resident", item_type="proposal", item_id=theirs.pk, action="flag"
    )
    return {
        "public": public,
        "photo": photo,
        "submitted": submitted,
        "public_report": public_report,
        "new_report": new_report,
        "theirs": theirs,
    }


def _read_every_table(*, needles: list[str], user_id: int) -> list[str]:
    """Where any of `needles` appears in a text, char, file or JSON column of any model, or a foreign key
    to User still holds `user_id`."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            name = f"{model._meta.label}.{field.name}"
            if isinstance(field, models.ForeignKey) and field.related_model is User:
                if model.objects.filter(**{field.attname: user_id}).exists():
                    found.append(f"{name} -> user {user_id}")
            elif isinstance(field, models.CharField | models.TextField | models.JSONField | models.FileField):
                for value in model.objects.values_list(field.attname, flat=True):
                    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
                    found += [f"{name} holds {needle!r}" for needle in needles if needle in (text or "")]
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            for column in through._meta.concrete_fields:
                if column.related_model is User and through.objects.filter(**{column.attname: user_id}).exists():
                    found.append(f"{through._meta.label}.{column.name} -> user {user_id}")
    return found


def test_erasure_leaves_nothing_of_the_person(history, resident, other_resident, committed):
    needles = [resident.phone, resident.phone.removeprefix("+"), "Siti Warga", "siti@example.id"]
    assert _read_every_table(needles=needles, user_id=resident.pk)  # the reader finds them before
    make_cycle(phase="voting")
    vote_cast(proposal_id=history["theirs"].pk, voter_id=resident.pk)
    vote_cast(proposal_id=history["public"].pk, voter_id=other_resident.pk)
    with committed():
        answer = client_for(resident).delete(ME, {"password": PASSWORD}, format="json")
    assert answer.status_code == 204, answer.content
    assert _read_every_table(needles=needles, user_id=resident.pk) == []


def test_erasure_keeps_public_items_by_warga_of_their_kelurahan(history, resident, api, as_moderator, committed):
    before = api.get("/api/v1/proposals/").json()["results"]
    assert {"Siti Warga"} <= {item["author_name"] for item in before}  # and the page is cached now
    with committed():
        assert client_for(resident).delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    public = history["public"]
    public.refresh_from_db()
    assert public.author_id is None and public.status == ProposalStatus.PUBLISHED
    items = {item["id"]: item for item in api.get("/api/v1/proposals/").json()["results"]}
    assert items[public.pk]["author_name"] == "Warga Manggar" and items[public.pk]["is_own"] is False
    assert items[public.pk]["photos"][0]["image"].endswith(history["photo"].image.name.rsplit("/", 1)[-1])
    assert default_storage.exists(history["photo"].image.name)
    detail = api.get(f"/api/v1/proposals/{public.pk}/").json()
    assert detail["author_name"] == "Warga Manggar" and detail["is_own"] is False
    staff = as_moderator.get(f"/api/v1/proposals/{public.pk}/").json()
    assert staff["author"] is None and staff["author_name"] == "Warga Manggar"
    report = api.get(f"/api/v1/reports/{history['public_report'].pk}/")
    assert report.status_code == 200


def test_erasure_deletes_unpublished_items_and_their_files(history, resident, committed):
    files = [history["new_report"].image.name, history["new_report"].thumbnail_small.name]
    assert all(default_storage.exists(name) for name in files)
    with committed():
        client_for(resident).delete(ME, {"password": PASSWORD}, format="json")
    assert not Proposal.objects.filter(pk=history["submitted"].pk).exists()
    assert not Report.objects.filter(pk=history["new_report"].pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    assert Report.objects.get(pk=history["public_report"].pk).author_id is None


def test_erasure_withdraws_open_votes_and_tallies_stay_exact(resident, other_resident, committed):
    make_cycle(phase="voting")
    supported = ProposalFactory.create_batch(3, author=other_resident)
    for proposal in supported:
        vote_cast(proposal_id=proposal.pk, voter_id=resident.pk)
        vote_cast(proposal_id=proposal.pk, voter_id=UserFactory().pk)
    with committed():
        assert client_for(resident).delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    for proposal in supported:
        proposal.refresh_from_db()
        assert proposal.vote_count == 1 == Vote.objects.filter(proposal=proposal).count()
    assert not Vote.objects.filter(voter__isnull=True).exists()


def test_erasure_keeps_the_votes_of_a_closed_ballot_without_the_voter(resident, other_resident):
    cycle = make_cycle(phase="deliberation")
    carried = ProposalFactory(author=other_resident, cycle=cycle, vote_count=1)
    Vote.objects.create(proposal=carried, voter=resident)
    assert client_for(resident).delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    carried.refresh_from_db()
    assert carried.vote_count == 1
    assert list(Vote.objects.filter(proposal=carried).values_list("voter_id", flat=True)) == [None]


def test_the_audit_trail_keeps_a_pseudonym(history, resident):
    event = ProposalStatusEvent.objects.create(
        proposal=history["public"], to_status="published", actor=resident, actor_role="author"
    )
    pseudonym = actor_pseudonym(resident.pk)
    assert client_for(resident).delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    event.refresh_from_db()
    assert event.actor_id is None and event.actor_pseudonym == pseudonym
    assert AuditEntry.objects.get(item_id=history["theirs"].pk).actor_pseudonym == pseudonym
    # One person's entries share it; another's differ; it fits the column.
    assert pseudonym != actor_pseudonym(resident.pk + 1) and len(pseudonym) <= 32


def test_the_erased_accounts_tokens_are_refused(api, resident):
    pair = tokens_for(resident)
    assert client_for(resident).delete(ME, {"password": PASSWORD}, format="json").status_code == 204
    assert _bearer(pair["access"]).get(ME).status_code == 401
    refreshed = api.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert refreshed.status_code == 401 and refreshed.json()["code"] == "token_not_valid"
    assert api.post(LOGOUT, {"refresh": pair["refresh"]}, format="json").status_code in (204, 401)


def test_a_failure_leaves_the_account_whole(history, resident, other_resident, monkeypatch):
    make_cycle(phase="voting")
    vote_cast(proposal_id=history["theirs"].pk, voter_id=resident.pk)

    def broken(**kwargs):
        raise RuntimeError("push service database away")

    monkeypatch.setattr(notification_services, "notifications_erase_for", broken)
    with pytest.raises(RuntimeError):
        account_erase(user=resident, password=PASSWORD)
    assert User.objects.filter(pk=resident.pk, display_name="Siti Warga").exists()
    history["theirs"].refresh_from_db()
    assert history["theirs"].vote_count == 1 and Vote.objects.filter(voter=resident).count() == 1
    assert Proposal.objects.filter(author=resident).count() == 2
    assert Report.objects.filter(author=resident).count() == 2
    assert ProposalStatusEvent.objects.filter(actor=resident, actor_pseudonym="").exists()
    assert Device.objects.filter(user=resident).exists()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_erasure_racing_votes_keeps_every_count_exact(settings):
    settings.VOTE_BUDGET = 100
    make_cycle(phase="voting")
    proposals = ProposalFactory.create_batch(3)
    person, others = UserFactory(), UserFactory.create_batch(6)
    for proposal in proposals[:2]:
        vote_cast(proposal_id=proposal.pk, voter_id=person.pk)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(others) + 2)

    def run(work):
        try:
            barrier.wait()
            work()
        except (CallerNotFound, VotingClosed):
            pass  # the person's vote after their erasure; nothing was written
        except BaseException as exc:  # reported to the test
            errors.append(exc)
        finally:
            connection.close()

    def erase():
        account_erase(user=person, password=PASSWORD)

    def person_votes():
        for proposal in proposals:
            vote_cast(proposal_id=proposal.pk, voter_id=person.pk)

    def other_votes(voter):
        for proposal in proposals:
            vote_cast(proposal_id=proposal.pk, voter_id=voter.pk)
            vote_withdraw(proposal_id=proposals[0].pk, voter_id=voter.pk)

    works = [erase, person_votes, *[lambda voter=voter: other_votes(voter) for voter in others]]
    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert not User.objects.filter(pk=person.pk).exists()
    assert not Vote.objects.filter(voter__isnull=True).exists()  # open votes are withdrawn, not orphaned
    assert not Proposal.objects.annotate(n=Count("votes")).exclude(vote_count=F("n")).exists()

"""The inbox, read state, notification settings and device registration over HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aspirasi.models import ProposalStatus
from aspirasi.services.status import proposal_change_status
from notifications.models import Device, MutedKind, Notification, NotificationKind, NotificationSettings
from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def make_notifications(user, count: int, **fields) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(recipient=user, kind=NotificationKind.PROPOSAL_PUBLISHED, title=f"n{i}", **fields)
        for i in range(count)
    )


def test_inbox_lists_only_my_notifications_newest_first(as_resident, resident, other_resident):
    mine = make_notifications(resident, 3)
    make_notifications(other_resident, 2)
    response = as_resident.get(URL)
    assert response.status_code == 200
    assert [n["id"] for n in response.json()["results"]] == [n.pk for n in reversed(mine)]
    assert set(response.json()["results"][0]) >= {"kind", "title", "body", "target_type", "target_id", "read_at"}


def test_unread_filter_splits_read_from_unread(as_resident, resident):
    unread = make_notifications(resident, 2)
    read = make_notifications(resident, 1, read_at="2026-01-01T00:00:00Z")
    assert {n["id"] for n in as_resident.get(URL, {"unread": "true"}).json()["results"]} == {n.pk for n in unread}
    assert [n["id"] for n in as_resident.get(URL, {"unread": "false"}).json()["results"]] == [read[0].pk]


def test_a_bad_unread_value_is_a_validation_error(as_resident):
    response = as_resident.get(URL, {"unread": "maybe"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error" and "unread" in response.json()["fields"]


def test_cursor_pagination_walks_every_notification_once(as_resident, resident):
    make_notifications(resident, 7)
    seen, url = [], f"{URL}?page_size=3"
    while url:
        page = as_resident.get(url).json()
        seen += [n["id"] for n in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("rows", [1, 40])
def test_inbox_query_count_does_not_grow_with_rows(as_resident, resident, rows):
    make_notifications(resident, rows)
    with CaptureQueriesContext(connection) as queries:
        response = as_resident.get(URL, {"page_size": 50})
    assert response.status_code == 200 and len(response.json()["results"]) == rows
    assert len(queries) == 2  # the JWT's user, one page


def test_unread_count_read_one_and_read_all(as_resident, resident):
    first, *_rest = make_notifications(resident, 3)
    assert as_resident.get(f"{URL}unread-count/").json() == {"unread": 3}

    response = as_resident.post(f"{URL}{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    again = as_resident.post(f"{URL}{first.pk}/read/")
    assert again.json()["read_at"] == response.json()["read_at"]  # reading twice keeps the first time
    assert as_resident.get(f"{URL}unread-count/").json() == {"unread": 2}

    assert as_resident.post(f"{URL}read-all/").json() == {"updated": 2, "unread": 0}
    assert as_resident.get(f"{URL}unread-count/").json() == {"unread": 0}


def test_someone_elses_notification_is_not_found(as_other_resident, resident):
    (notification,) = make_notifications(resident, 1)
    response = as_other_resident.post(f"{URL}{notification.pk}/read/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all_leaves_other_users_alone(as_resident, resident, other_resident):
    make_notifications(resident, 1)
    theirs = make_notifications(other_resident, 2)
    as_resident.post(f"{URL}read-all/")
    assert Notification.objects.filter(pk__in=[n.pk for n in theirs], read_at__isnull=True).count() == 2


def test_anonymous_gets_401(api):
    assert api.get(URL).status_code == 401


# --- settings ----------------------------------------------------------------------------------------------

SETTINGS_URL = "/api/v1/me/notification-settings/"


def test_settings_default_to_everything_on(as_resident):
    body = as_resident.get(SETTINGS_URL).json()
    assert body["push_enabled"] is True
    assert set(body["kinds"]) == set(NotificationKind.values) and all(body["kinds"].values())


def test_muting_a_kind_stops_it_and_push_can_be_switched_off(as_resident, resident, moderator_manggar):
    response = as_resident.patch(
        SETTINGS_URL, {"push_enabled": False, "kinds": {"proposal_published": False}}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["push_enabled"] is False and response.json()["kinds"]["proposal_published"] is False
    assert not NotificationSettings.objects.get(user=resident).push_enabled

    proposal = ProposalFactory(author=resident, status=ProposalStatus.SUBMITTED)
    proposal_change_status(proposal=proposal, to_status=ProposalStatus.PUBLISHED, actor=moderator_manggar)
    assert not Notification.objects.filter(recipient=resident).exists()

    as_resident.patch(SETTINGS_URL, {"kinds": {"proposal_published": True}}, format="json")
    assert not MutedKind.objects.filter(user=resident).exists()


def test_an_unknown_kind_is_refused(as_resident):
    response = as_resident.patch(SETTINGS_URL, {"kinds": {"everything": False}}, format="json")
    assert response.status_code == 400 and "kinds" in response.json()["fields"]


# --- devices -----------------------------------------------------------------------------------------------

DEVICES_URL = "/api/v1/devices/"


def test_registering_the_same_token_again_is_idempotent(as_resident, resident):
    first = as_resident.post(DEVICES_URL, {"platform": "android", "token": "fcm-token-1"}, format="json")
    again = as_resident.post(DEVICES_URL, {"platform": "android", "token": "fcm-token-1"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Device.objects.filter(user=resident).count() == 1


def test_a_token_moves_to_the_account_that_registers_it_last(as_resident, as_other_resident, other_resident):
    as_resident.post(DEVICES_URL, {"platform": "ios", "token": "apns-abc"}, format="json")
    as_other_resident.post(DEVICES_URL, {"platform": "ios", "token": "apns-abc"}, format="json")
    assert Device.objects.get(token="apns-abc").user == other_resident


def test_a_deactivated_token_is_reactivated_by_registering_it(as_resident, resident):
    Device.objects.create(user=resident, platform="android", token="old", active=False)
    response = as_resident.post(DEVICES_URL, {"platform": "android", "token": "old"}, format="json")
    assert response.status_code == 200 and response.json()["active"] is True


@pytest.mark.parametrize(
    "payload", [{"platform": "windows", "token": "x"}, {"platform": "ios", "token": ""}, {"platform": "ios"}]
)
def test_bad_device_input_is_a_validation_error(as_resident, payload):
    response = as_resident.post(DEVICES_URL, payload, format="json")
    assert response.status_code == 400 and response.json()["code"] == "validation_error"


def test_only_my_own_device_can_be_deleted(as_resident, as_other_resident, resident):
    device = Device.objects.create(user=resident, platform="android", token="t1")
    assert as_other_resident.delete(f"{DEVICES_URL}{device.pk}/").status_code == 404
    assert as_resident.delete(f"{DEVICES_URL}{device.pk}/").status_code == 204
    assert not Device.objects.exists()


def test_unread_is_true_false_or_left_out(as_resident, resident):
    make_notifications(resident, 1)
    assert len(as_resident.get(URL).json()["results"]) == 1
    response = as_resident.get(URL, {"unread": "null"})
    assert response.status_code == 400 and "unread" in response.json()["fields"]

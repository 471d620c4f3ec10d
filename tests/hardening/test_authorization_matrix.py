"""Every API endpoint x every persona: allowed or denied, as the policy says.

The endpoints are read from the URL conf, so a new endpoint without a row in POLICY fails
`test_every_endpoint_has_a_policy` and cannot escape the matrix.

allow: the persona gets past authentication and authorization (any status but 401/403, never 5xx; a
       validation error or a domain conflict still counts as allowed).
deny:  401, 403, or 404 where an object is hidden from the persona.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests import personas
from tests.conftest import client_for
from tests.hardening.objects import objects_of

PERSONAS = ["anonymous", "author", "other_resident", "moderator", "other_moderator", "planner", "opd_officer", "admin"]
EVERYONE = set(PERSONAS)
SIGNED_IN = EVERYONE - {"anonymous"}
MODERATORS = {"moderator", "admin"}  # of the item's area (Manggar)
STAFF_READERS = {"moderator", "other_moderator", "planner", "admin"}
PLANNERS = {"planner", "admin"}
AUTHOR_ONLY = {"author"}
RESIDENTS = {"author", "other_resident"}  # staff accounts do not vote or flag
OPD_OFFICERS = {"opd_officer"}  # of Dinas Kesehatan, where the `disposition` was forwarded

# (url name, method) -> (who is allowed, the object the URL points at, request body)
POLICY: dict[tuple[str, str], tuple[set[str], str | None, dict | None]] = {
    ("auth-register", "POST"): (EVERYONE, None, {}),
    ("auth-verify", "POST"): (EVERYONE, None, {}),
    ("auth-code-resend", "POST"): (EVERYONE, None, {}),
    ("auth-password-reset", "POST"): (EVERYONE, None, {}),
    ("auth-password-reset-confirm", "POST"): (EVERYONE, None, {}),
    ("auth-token", "POST"): (EVERYONE, None, {}),
    ("auth-token-refresh", "POST"): (EVERYONE, None, {}),
    ("me", "GET"): (SIGNED_IN, None, None),
    ("me", "PATCH"): (SIGNED_IN, None, {}),
    # Staff accounts are refused (an administrator removes them); a wrong password erases nothing.
    ("me", "DELETE"): (RESIDENTS, None, {"password": "bukan-kata-sandinya"}),
    ("me-export", "GET"): (SIGNED_IN, None, None),
    ("auth-logout", "POST"): (EVERYONE, None, {}),
    ("auth-password-change", "POST"): (SIGNED_IN, None, {}),
    ("areas", "GET"): (EVERYONE, None, None),
    ("categories", "GET"): (EVERYONE, None, None),
    ("target-groups", "GET"): (EVERYONE, None, None),
    ("proposals", "GET"): (EVERYONE, None, None),
    ("proposals", "POST"): (SIGNED_IN, None, {}),
    ("proposals-similar", "GET"): (EVERYONE, None, None),
    ("proposal-detail", "GET"): (EVERYONE, "published", None),
    ("proposal-detail", "PATCH"): (AUTHOR_ONLY, "submitted", {"title": "Judul yang diperbaiki"}),
    ("proposal-detail", "DELETE"): (AUTHOR_ONLY, "submitted", None),
    ("proposal-vote", "POST"): (RESIDENTS, "published", None),
    ("proposal-vote", "DELETE"): (RESIDENTS, "published", None),
    ("me-proposals", "GET"): (SIGNED_IN, None, None),
    ("reports", "GET"): (EVERYONE, None, None),
    ("reports", "POST"): (SIGNED_IN, None, {}),
    ("report-detail", "GET"): (EVERYONE, "verified_report", None),
    ("my-reports", "GET"): (SIGNED_IN, None, None),
    ("proposal-photos", "POST"): (AUTHOR_ONLY | MODERATORS, "submitted", {}),
    ("moderation-queue", "GET"): (STAFF_READERS, None, None),
    ("moderation-proposal-decision", "POST"): (MODERATORS, "submitted", {"action": "review"}),
    ("moderation-report-decision", "POST"): (MODERATORS, "new_report", {"action": "verify"}),
    ("moderation-report-resolution", "POST"): (MODERATORS, "verified_report", {}),
    ("moderation-bulk", "POST"): ({"moderator", "other_moderator", "admin"}, None, {}),
    ("proposal-flags", "POST"): (RESIDENTS, "published", {"reason": "spam"}),
    ("report-flags", "POST"): (RESIDENTS, "verified_report", {"reason": "spam"}),
    ("planning-cycles", "GET"): (EVERYONE, None, None),
    ("planning-priorities", "GET"): (PLANNERS, None, None),
    ("planning-carry", "POST"): (PLANNERS, None, {}),
    ("planning-carry", "DELETE"): (PLANNERS, None, {}),
    ("planning-program-proposals", "POST"): (PLANNERS, "program", {}),
    ("planning-budgets", "GET"): (PLANNERS, None, None),
    ("planning-budgets", "POST"): (PLANNERS, None, {}),
    ("planning-budget", "PATCH"): (PLANNERS, "budget", {}),
    ("planning-shortlist", "GET"): (PLANNERS, None, None),
    ("planning-forums", "GET"): (PLANNERS, None, None),
    ("planning-td4-export", "GET"): (PLANNERS, None, None),
    # No cycle has started in objects_of: everyone reads an empty answer (tests/aspirasi/test_planning_results.py
    # covers a cycle before and after it closes).
    ("planning-results", "GET"): (EVERYONE, None, None),
    ("planning-forums", "POST"): (PLANNERS, None, {}),
    ("planning-forum-paper-support", "PUT"): (PLANNERS, "forum", {}),
    # The cycle of objects_of offers no ballot: residents pass authorization and get a 409.
    ("planning-ballot", "GET"): (RESIDENTS, "cycle", None),
    ("planning-ballot", "PUT"): (RESIDENTS, "cycle", {"proposals": []}),
    ("planning-shortlist-decisions", "PUT"): (PLANNERS, None, {}),
    ("planning-shortlist-decisions", "DELETE"): (PLANNERS, None, None),
    ("programs", "GET"): (EVERYONE, None, None),
    ("program-detail", "GET"): (EVERYONE, "program", None),
    ("notifications", "GET"): (SIGNED_IN, None, None),
    ("notifications-unread-count", "GET"): (SIGNED_IN, None, None),
    ("notifications-read-all", "POST"): (SIGNED_IN, None, None),
    ("notification-read", "POST"): (AUTHOR_ONLY, "notification", None),
    ("notification-settings", "GET"): (SIGNED_IN, None, None),
    ("notification-settings", "PATCH"): (SIGNED_IN, None, {}),
    ("devices", "POST"): (SIGNED_IN, None, {}),
    ("device", "DELETE"): (AUTHOR_ONLY, "device", None),
    # discussion (issue 25): residents (verified) and every staff role write; `comment` is the author's
    ("proposal-comments", "GET"): (EVERYONE, "published", None),
    ("proposal-comments", "POST"): (SIGNED_IN, "published", {}),
    ("report-comments", "GET"): (EVERYONE, "verified_report", None),
    ("report-comments", "POST"): (SIGNED_IN, "verified_report", {}),
    ("comment-detail", "PATCH"): (AUTHOR_ONLY, "comment", {}),
    ("comment-detail", "DELETE"): (AUTHOR_ONLY, "comment", None),
    ("comment-flags", "POST"): (RESIDENTS, "comment", {"reason": "spam"}),
    ("proposal-follow", "POST"): (SIGNED_IN, "published", None),
    ("proposal-follow", "DELETE"): (SIGNED_IN, "published", None),
    ("moderation-comment-decision", "POST"): (MODERATORS, "comment", {"action": "restore"}),
    # the OPD loop (issue 23): the inbox and follow-ups are the OPD's, the confirmation the reporter's
    ("opd-inbox", "GET"): (OPD_OFFICERS, None, None),
    ("opd-follow-up", "POST"): (OPD_OFFICERS, "disposition", {}),
    ("report-confirmation", "POST"): (AUTHOR_ONLY, "verified_report", {"fixed": True}),
    ("report-confirmation-photo", "POST"): (AUTHOR_ONLY, "verified_report", {}),
}
MULTIPART = {
    "proposal-photos",
    "reports",
    "moderation-report-resolution",
    "planning-forums",
    "opd-follow-up",
    "report-confirmation-photo",
}  # upload endpoints take multipart only


def _api_endpoints() -> set[tuple[str, str]]:
    """(url name, METHOD) for every view under /api/v1/, from the URL conf."""
    found: set[tuple[str, str]] = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v1/"):
                view_class = getattr(pattern.callback, "view_class", None)
                methods = [m.upper() for m in view_class.http_method_names if m not in {"options", "head"}]
                found.update((pattern.name, m) for m in methods if hasattr(view_class, m.lower()))

    walk(get_resolver().url_patterns)
    return found


def test_every_endpoint_has_a_policy():
    assert _api_endpoints() - set(POLICY) == set(), "add the new endpoint to POLICY"
    assert set(POLICY) - _api_endpoints() == set(), "POLICY names an endpoint that no longer exists"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The personas and their objects, built once for the module's 600-odd cases in a transaction that is
    rolled back at its end; each case runs in a savepoint inside it (pytest-django's `db`), so what a case
    writes is undone before the next. Built per case, the world was 4/5 of the module's time."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        people = {
            "author": personas.resident(),
            "other_resident": personas.other_resident(),
            "moderator": personas.moderator_manggar(),
            "other_moderator": personas.moderator_barat(),
            "planner": personas.planner(),
            "opd_officer": personas.opd_officer(),
            "admin": personas.admin_user(),
        }
        yield people, objects_of(people["author"]), media
        transaction.set_rollback(True)


@pytest.fixture
def world_case(world, settings):
    """The world, with the media folder its photos were written to (conftest gives each test a new one)."""
    people, objects, media = world
    settings.MEDIA_ROOT = media
    return people, objects


def _url(name: str, obj) -> str:
    from django.urls import reverse

    if obj is None:
        return reverse(name)
    kwarg = next(iter(get_resolver().reverse_dict.getlist(name)[0][0][0][1]))
    return reverse(name, kwargs={kwarg: obj.pk})


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method"), sorted(POLICY))
def test_authorization(world_case, api, persona, name, method):
    people, objects = world_case
    allowed, object_key, body = POLICY[(name, method)]
    client = api if persona == "anonymous" else client_for(people[persona])
    url = _url(name, objects[object_key] if object_key else None)
    response = (
        getattr(client, method.lower())(url, body, format="multipart" if name in MULTIPART else "json")
        if body is not None
        else getattr(client, method.lower())(url)
    )
    assert response.status_code < 500, response.content[:300]
    if persona in allowed:
        assert response.status_code not in (401, 403), f"{persona} should be allowed: {response.content[:300]}"
    else:
        assert response.status_code in (401, 403, 404), f"{persona} should be denied: {response.status_code}"

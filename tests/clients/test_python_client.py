"""The Python client that openapi-python-client generates from the served schema: it imports, and it walks
a resident's journey against a live server without a single hand-written request.

The clients raise on any status the schema does not declare (raise_on_unexpected_status), and parse every
body into the generated models, so an undeclared answer or a field the schema misstates fails here the way
it would crash a mobile app.
"""

import importlib
import io
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import sms
from PIL import Image

from aspirasi.models import Category, Kelurahan
from aspirasi.services.accounts import tokens_for
from tests.clients.conftest import generated_modules
from tests.factories import ProposalFactory, UserFactory

PHONE = "+6281299990001"
PASSWORD = "rahasia-sekali-123"
# The register throttle counts per client address; the journey's requests come from an address of their
# own on the loopback network, so no other test's registrations (all from 127.0.0.1) count against it.
CLIENT_ADDRESS = "127.0.0.2"


def test_every_generated_module_imports(python_client):
    modules = generated_modules(python_client.package)
    failures = {}
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as exc:  # every failure is reported, with its module
            failures[name] = repr(exc)
    assert len(modules) > 100  # the whole API: every operation and model
    assert failures == {}


def test_the_generator_has_no_warnings(python_client):
    # openapi-python-client skips what it cannot represent (an endpoint, a parameter) with a warning.
    assert "warning" not in python_client.output.lower(), python_client.output


def jpeg(color=(40, 120, 200)) -> io.BytesIO:
    """A real JPEG, as a phone camera would send (Pillow-made, with some detail to compress)."""
    image = Image.new("RGB", (640, 480), color)
    for x in range(0, 640, 32):
        image.paste((255 - color[0], color[1], 255 - color[2]), (x, 0, x + 16, 480))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    buffer.seek(0)
    return buffer


def connect(ops, live_server, token: str | None = None):
    """A generated client for the live server (raising on any status the schema does not declare)."""
    options = {
        "base_url": f"http://127.0.0.1:{urlsplit(live_server.url).port}",
        "raise_on_unexpected_status": True,
        "headers": {"Accept-Language": "en"},
        "httpx_args": {"transport": httpx.HTTPTransport(local_address=CLIENT_ADDRESS)},
    }
    if token is None:
        return ops.client.Client(**options)
    return ops.client.AuthenticatedClient(token=token, **options)


def cursor_of(next_url) -> str | None:
    """The `cursor` of a page's `next` link (None on the last page)."""
    if not next_url:
        return None
    return parse_qs(urlsplit(next_url).query)["cursor"][0]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_resident_journey_through_the_generated_client(operations, live_server, moderator_manggar, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # texts at once
    ops = operations
    models = ops.models
    File = ops.types.File
    # A neighbourhood with history: 25 public proposals by others (more than a page).
    manggar = Kelurahan.objects.get(slug="manggar")
    public = ProposalFactory.create_batch(25, author=UserFactory(), kelurahan=manggar)
    anonymous = connect(ops, live_server)

    # Reference data.
    areas = ops.v1_areas_list.sync_detailed(client=anonymous)
    assert areas.status_code == 200
    kelurahan = {k.slug: k for kecamatan in areas.parsed for k in kecamatan.kelurahan}
    assert kelurahan["manggar"].id == manggar.pk
    categories = ops.v1_categories_list.sync_detailed(client=anonymous)
    assert categories.status_code == 200
    category = next(c for c in categories.parsed if c.slug == "pendidikan")
    assert category.id == Category.objects.get(slug="pendidikan").pk
    target_groups = ops.v1_target_groups_list.sync_detailed(client=anonymous)
    assert target_groups.status_code == 200
    assert target_groups.parsed

    # Register: only the required fields (the language defaults on the server).
    registered = ops.v1_auth_register_create.sync_detailed(
        client=anonymous,
        body=models.RegisterInputRequest(
            phone=PHONE, password=PASSWORD, display_name="Siti Warga", kelurahan=kelurahan["manggar"].id
        ),
    )
    assert registered.status_code == 202, registered.content
    assert registered.parsed.expires_in > 0
    # The code arrives by text (sms.outbox here) and comes back: signed in, the phone verified.
    [text] = [m.body for m in sms.outbox if m.recipients == [PHONE]]
    verified = ops.v1_auth_verify_create.sync_detailed(
        client=anonymous, body=models.VerifyInputRequest(phone=PHONE, code=re.search(r"\b\d{6}\b", text).group())
    )
    assert verified.status_code == 201, verified.content
    resident = connect(ops, live_server, verified.parsed.access)

    # The list, page after page, following each page's `next` cursor.
    seen, cursor, pages = [], None, 0
    while True:
        kwargs = {"cursor": cursor} if cursor else {}
        page = ops.v1_proposals_list.sync_detailed(client=resident, page_size=10, **kwargs)
        assert page.status_code == 200
        seen += [proposal.id for proposal in page.parsed.results]
        pages += 1
        cursor = cursor_of(page.parsed.next_)  # `next` is a builtin: the generator appends "_"
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted((p.pk for p in public), reverse=True)  # newest first, each once

    # Before writing: what is similar to the title?
    similar = ops.v1_proposals_similar_list.sync_detailed(
        client=resident, title="Pelatihan menjahit untuk ibu", category=category.id
    )
    assert similar.status_code == 200
    assert {proposal.id for proposal in similar.parsed} <= {p.pk for p in public}

    # Create with an Idempotency-Key, then the same request again (a retry on a bad network).
    body = models.ProposalCreateInputRequest(
        title="Perbaikan drainase RT 05",
        description="Saluran air tersumbat setiap hujan deras dan membanjiri jalan.",
        category=category.id,
        kelurahan=kelurahan["manggar"].id,
    )
    created = ops.v1_proposals_create.sync_detailed(client=resident, body=body, idempotency_key="journey-1")
    assert created.status_code == 201, created.content
    assert "Idempotent-Replayed" not in created.headers
    replayed = ops.v1_proposals_create.sync_detailed(client=resident, body=body, idempotency_key="journey-1")
    assert replayed.status_code == 201
    assert replayed.parsed.id == created.parsed.id
    assert replayed.headers["Idempotent-Replayed"] == "true"
    proposal_id = created.parsed.id

    # The same key with another body is a client bug: 422 idempotency_key_reused.
    other = models.ProposalCreateInputRequest(
        title="Lampu jalan di gang mawar",
        description="Gang gelap di malam hari, warga takut pulang kerja.",
        category=category.id,
        kelurahan=kelurahan["manggar"].id,
    )
    reused = ops.v1_proposals_create.sync_detailed(client=resident, body=other, idempotency_key="journey-1")
    assert reused.status_code == 422
    assert reused.parsed.code == "idempotency_key_reused"

    # A photo of the blocked drain.
    photo = ops.v1_proposals_photos_create.sync_detailed(
        proposal_id,
        client=resident,
        body=models.ProposalPhotoCreateInputRequest(
            image=File(payload=jpeg(), file_name="drainase.jpg", mime_type="image/jpeg")
        ),
        idempotency_key="journey-photo-1",
    )
    assert photo.status_code == 201, photo.content

    # The detail (its timeline included) reads back.
    detail = ops.v1_proposals_retrieve.sync_detailed(proposal_id, client=resident)
    assert detail.status_code == 200, detail.content
    assert detail.parsed.title == "Perbaikan drainase RT 05"

    # Vote for a neighbour's proposal, then take the vote back.
    voted = ops.v1_proposals_vote_create.sync_detailed(public[0].pk, client=resident, idempotency_key="vote-1")
    assert voted.status_code == 201, voted.content
    assert voted.parsed.has_voted is True
    assert voted.parsed.vote_count == 1
    unvoted = ops.v1_proposals_vote_destroy.sync_detailed(public[0].pk, client=resident)
    assert unvoted.status_code == 200, unvoted.content
    assert unvoted.parsed.has_voted is False

    # A photo report of a broken road.
    report = ops.v1_reports_create.sync_detailed(
        client=resident,
        body=models.ReportCreateInputRequest(
            image=File(payload=jpeg((180, 60, 30)), file_name="jalan.jpg", mime_type="image/jpeg"),
            description="Jalan berlubang di depan sekolah dasar.",
            category=category.id,
            kelurahan=kelurahan["manggar"].id,
        ),
        idempotency_key="journey-report-1",
    )
    assert report.status_code == 201, report.content

    # The moderator publishes the proposal; the resident is notified.
    moderator = connect(ops, live_server, tokens_for(moderator_manggar)["access"])
    decided = ops.v1_moderation_proposals_decision_create.sync_detailed(
        proposal_id, client=moderator, body=models.PublishDecisionInputRequest(action="publish")
    )
    assert decided.status_code == 200, decided.content
    notifications = ops.v1_notifications_list.sync_detailed(client=resident)
    assert notifications.status_code == 200
    assert [n.target_id for n in notifications.parsed.results] == [proposal_id]
    read = ops.v1_notifications_read_create.sync_detailed(notifications.parsed.results[0].id, client=resident)
    assert read.status_code == 200, read.content
    unread = ops.v1_notifications_unread_count_retrieve.sync_detailed(client=resident)
    assert unread.status_code == 200

    # Nothing changed since the last read: 304 for the ETag the list gave.
    first = ops.v1_proposals_list.sync_detailed(client=resident)
    assert first.status_code == 200
    again = ops.v1_proposals_list.sync_detailed(client=resident, if_none_match=first.headers["ETag"])
    assert again.status_code == 304
    assert again.content == b""

    # The discussion (issue 25): the resident asks on their now public proposal, the moderator answers
    # officially in a reply; the thread reads back oldest first, unchanged threads answer 304, and the
    # resident edits and then removes their question, which leaves a placeholder.
    followed = ops.v1_proposals_follow_create.sync_detailed(proposal_id, client=resident)
    assert followed.status_code == 200, followed.content
    assert followed.parsed.following is True
    question = ops.v1_proposals_comments_create.sync_detailed(
        proposal_id,
        client=resident,
        body=models.CommentCreateInputRequest(body="Kapan survei lokasi dilakukan?"),
        idempotency_key="journey-comment-1",
    )
    assert question.status_code == 201, question.content
    assert question.parsed.is_own is True
    assert question.parsed.is_official is False
    answer = ops.v1_proposals_comments_create.sync_detailed(
        proposal_id,
        client=moderator,
        body=models.CommentCreateInputRequest(body="Pekan depan, bersama lurah.", parent=question.parsed.id),
    )
    assert answer.status_code == 201, answer.content
    assert answer.parsed.is_official is True
    assert answer.parsed.author_name != moderator_manggar.display_name  # staff by role, never by name
    thread = ops.v1_proposals_comments_list.sync_detailed(
        proposal_id, client=resident, ordering=ops.models.V1ProposalsCommentsListOrdering("oldest")
    )
    assert thread.status_code == 200, thread.content
    assert [(c.id, c.parent) for c in thread.parsed.results] == [
        (question.parsed.id, None),
        (answer.parsed.id, question.parsed.id),
    ]
    unchanged = ops.v1_proposals_comments_list.sync_detailed(
        proposal_id,
        client=resident,
        ordering=ops.models.V1ProposalsCommentsListOrdering("oldest"),
        if_none_match=thread.headers["ETag"],
    )
    assert unchanged.status_code == 304
    edited = ops.v1_comments_partial_update.sync_detailed(
        question.parsed.id,
        client=resident,
        body=models.PatchedCommentUpdateInputRequest(body="Kapan survei lokasi drainase dilakukan?"),
    )
    assert edited.status_code == 200, edited.content
    assert edited.parsed.edited_at is not None
    removed = ops.v1_comments_destroy.sync_detailed(question.parsed.id, client=resident)
    assert removed.status_code == 204, removed.content
    after = ops.v1_proposals_comments_list.sync_detailed(proposal_id, client=resident)
    [placeholder] = [c for c in after.parsed.results if c.id == question.parsed.id]
    assert placeholder.body == ""
    assert placeholder.notice
    unfollowed = ops.v1_proposals_follow_destroy.sync_detailed(proposal_id, client=resident)
    assert unfollowed.status_code == 200, unfollowed.content
    assert unfollowed.parsed.following is False

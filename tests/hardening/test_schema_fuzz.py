"""Schema fuzzing: schemathesis generates requests from the app's own OpenAPI schema.

Every operation, as anonymous, resident, moderator and planner, with a bounded number of examples: no 5xx,
and every response conforms to the documented schema. No `checks=` argument: schemathesis then runs every
check its configuration enables, which by default is all of them (the CLI's `--checks all`: status codes,
content types, headers and bodies of responses, schema-valid data accepted, schema-violating data refused,
auth enforced...). One is narrowed, for what no schema can state: see `positive_data_accepted`.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from aspirasi.api import throttling
from aspirasi.models import IdempotencyRecord
from aspirasi.services.accounts import tokens_for
from backend.wsgi import application
from tests.factories import ProposalFactory

# Two loads of the same schema, for two sets of phases. schemathesis's coverage phase derives every case
# the schema defines (each boundary and each violation of each parameter and property: some 80 requests an
# operation, max_examples bounds only fuzzing); run for every persona it was 4/5 of the time. So:
# - `schema`: the examples and fuzzing phases (max_examples each), every operation as each of the four
#   personas, every check on;
# - `coverage_schema`: the coverage phase, every operation once, as the persona that gets past its
#   permission check (coverage_persona()): input validation does not depend on who asks, and as anyone
#   else the operation would refuse every case with 401/403 before validating anything.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.phases.coverage.enabled = False
coverage_schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
coverage_schema.config.phases.examples.enabled = False
coverage_schema.config.phases.fuzzing.enabled = False

FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
PERSONAS = ["anonymous", "resident", "moderator", "planner"]
# Refusals of schema-valid input that depend on data or on two fields together, which OpenAPI 3.0 cannot
# express: an id or slug naming no row, a cursor the server never issued, one coordinate without the
# other (`point_incomplete`), a point outside the city (the
# bounds the schema states are a rectangle), a NUL character (DRF refuses it in every string), a password
# that the password validators refuse for its text (its length the schema states).
DATA_DEPENDENT = {
    "does_not_exist",
    "invalid_cursor",
    "point_incomplete",
    "outside_balikpapan",
    "null_characters_not_allowed",
    "password_too_similar",
    "password_too_common",
    "password_entirely_numeric",
    # The account's current password, asked again (a password change, an erasure): only its owner knows it.
    "wrong_password",
    # A report needs a kelurahan, or a point, or a photo whose EXIF carries one: the photo's content decides.
    "kelurahan_required",
    # A file whose content is not a photo the pipeline takes (the schema can say binary, not JPEG).
    "image_corrupt",
    "image_unsupported_format",
    "image_animated",
    "image_too_many_pixels",
    "image_too_large",
    # A one-time code is right only if it is the one texted to the number (and not spent or expired).
    "code_invalid",
    "code_expired",
    "code_used",
    # Planning (issue 24): the area must exist at the level (a kelurahan id for kelurahan, none for the city), a
    # forum's minutes must be a PDF, a ballot names proposals of the voter's kelurahan: the database decides.
    "area_mismatch",
    "invalid_minutes",
    "ballot_proposal_invalid",
}


@pytest.fixture(autouse=True)
def _examples_independent_of_the_modules_loaded(monkeypatch):
    """Hypothesis mixes in literals from every local module loaded so far, so even with derandomize the
    examples depended on which tests ran before (one order passed, another did not). Without them, each
    operation gets the same examples in any order; the schema still drives every value."""
    from hypothesis.internal.conjecture import providers

    monkeypatch.setattr(providers, "_get_local_constants", lambda: providers.Constants())


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the real WSGI handler, whose request signals close the database connection at the
    end of each request (returning it to the pool, mid-test-transaction on PostgreSQL). Django's own test
    client disconnects that handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers_for(request, resident, persona: str) -> dict:
    # A few real rows so that ids in paths sometimes hit something.
    ProposalFactory.create_batch(2, author=resident)
    # identity: schemathesis's WSGI transport hands the checks the body as sent, without undoing gzip.
    headers = {"Accept-Language": "en", "Accept-Encoding": "identity"}
    if persona != "anonymous":
        user = request.getfixturevalue({"moderator": "moderator_manggar"}.get(persona, persona))
        headers["Authorization"] = f"Bearer {tokens_for(user)['access']}"
    return headers


@pytest.fixture
def persona_headers(request, resident):
    return _headers_for(request, resident, request.param)


def fresh_state():
    """Each example starts with no request counted, no failed login and no Idempotency-Key remembered (the
    limits and the login-failure counter live in the cache, the keys in the database: schemathesis sends the
    same key with different bodies), so an example's answer depends on itself, not on the ones before it:
    register, token and the idempotent creates are fuzzed like every other operation."""
    throttling.limiter().storage.reset()
    cache.clear()
    IdempotencyRecord.objects.all().delete()


def positive_data_accepted(ctx, response, case):
    """schemathesis's positive_data_acceptance, except for a 400 whose code, or every field error's, is
    DATA_DEPENDENT."""
    if response.status_code == 400:
        body = response.json()
        if body["code"] in DATA_DEPENDENT:  # a domain error
            return None
        fields = body.get("fields") or {}
        codes = {error["code"] for errors in fields.values() for error in errors}
        if codes and codes <= DATA_DEPENDENT:
            return None
    return positive_data_acceptance(ctx, response, case)


def _validate(case, headers):
    fresh_state()
    case.call_and_validate(
        headers=headers,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[positive_data_accepted],
    )


@pytest.mark.django_db
@pytest.mark.parametrize("persona_headers", PERSONAS, indirect=True)
@schema.parametrize()
@FUZZ
def test_api_conforms_to_its_schema(case, persona_headers):
    _validate(case, persona_headers)


def coverage_persona(path: str) -> str:
    """Who gets past the permission check of every operation on `path`."""
    if path.startswith("/api/v1/moderation/"):
        return "moderator"
    if path.startswith(("/api/v1/planning/", "/api/v1/programs/")):
        return "planner"
    return "resident"


@pytest.mark.django_db
@coverage_schema.parametrize()
@FUZZ
def test_api_conforms_to_its_schema_in_every_case_it_defines(case, request, resident):
    # Once per operation (its cases share the test's database), not once per case.
    if HEADERS not in request.node.stash:
        request.node.stash[HEADERS] = _headers_for(request, resident, coverage_persona(case.path))
    _validate(case, request.node.stash[HEADERS])


HEADERS = pytest.StashKey[dict]()

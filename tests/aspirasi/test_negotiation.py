"""Content negotiation kept per kind of request: always DRF's own answer."""

import pytest
from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer, TemplateHTMLRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from aspirasi.api import negotiation
from aspirasi.api.negotiation import ContentNegotiation

ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "application/json; indent=4",
    "text/html",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "application/xml",
]
RENDERER_SETS = [(JSONRenderer,), (JSONRenderer, BrowsableAPIRenderer), (BrowsableAPIRenderer, JSONRenderer)]
FORMATS = [("", None), ("?format=json", None), ("?format=csv", None), ("", "api")]


def _request(accept, query=""):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    return Request(APIRequestFactory().get(f"/api/v1/proposals/{query}", **headers))


def _answer(negotiator, accept, renderer_classes, query="", format_suffix=None):
    renderers = [cls() for cls in renderer_classes]
    try:
        renderer, media_type = negotiator.select_renderer(_request(accept, query), renderers, format_suffix)
    except (exceptions.NotAcceptable, Http404) as refusal:
        return type(refusal).__name__
    return type(renderer).__name__, media_type


@pytest.fixture(autouse=True)
def _nothing_kept(monkeypatch):
    monkeypatch.setattr(ContentNegotiation, "_choices", {})


@pytest.mark.parametrize("renderer_classes", RENDERER_SETS)
@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize(("query", "format_suffix"), FORMATS)
def test_the_kept_answer_is_drfs_answer_first_and_every_time(renderer_classes, accept, query, format_suffix):
    expected = _answer(DefaultContentNegotiation(), accept, renderer_classes, query, format_suffix)
    for _ in range(2):  # the first computes, the second is kept (or refused again)
        assert _answer(ContentNegotiation(), accept, renderer_classes, query, format_suffix) == expected


def test_a_choice_depends_on_the_views_renderers_and_the_format_asked_for():
    both = (BrowsableAPIRenderer, JSONRenderer)
    assert _answer(ContentNegotiation(), "*/*", both)[0] == "BrowsableAPIRenderer"
    assert _answer(ContentNegotiation(), "*/*", both, "?format=json")[0] == "JSONRenderer"
    assert _answer(ContentNegotiation(), "*/*", both, format_suffix="json")[0] == "JSONRenderer"
    assert _answer(ContentNegotiation(), "text/html", (JSONRenderer, TemplateHTMLRenderer))[0] == "TemplateHTMLRenderer"


def test_refusals_and_long_headers_are_not_kept_and_the_choices_stay_bounded(monkeypatch):
    assert _answer(ContentNegotiation(), "application/xml", (JSONRenderer,)) == "NotAcceptable"
    assert _answer(ContentNegotiation(), "application/json, " + "x/y, " * 100, (JSONRenderer,))[0] == "JSONRenderer"
    assert ContentNegotiation._choices == {}
    monkeypatch.setattr(negotiation, "_KEPT_CHOICES", 3)
    for n in range(10):
        _answer(ContentNegotiation(), f"application/json; v={n}", (JSONRenderer,))
    assert 1 <= len(ContentNegotiation._choices) <= 3


@pytest.mark.django_db
def test_the_api_negotiates_with_it(api):
    assert api.get("/api/v1/categories/", HTTP_ACCEPT="application/json; indent=2").status_code == 200
    assert any(key[0] == "application/json; indent=2" for key in ContentNegotiation._choices)

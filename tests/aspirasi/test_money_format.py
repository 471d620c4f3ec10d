"""Money has one rule (templatetags.aspirasi_admin.rupiah): the admin's filter and the shortlist's reasons
(selectors/shortlist.rupiah) write the same amount the same way."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from aspirasi.selectors import shortlist
from aspirasi.templatetags.aspirasi_admin import rupiah


@pytest.mark.parametrize(
    ("amount", "indonesian", "english"),
    [
        (0, "Rp\u00a00", "Rp\u00a00"),
        (999, "Rp\u00a0999", "Rp\u00a0999"),
        (1_000, "Rp\u00a01.000", "Rp\u00a01,000"),
        (60_000_000, "Rp\u00a060.000.000", "Rp\u00a060,000,000"),
        (100_000_000_000_000, "Rp\u00a0100.000.000.000.000", "Rp\u00a0100,000,000,000,000"),
        (Decimal("1000.6"), "Rp\u00a01.001", "Rp\u00a01,001"),
        (-5000, "-Rp\u00a05.000", "-Rp\u00a05,000"),
    ],
)
def test_one_rule_writes_both_languages(amount, indonesian, english):
    assert rupiah(amount) == indonesian
    assert rupiah(amount, english=True) == english
    assert shortlist.rupiah(amount, english=False) == indonesian
    assert shortlist.rupiah(amount, english=True) == english


def test_the_shortlist_follows_the_active_language_and_the_admin_stays_indonesian():
    with translation.override("en"):
        assert shortlist.rupiah(1_250_000) == "Rp\u00a01,250,000"
        # The admin writes budgets the city's way whatever the language.
        assert Template("{% load aspirasi_admin %}{{ x|rupiah }}").render(Context({"x": 1_250_000})) == (
            "Rp\u00a01.250.000"
        )
    with translation.override("id"):
        assert shortlist.rupiah(1_250_000) == "Rp\u00a01.250.000"


@pytest.mark.parametrize("value", [None, "", "abc"])
def test_no_amount_is_a_dash(value):
    assert rupiah(value) == "-"

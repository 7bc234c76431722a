from __future__ import annotations

import datetime as dt

import pytest

from geo.i18n import MESSAGES, fmt_date, fmt_number, fmt_pct, t


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (71070, "vi", None, "71.070"),
        (550477, "vi", None, "550.477"),
        (170.7, "vi", None, "170,7"),
        (36.71, "vi", None, "36,71"),
        (3000, "vi", 0, "3.000"),
        (1234567.891, "en", 2, "1,234,567.89"),
        (-18590, "vi", None, "-18.590"),
        (0.0, "vi", None, "0"),
        (None, "vi", None, "–"),
        (float("nan"), "vi", None, "–"),
    ],
)
def test_numbers_follow_the_language(value, lang, decimals, expected) -> None:
    assert fmt_number(value, lang, decimals) == expected


def test_percent_and_date_formats() -> None:
    assert fmt_pct(36.71) == "36,71%"
    assert fmt_pct(129.7, "en") == "129.7%"
    assert fmt_date(dt.date(2024, 4, 24)) == "24/04/2024"
    assert fmt_date("2024-04-24", "en") == "2024-04-24"


def test_every_message_exists_in_both_languages_and_is_not_blank() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == {"vi", "en"}, key
        assert all(v.strip() for v in texts.values()), key


def test_unknown_key_fails_loudly() -> None:
    with pytest.raises(KeyError):
        t("no.such.key")

from __future__ import annotations

import datetime as dt

import pytest

from geo.model.i18n import MESSAGES, fmt_date, fmt_number, fmt_pct, t


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


def test_numbers_dates_and_moments_follow_each_language_s_rules() -> None:
    from geo.model.i18n import fmt_date, fmt_datetime, fmt_number

    # Babel's vi_VN and en: the separators a reader expects, never one language's in the other's text.
    assert (fmt_number(18590, "vi"), fmt_number(18590, "en")) == ("18.590", "18,590")
    assert (fmt_number(1234567.891, "vi"), fmt_number(1234567.891, "en")) == ("1.234.567,89", "1,234,567.89")
    assert fmt_number(62.0, "vi", 1) == "62,0" and fmt_number(-0.001, "en", 2) == "0.00"
    assert (fmt_date("2025-03-26", "vi"), fmt_date("2025-03-26", "en")) == ("26/03/2025", "2025-03-26")
    # The change log is kept in UTC; people read it in Vietnam's time (UTC+7), the day turning over too.
    assert fmt_datetime("2024-05-15T20:30:00+00:00", "vi") == "16/05/2024 03:30"
    assert fmt_datetime("2024-05-15T20:30:00+00:00", "en") == "2024-05-16 03:30"


def test_english_data_texts_use_english_number_separators(store) -> None:
    import re

    for table in ("indicators", "tasks", "ntm_criteria", "views"):
        frame = store.read(table)
        for col in [c for c in frame.columns if c.endswith("_en")]:
            for text in frame[col].dropna().astype(str):
                assert not re.search(r"\d\.\d{3}\b", text), (table, col, text)  # "18.590 million": 1,000× off


def test_the_change_table_reads_in_local_time_and_in_order() -> None:
    from geo.read.records import change_table
    from geo.store.changelog import AuditRow

    rows = [
        AuditRow(2, "2024-06-01T01:00:00+00:00", "a", "ql4b_segments", "QL4B-18-20", "clearance_pct", 20, 52, ""),
        AuditRow(1, "2024-05-31T23:30:00+00:00", "a", "ql4b_segments", "QL4B-18-20", "clearance_pct", 10, 20, ""),
    ]
    table = change_table(rows, [], "vi")
    assert [r[0] for r in table] == ["01/06/2024 06:30", "01/06/2024 08:00"]  # the earlier change first
    assert table[0][5:7] == ["10%", "20%"]


def test_every_source_the_demo_store_records_reads_in_english(store) -> None:
    """The Dữ liệu page's source column, the footer of every print and a figure's source: each source the
    product wrote is in English in the English UI (no Vietnamese sentence left), and as written in Vietnamese."""
    import re

    from geo.model.i18n import source_text

    vietnamese = re.compile(r"\b(của|và|mục|minh họa|Minh họa|theo|chưa|được|ranh giới)\b")
    seen = {m.source for m in store.meta().values()}
    for lid in ("indicator_series", "ntm_commune", "ntm_district"):
        seen |= set(store.read(lid).source.astype(str))
    assert len(seen) > 20
    for text in seen:
        assert source_text(text, "vi") == text
        english = source_text(text, "en")
        assert not vietnamese.search(english), (text, english)


def test_town_labels_and_investors_read_in_english() -> None:
    from geo.model.i18n import term

    assert term("TT Đình Lập", "en") == "Đình Lập town"
    assert term("TT NT Thái Bình", "en") == "Thái Bình state-farm town"
    assert term("TT Đình Lập", "vi") == "TT Đình Lập"
    assert term("Nhà đầu tư B (minh họa)", "en") == "Investor B (demo)"


def test_the_web_map_s_labels_name_towns_in_the_reader_s_language(store) -> None:
    import base64
    import re

    import folium

    from geo.model.catalog import CATALOG
    from geo.webmap.mapview import layer_group

    units = store.read("units")
    for lang, town, gone in (("en", "Đình Lập town", "TT Đình Lập"), ("vi", "TT Đình Lập", "Đình Lập town")):
        m = folium.Map()
        layer_group(CATALOG["units"], units, lang).add_to(m)
        html = m.get_root().render()
        # the labels as the page's script holds them (base64 of JSON)
        text = " ".join(base64.b64decode(b).decode("utf-8") for b in re.findall(r'atob\("([^"]+)"\)', html))
        said = [s for s in (town, gone) if s in text]
        assert said == [town], (lang, said)


def test_a_task_s_lead_agencies_read_in_english() -> None:
    from geo.model.i18n import term

    assert term("UBND huyện Đình Lập; UBND xã Đồng Thắng", "en") == (
        "Đình Lập District People's Committee; Đồng Thắng Commune People's Committee"
    )
    assert term("UBND xã Đồng Thắng", "vi") == "UBND xã Đồng Thắng"


def test_the_land_use_code_list_s_source_reads_in_english() -> None:
    from geo.model.catalog import LAND_USE_SOURCE
    from geo.model.i18n import LAND_USE_SOURCE_EN, source_text

    assert source_text(LAND_USE_SOURCE, "en") == LAND_USE_SOURCE_EN

"""Every figure of section 1 of the notice is in the store, exact, with its citation."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.model.i18n import fmt_number
from geo.read.indicators import from_frame
from geo.store.reads import Store

# Typed from the notice, independently of data/src/indicators.csv.
NOTICE_FIGURES = {
    "budget_revenue": {"value": 19268, "target": 52480, "pct": 36.71, "target2": 71070, "pct2": 27.11},
    "budget_revenue_target": {"value": 71070, "target": 52480},
    "budget_spending": {"value": 550477, "target": 531887},
    "public_investment": {"value": 65400, "pct": 55.98},
    "ntp_disbursement": {"value": 50337, "pct": 58.44},
    "recovery_programme": {"value": 3000, "pct": 100},
    "winter_crops": {"value": 170.7, "pct": 129.7},
    "health_insurance": {"value": 87.59},
    "traffic_accidents": {},
    "dong_thang_ntm": {"value": 10, "target": 19},
}


@pytest.fixture(scope="module")
def indicators(store: Store):
    return {i.id: i for i in from_frame(store.read("indicators"))}


def test_every_notice_figure_is_present_and_exact(indicators) -> None:
    assert set(indicators) == set(NOTICE_FIGURES)
    for ind_id, figures in NOTICE_FIGURES.items():
        ind = indicators[ind_id]
        for name, expected in figures.items():
            assert getattr(ind, name) == pytest.approx(expected, abs=1e-9), (ind_id, name)
        assert ind.section == "1"


def test_each_quotation_is_the_notices_own_words(indicators, notice_text: str) -> None:
    for ind in indicators.values():
        assert ind.quote in notice_text, ind.id


def test_each_figure_is_written_in_the_notice_as_we_show_it(indicators, notice_text: str) -> None:
    for ind in indicators.values():
        if ind.id == "dong_thang_ntm":
            assert "10/19" in ind.quote
            continue
        if ind.value is not None:
            assert fmt_number(ind.value) in ind.quote, (ind.id, ind.value)
        for number in (ind.pct, ind.pct2):
            if number is not None:
                assert fmt_number(number) + "%" in ind.quote, (ind.id, number)
        for number in (ind.target, ind.target2):
            if number is not None:
                assert fmt_number(number) + " triệu đồng" in notice_text, (ind.id, number)


def test_the_stated_percentages_agree_with_the_values(indicators) -> None:
    rev = indicators["budget_revenue"]
    assert rev.value / rev.target * 100 == pytest.approx(rev.pct, abs=0.005)
    assert rev.value / rev.target2 * 100 == pytest.approx(rev.pct2, abs=0.005)
    tgt = indicators["budget_revenue_target"]
    assert (tgt.value / tgt.target - 1) * 100 == pytest.approx(35.42, abs=0.005)
    sp = indicators["budget_spending"]
    assert sp.value - sp.target == 18590


def test_display_texts_read_the_vietnamese_way(indicators) -> None:
    rev = indicators["budget_revenue"]
    assert rev.value_text("vi") == "19.268 triệu đồng"
    assert rev.achievement_text("vi") == ["36,71% dự toán tỉnh giao (52.480)", "27,11% dự toán huyện giao (71.070)"]
    assert rev.value_text("en") == "19,268 million VND"
    assert indicators["health_insurance"].value_text("vi") == "87,59%"
    assert indicators["winter_crops"].value_text("vi") == "170,7 ha"
    assert indicators["traffic_accidents"].value_text("vi") == "tăng so với cùng kỳ năm 2023"


def test_headline_strip_has_the_issues_figures(indicators) -> None:
    heads = {i.id for i in indicators.values() if i.headline}
    assert {"budget_revenue", "budget_spending", "public_investment", "winter_crops", "health_insurance"} <= heads


def test_every_indicator_links_to_a_page_and_a_layer_that_exist(indicators, store) -> None:
    from geo.read.indicators import LINKS
    from tests.app.test_app import PAGES

    urls = {
        "": "pages/overview.py",
        "giao-thong": "pages/giao_thong.py",
        "cum-cong-nghiep": "pages/cum_cong_nghiep.py",
        "nong-thon-moi": "pages/nong_thon_moi.py",
    }
    assert set(LINKS) == set(indicators)
    for ind_id, links in LINKS.items():
        for page, layer, key in links:
            assert urls[page] in PAGES and store.has(layer), ind_id
            if key:
                assert key in set(store.read(layer).code), ind_id


# -- series: one value per period ---------------------------------------------------------------------
def test_each_series_starts_with_the_notices_exact_figure_cited(store) -> None:
    from geo.read.indicators import series

    every = series(store.read("indicator_series"))
    first = every["budget_revenue"][0]
    assert (first.period, first.value, first.target, first.demo) == ("2024-Q1", 19268.0, 52480.0, False)
    assert "mục 1" in first.source and "24/4/2024" in first.source
    assert every["health_insurance"][0].value == 87.59
    assert all(len(pts) == 1 for pts in every.values())  # nothing invented after the notice


def test_planners_import_later_periods_atomically_and_the_series_reads_back(tmp_path, any_store) -> None:
    from geo.command.cli import main
    from geo.read.indicators import series, trend

    path = any_store
    good = tmp_path / "ky.csv"
    good.write_text(
        "ind_id,period,value,target,source\n"
        'budget_revenue,Quý II/2024,"41.350,5",52480,Báo cáo quý II/2024\n'
        "budget_revenue,2024-Q3,60100,52480,Báo cáo quý III/2024\n",
        encoding="utf-8",
    )
    assert main(["indicators", "import", str(good), "--user", "lan", "--store", str(path)]) == 0
    pts = series(Store(path).read("indicator_series"))["budget_revenue"]
    assert [p.period for p in pts] == ["2024-Q1", "2024-Q2", "2024-Q3"] and pts[1].value == 41350.5
    last, change = trend(pts)
    assert last.period == "2024-Q3" and change == 60100 - 41350.5
    bad = tmp_path / "sai.csv"
    bad.write_text("ind_id,period,value,source\nbudget_revenue,2024-Q4,70000,ok\nkhong_co,Q5/2024,abc,\n", "utf-8")
    before = Store(path).read("indicator_series")
    assert main(["indicators", "import", str(bad), "--user", "lan", "--store", str(path)]) == 2
    assert len(Store(path).read("indicator_series")) == len(before)  # one bad row: nothing stored
    log = Store(path).read("audit_log")
    assert set(log.layer) == {"indicator_series"} and set(log.user) == {"lan"}
    # The time machine reads a series as it stood: before the import, only the notice's point.
    from geo.read.access import read_layer

    now = dt.datetime.now(dt.UTC)
    earlier = read_layer(Store(path), "indicator_series", True, as_of=now - dt.timedelta(days=1))
    assert len(earlier[earlier.ind_id == "budget_revenue"]) == 1


def test_the_command_line_lists_every_series_as_json(capsys) -> None:
    import json

    from geo.command.cli import main

    assert main(["indicators", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    br = next(d for d in doc if d["ind_id"] == "budget_revenue")
    assert br["series"][0] == {
        "period": "2024-Q1", "period_end": "2024-03-31", "value": 19268.0, "target": 52480.0,
        "source": br["series"][0]["source"], "demo": False,
    }  # fmt: skip


def test_a_legacy_encoded_semicolon_file_reads_as_typed(tmp_path) -> None:
    """Excel in a Vietnamese locale saves with semicolons; an old machine writes TCVN3 or VNI."""
    from geo.importer import vnenc
    from geo.read.indicators import read_series_file

    text = (
        "ind_id;period;value;target;source;demo\n"
        "budget_revenue;Quý III/2025;45.120,5;52.480;Báo cáo quý III của Phòng Tài chính;đúng\n"
        "health_insurance;2025;94,2;;Bảo hiểm xã hội huyện;không\n"
    )
    for enc in ("utf-8", "cp1258", "tcvn3", "vni"):
        path = tmp_path / f"ky_{enc}.csv"
        path.write_bytes(vnenc.encode(text, enc))
        rows = read_series_file(str(path), {"budget_revenue", "health_insurance"})
        assert [(r["period"], r["value"], r["target"], r["demo"]) for r in rows] == [
            ("2025-Q3", 45120.5, 52480.0, True),
            ("2025", 94.2, None, False),
        ], enc
        assert rows[0]["source"] == "Báo cáo quý III của Phòng Tài chính", enc


def test_a_bad_value_in_any_column_or_a_repeated_period_refuses_the_file(tmp_path, capsys) -> None:
    from geo.command.cli import main
    from geo.read.indicators import SeriesFileError, read_series_file

    path = tmp_path / "sai.csv"
    path.write_text(
        "ind_id,period,value,target,source,demo\n"
        "budget_revenue,2025-Q3,45120,chưa giao,Báo cáo,không\n"  # text in target: not "no target"
        "budget_revenue,Quý IV/2025,50000,52480,Báo cáo,có lẽ\n"  # neither yes nor no
        "budget_revenue,2025-Q4,51000,52480,Báo cáo,\n"
        "budget_revenue,Quý IV/2025,52000,52480,Báo cáo,\n",  # the same period again
        encoding="utf-8",
    )
    with pytest.raises(SeriesFileError) as err:
        read_series_file(str(path), {"budget_revenue"})
    rows = {n: en for n, _, en in err.value.problems}
    assert rows[2] == "target is not a number 'chưa giao'"
    assert rows[3] == "demo is not yes/no 'có lẽ'"
    assert rows[5] == "period Q4 2025 of 'budget_revenue' already on row 4"
    assert 4 not in rows
    vi = {n: v for n, v, _ in err.value.problems}
    assert vi[5] == "kỳ Quý IV/2025 của 'budget_revenue' đã có ở dòng 4"
    # The command line says so and stores nothing; a missing file is a message, not a traceback.
    assert main(["indicators", "import", str(path), "--user", "lan"]) == 2
    assert "đã có ở dòng 4" in capsys.readouterr().err
    assert main(["indicators", "import", str(tmp_path / "khong_co.csv"), "--user", "lan"]) == 2
    assert "không có tệp" in capsys.readouterr().err

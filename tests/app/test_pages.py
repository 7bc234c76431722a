"""Thematic pages (AppTest): filters reach the table and the indicators; the scorecard; the record panel."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.model.catalog import CATALOG
from geo.model.i18n import t
from tests.conftest import app_page


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _segment_table(at: AppTest):
    return next(df.value for df in at.dataframe if "Mã đoạn" in df.value.columns)


def test_roads_page_unfiltered_shows_the_whole_route(store) -> None:
    at = app_page("pages/giao_thong.py")
    seg = store.read("ql4b_segments")
    assert _metric(at, "Số đoạn đang hiện") == str(len(seg))
    assert any(f"Đang hiện {len(seg)} / {len(seg)} đoạn" in c.value for c in at.caption)
    cleared = ((seg.km_to - seg.km_from) * seg.clearance_pct / 100).sum()
    assert _metric(at, "Chiều dài đã GPMB (quy đổi)") == f"{cleared:.1f} / 62,0 km".replace(".", ",")
    assert len(_segment_table(at)) == len(seg)


def test_a_filter_reaches_the_count_the_table_and_the_indicators(store) -> None:
    seg = store.read("ql4b_segments")
    blocked = seg[seg.clearance_status == "blocked"]
    at = app_page(
        "pages/giao_thong.py",
        user={"name": "lan", "role": "planner"},  # household figures are for planners
        **{"flt_giao-thong_ql4b_segments_clearance_status": ["blocked"]},
    )
    assert any(f"Đang hiện {len(blocked)} / {len(seg)} đoạn" in c.value for c in at.caption)
    assert _metric(at, "Số đoạn đang hiện") == str(len(blocked))
    assert _metric(at, "Đoạn vướng mắc GPMB") == str(len(blocked))
    table = _segment_table(at)
    assert sorted(table["Mã đoạn"]) == sorted(blocked.seg_id)
    assert set(table["Tình trạng GPMB"]) == {"Vướng mắc GPMB"}
    affected = f"{blocked.households_affected.sum():,}".replace(",", ".")
    assert _metric(at, "Hộ đã chi trả / bị ảnh hưởng").endswith(f"/ {affected}")


def test_viewers_see_no_household_figures_or_dispute_parties(store) -> None:
    """Sensitive fields are gone for a viewer: no metric, no table column, no record line."""
    seg = store.read("ql4b_segments").iloc[0]
    at = app_page(
        "pages/giao_thong.py",
        **{"sel_giao-thong": {"layer": "ql4b_segments", "key": seg.seg_id, "zoom": False, "n": 1}},
    )
    assert not [m for m in at.metric if m.label == "Hộ đã chi trả / bị ảnh hưởng"]
    shown = " ".join(" ".join(map(str, df.value.columns)) for df in at.dataframe)
    shown += " ".join(m.value for m in at.markdown)
    assert "Hộ bị ảnh hưởng" not in shown and "Hộ đã chi trả" not in shown
    dispute = store.read("land_disputes").iloc[0]
    at = app_page(
        "pages/dat_lam_nghiep.py",
        **{"sel_dat-lam-nghiep": {"layer": "land_disputes", "key": dispute.dispute_id, "zoom": False, "n": 1}},
    )
    text = " ".join(m.value for m in at.markdown)
    assert dispute.kind in text  # the record is shown…
    assert "Các bên tranh chấp" not in text and dispute.parties not in text  # …without its parties
    at = app_page(
        "pages/dat_lam_nghiep.py",
        user={"name": "lan", "role": "planner"},
        **{"sel_dat-lam-nghiep": {"layer": "land_disputes", "key": dispute.dispute_id, "zoom": False, "n": 1}},
    )
    assert dispute.parties in " ".join(m.value for m in at.markdown)


def test_cement_panel_names_the_late_communes() -> None:
    at = app_page("pages/giao_thong.py")
    late = next(w.value for w in at.warning if w.value.startswith("Chậm tiến độ"))
    assert "Xã Đồng Thắng" in late and "Xã Bính Xá" in late


def test_accidents_compare_with_the_same_period_last_year() -> None:
    at = app_page("pages/giao_thong.py")
    m = next(m for m in at.metric if m.label.startswith("Số vụ từ 01/01/2024 đến 31/03/2024"))
    assert m.value == "6" and "cùng kỳ năm trước: 3 (+3)" in m.delta


def test_industry_page_figures(store) -> None:
    at = app_page("pages/cum_cong_nghiep.py")
    assert _metric(at, "Diện tích cụm") == "71,4 ha"
    assert _metric(at, "Tỷ lệ lấp đầy").endswith("%")


def test_forest_page_counts_open_and_resolved_disputes(store) -> None:
    at = app_page("pages/dat_lam_nghiep.py")
    d = store.read("land_disputes")
    assert _metric(at, "Vụ việc chưa giải quyết xong") == str((d.status != "resolved").sum())
    assert _metric(at, "Vụ việc đã giải quyết") == str((d.status == "resolved").sum())
    assert _metric(at, "Tồn đọng lâu nhất (tính đến 24/04/2024)") == "225 ngày"


def test_scorecard_matrix_and_dong_thang_card() -> None:
    at = app_page("pages/nong_thon_moi.py")
    matrix = next(df.value for df in at.dataframe if "Số tiêu chí đạt" in df.value.columns)
    assert matrix.shape == (10, 2 + 19)
    assert any("không đánh giá theo 19 tiêu chí xã" in c.value for c in at.caption)
    row = matrix.set_index("Xã, thị trấn").loc["Đồng Thắng"]
    assert row["Số tiêu chí đạt"] == 10 and row["8"] == "✗" and row["11"] == "✗" and row["17"] == "✗"
    assert (row.iloc[1:] == "✓").sum() == 10
    md = " ".join(m.value for m in at.markdown)
    assert "Xã Đồng Thắng" in md and "10/19 tiêu chí" in md
    assert any("10/19" in i.value for i in at.info)


def test_selecting_a_commune_opens_its_card_and_record() -> None:
    at = app_page(
        "pages/nong_thon_moi.py", **{"sel_nong-thon-moi": {"layer": "units", "key": "06619", "zoom": True, "n": 1}}
    )
    md = " ".join(m.value for m in at.markdown)
    assert "Xã Bắc Xa" in md and "11/19 tiêu chí" in md
    assert "Tiêu chí NTM đã đạt" in md  # the record panel shows the derived field


def _side_legend(at: AppTest) -> str:
    return next(str(h.proto.body) for h in at.get("html") if "dl-side-legend" in str(h.proto.body))


def test_a_criterion_recolours_the_map_layer(store) -> None:
    by_count = _side_legend(app_page("pages/nong_thon_moi.py"))
    assert "Đạt 10–14 tiêu chí" in by_count and "Chưa đạt" not in by_count
    legend = _side_legend(app_page("pages/nong_thon_moi.py", ntm_criterion=11))
    ntm = store.read("ntm_commune")
    unmet = int((~ntm[ntm.criterion == 11].met).sum())
    assert "Đạt 10–14 tiêu chí" not in legend
    assert f'<span>Chưa đạt</span><span class="dl-legend-n">{unmet}</span>' in legend  # Đồng Thắng among them


def test_record_panel_lists_contributions() -> None:
    at = app_page(
        "pages/giao_thong.py",
        user={"name": "lan", "role": "planner"},
        **{"sel_giao-thong": {"layer": "ql4b_segments", "key": "QL4B-43-45", "zoom": False, "n": 1}},
    )
    md = " ".join(m.value for m in at.markdown)
    assert "Đóng góp vào số liệu đang hiện" in md
    assert "Gói thầu: 8" in md


def test_every_page_in_english_speaks_english() -> None:
    """Walk every page in English: no widget label, option, title or heading in Vietnamese; only proper
    names (places, the language's own name) keep their Vietnamese letters."""
    import re
    from pathlib import Path

    from ui.nav import PAGES

    vietnamese = re.compile(r"[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.I)
    from geo.model.i18n import unit_name
    from geo.store.reads import DEFAULT_STORE, Store

    places = [unit_name(n, "en").rsplit(" ", 1)[0] for n in Store(DEFAULT_STORE).read("units").name]
    names = ("state-farm", "Lạng Sơn", "Đình Lập", "Tiếng Việt", "Ngôn ngữ", *sorted(places, key=len, reverse=True))
    app = str(Path(__file__).resolve().parents[2] / "app.py")
    found = []
    for entry in PAGES:
        at = AppTest.from_file(app, default_timeout=90)
        at.session_state["lang"] = "en"
        at.run()
        at.switch_page(entry.file).run()
        assert not at.exception, entry.url
        for kind in ("button", "selectbox", "multiselect", "radio", "toggle", "slider", "select_slider",
                     "text_input", "date_input", "number_input", "checkbox", "expander", "title", "header",
                     "subheader", "tabs"):  # fmt: skip
            for el in at.get(kind):
                texts = [getattr(el, "label", None), getattr(el, "help", None)]
                if kind in ("title", "header", "subheader"):
                    texts.append(el.value)
                texts += [o for o in (getattr(el, "options", None) or []) if isinstance(o, str)]
                for text in texts:
                    if not isinstance(text, str):
                        continue
                    bare = text
                    for name in names:
                        bare = bare.replace(name, "")
                    if vietnamese.search(bare):
                        found.append((entry.url, kind, text[:80]))
    assert found == [], "\n".join(map(str, found))


def test_layer_and_filter_pills_default_to_what_they_hold_after_the_first_run(store) -> None:
    """The browser falls back to a pills widget's default when the choice it holds stops matching its options;
    after the first run that default is the choice held, never empty (which switched every layer off)."""
    at = app_page("pages/giao_thong.py", **{"flt_giao-thong_ql4b_segments_clearance_status": ["blocked"]})
    at.run()  # a later run: every pills widget now holds a choice
    pills = {e.proto.label: e.proto for e in at.get("button_group")}
    layers = pills[t("map.layers", "vi")]
    assert list(layers.default), "the layers shown are the layer pills' default"
    assert [layers.options[i].content for i in layers.default] == [
        CATALOG[lid].title("vi") for lid in at.session_state["map_giao-thong_layers"]
    ]
    status = pills[CATALOG["ql4b_segments"].field("clearance_status").label("vi")]
    assert [status.options[i].content for i in status.default] == ["Vướng mắc GPMB"]

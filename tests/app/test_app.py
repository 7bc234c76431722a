"""Every page runs without an exception, in both languages (Streamlit AppTest, no browser)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

PAGES = [
    "pages/overview.py",
    "pages/giao_thong.py",
    "pages/cum_cong_nghiep.py",
    "pages/dat_lam_nghiep.py",
    "pages/nong_thon_moi.py",
    "pages/chi_tieu.py",
    "pages/giao_ban.py",
    "pages/du_lieu.py",
]


def _run(page: str, lang: str = "vi") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    if page != PAGES[0]:
        at.switch_page(page)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_runs_without_exception(page: str, lang: str) -> None:
    at = _run(page, lang)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title, "every page has a title"


def test_overview_shows_headline_figures_and_the_demo_note() -> None:
    at = _run(PAGES[0])
    html = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "19.268 triệu đồng" in html and "36,71% dự toán tỉnh giao" in html
    assert "87,59%" in html and "170,7 ha" in html
    assert any("Dữ liệu minh họa" in w.value for w in at.sidebar.warning)


def test_the_wording_toggle_shows_the_notices_own_words() -> None:
    at = _run(PAGES[0])
    quote = "đạt 36,71% dự toán tỉnh giao, 27,11% dự toán huyện giao"

    def cards() -> str:
        return " ".join(str(h.proto.body) for h in at.get("html"))

    assert 'class="dl-card-quote"' not in cards()  # the wording is only a hover title until asked for
    at.toggle(key="show_quotes").set_value(True).run()
    assert 'class="dl-card-quote"' in cards() and quote in cards()


def test_the_language_switch_changes_titles_and_figures() -> None:
    at = _run(PAGES[0])
    assert at.title[0].value == "Bản đồ điều hành huyện Đình Lập"
    at.sidebar.radio[0].set_value("en").run()
    assert at.title[0].value == "Đình Lập district operations map"
    html = " ".join(str(h.proto.body) for h in at.get("html"))
    assert "19,268 million VND" in html


def test_a_missing_store_gives_a_clear_message(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DINHLAP_STORE", str(tmp_path / "missing.gpkg"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "Không tìm thấy kho dữ liệu" in at.error[0].value


def test_data_page_lists_every_layer_with_its_demo_flag(store) -> None:
    at = _run("pages/du_lieu.py")
    df = at.dataframe[0].value
    assert list(df["id"]) == store.layer_ids()
    assert set(df["id"]) >= {"units", "ql4b_segments", "indicators"}

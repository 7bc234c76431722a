"""The search box and the threads, in a real browser, as people use them: a code or a name without accents
typed into the box selects the feature; a planner asks a colleague about a dispute, the colleague signs in
elsewhere and finds the question waiting; the threads read back at the dates they were written; a comment
sent just as the map reports a move is not lost."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from geo.auth.users import add_user
from geo.read import comments
from geo.read.history import moment, stamp
from tests.browser import Visit, axe, ms, sign_in, streamlit_server, visit
from tests.conftest import NOTICE_STORE

pytestmark = pytest.mark.browser

SEARCH = "Tìm đối tượng (tên, mã, “tờ 12 thửa 101”)"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    d = tmp_path_factory.mktemp("threads")
    store = d / "s.gpkg"
    shutil.copy(NOTICE_STORE, store)
    users = d / "users.json"
    add_user(users, "chuyenvien", "planner", "mat-khau-dai")
    add_user(users, "canbo.xa", "planner", "mat-khau-xa-dai")
    # A question on a forest parcel in January 2025, answered in March (what the time machine reads back).
    comments.add(store, comments.feature("forest_parcels", "LN-07"), "Ranh giới đo lại chưa?", "chuyenvien",
                 ts=stamp(moment("2025-01-10T09:00")))  # fmt: skip
    comments.add(store, None, "Đã đo lại, có biên bản.", "canbo.xa", reply_to="1", ts=stamp(moment("2025-03-05T09:00")))
    with streamlit_server(store, users=users) as url:
        yield url


def _record(v: Visit) -> str:
    return v.page.locator("table.dl-record").first.inner_text()


def _find(v: Visit, text: str, result: str) -> None:
    """Type into the search box and press Enter; then choose ``result`` with the keyboard."""
    box = v.page.get_by_role("textbox", name=SEARCH)
    box.fill(text)
    box.press("Enter")
    button = v.page.get_by_role("button", name=result)
    button.wait_for(timeout=ms(20))
    # The results show while the search's run still draws (and the map may report after it): choose once
    # nothing runs, or the choice can be dropped by Streamlit as it starts the next run (streamlit#9036).
    v.wait_idle()
    status = v.page.locator(".dl-search-status")
    assert status.get_attribute("role") == "status" and "kết quả" in status.inner_text()
    button.focus()
    with v.expect_run():
        v.page.keyboard.press("Enter")
    try:
        v.page.locator(".dl-search-status", has_text="Đã chọn").wait_for(timeout=ms(20))
    except PlaywrightTimeout:
        raise v.fail(f"choosing {result!r} was not announced") from None
    v.wait_for_map("map.getZoom() >= 12")  # the map went to the feature, and reported its new view
    v.wait_idle()


def test_a_code_or_a_name_without_accents_selects_the_feature(browser: Browser, app: str, artifacts: Path) -> None:
    v = visit(browser, f"{app}/dat-lam-nghiep")
    v.map_frame()
    _find(v, "TC-03", "TC-03 — Điểm tranh chấp đất đai")
    v.page.locator("table.dl-record", has_text="TC-03").wait_for(timeout=ms(20))
    assert v.page.locator(".dl-search-status").inner_text() == "Đã chọn TC-03 (Điểm tranh chấp đất đai)."
    v.page.screenshot(path=str(artifacts / "search-tc-03.png"))

    o = visit(browser, f"{app}/")
    o.map_frame()
    _find(o, "dong thang", "Đồng Thắng (06643) — Xã, thị trấn (2024)")
    o.page.locator("table.dl-record", has_text="Xã Đồng Thắng").wait_for(timeout=ms(20))
    for page in (v, o):
        assert page.external_requests() == []
        assert page.unexpected_failures() == []
        page.page.close()


def test_a_question_with_a_mention_waits_for_the_colleague(browser: Browser, app: str, artifacts: Path) -> None:
    planner = visit(browser, f"{app}/dat-lam-nghiep")
    planner.map_frame()  # drawn, and its first view reported: the page is still before signing in
    sign_in(planner, "chuyenvien", "mat-khau-dai")
    planner.map_frame()
    _find(planner, "TC-03", "TC-03 — Điểm tranh chấp đất đai")
    ask = planner.page.get_by_role("textbox", name="Hỏi, trao đổi (gõ @tên để nhắc người cần trả lời)")
    ask.fill("Hai hộ đã ký biên bản hòa giải chưa? <b>gấp</b> @canbo.xa")
    with planner.expect_run():
        planner.page.get_by_role("button", name="Gửi").click()
    shown = planner.page.locator(".dl-comment-text", has_text="Hai hộ đã ký")
    try:
        shown.wait_for(timeout=ms(20))
    finally:
        planner.page.screenshot(path=str(artifacts / "threads-asked.png"), full_page=True)
    assert shown.inner_text() == "Hai hộ đã ký biên bản hòa giải chưa? <b>gấp</b> @canbo.xa"  # text, not markup

    # The colleague, in another browser, signs in and finds the question waiting for them.
    colleague = visit(browser, f"{app}/")
    colleague.map_frame()
    sign_in(colleague, "canbo.xa", "mat-khau-xa-dai")
    waiting = colleague.page.locator(".st-key-my_threads")
    item = waiting.get_by_role("button", name="#3 Điểm tranh chấp đất đai TC-03", exact=False)
    item.wait_for(timeout=ms(20))
    colleague.page.screenshot(path=str(artifacts / "threads-waiting.png"))
    with colleague.expect_run():
        item.click()  # opens the dispute on its page, with the thread under its record
    colleague.page.wait_for_url("**/dat-lam-nghiep", timeout=ms(20))
    colleague.map_frame()
    colleague.page.locator("table.dl-record", has_text="TC-03").wait_for(timeout=ms(20))
    reply = colleague.page.get_by_role("textbox", name="Trả lời luồng số 3")
    reply.fill("Đã ký hôm qua, gửi kèm biên bản.")
    with colleague.expect_run():
        colleague.page.get_by_role("button", name="Trả lời", exact=True).click()
    colleague.page.locator(".dl-comment-text", has_text="Đã ký hôm qua").wait_for(timeout=ms(20))
    waiting.get_by_text("Không có trao đổi nào cần bạn trả lời.").wait_for(timeout=ms(20))
    colleague.wait_idle()
    serious = [x["id"] for x in axe(colleague.page) if x["impact"] in ("serious", "critical")]
    assert serious == []  # the record with its thread, the reply and edit forms, the search box and its results
    colleague.page.screenshot(path=str(artifacts / "threads-answered.png"), full_page=True)
    for v in (planner, colleague):
        assert v.external_requests() == []
        assert v.unexpected_failures() == []
        v.page.close()


def test_threads_read_back_as_they_stood_on_a_date(browser: Browser, app: str) -> None:
    sel = "sel=forest_parcels:LN-07"
    before = visit(browser, f"{app}/dat-lam-nghiep?as_of=2025-02-01&{sel}")
    before.page.locator(".dl-comment-text", has_text="Ranh giới đo lại chưa?").wait_for(timeout=ms(30))
    before.page.get_by_text("Đang xem trao đổi như tại ngày 01/02/2025", exact=False).wait_for()
    assert before.page.locator(".dl-comment-text", has_text="Đã đo lại").count() == 0  # answered in March
    before.page.close()
    now = visit(browser, f"{app}/dat-lam-nghiep?{sel}")
    now.page.locator(".dl-comment-text", has_text="Đã đo lại, có biên bản.").wait_for(timeout=ms(30))
    assert now.page.get_by_text("Đăng nhập để trao đổi.").count() == 1  # reading needs no sign-in; writing does
    assert now.page.locator(".dl-comment-text", has_text="Ranh giới đo lại chưa?").count() == 1
    now.page.close()


def test_an_answer_reaches_a_page_open_on_another_replica(
    browser: Browser, pg_cluster, pg_notice, tmp_path: Path
) -> None:
    """On PostGIS: an answer written through another process appears under the record without a click."""
    import time

    server = pg_cluster.database(template=pg_notice)
    comments.add(server, comments.feature("forest_parcels", "LN-07"), "Ranh giới đo lại chưa?", "chuyenvien")
    with streamlit_server(server, env={"DINHLAP_MAPDATA_DIR": str(tmp_path / "mapdata")}) as url:
        v = visit(browser, f"{url}/dat-lam-nghiep?sel=forest_parcels:LN-07")
        v.page.locator(".dl-comment-text", has_text="Ranh giới đo lại chưa?").wait_for(timeout=ms(30))
        v.wait_idle()
        comments.add(server, None, "Đã đo lại hôm nay.", "canbo.xa", reply_to="1")
        written = time.monotonic()
        v.page.locator(".dl-comment-text", has_text="Đã đo lại hôm nay.").wait_for(timeout=ms(15))
        print(f"the answer showed {time.monotonic() - written:.1f} s after it was written")
        assert v.external_requests() == []
        v.page.close()


#: The map moves (as a hand on the map moves it) and, as it is about to report its new view (streamlit-folium
#: reports 250 ms after the last move), "Gửi" is pressed: the press's run has started, and is still drawing the
#: page, when the map's report arrives and cuts it short. Timed in the page, both on the page's one clock. (A
#: script's click moves no focus: the box is left first, by Tab, as a mouse press would leave it, or the form
#: would send the text the box had before typing.)
_SEND_AS_THE_MAP_REPORTS = """(label) => {
  const map = [...document.querySelectorAll('iframe')].map(f => { try { return f.contentWindow.map; }
                                                               catch (e) { return null; } }).find(m => m);
  const send = [...document.querySelectorAll('[data-testid="stFormSubmitButton"] button')]
    .find(b => b.innerText.trim() === label);
  if (!map || !send) return [!!map, !!send];
  map.panBy([120, 60], {animate: false});
  setTimeout(() => send.click(), 230);
  return [true, true];
}"""


def test_a_comment_sent_as_the_map_moves_is_stored_once(browser: Browser, app: str, artifacts: Path) -> None:
    """The map reports its view by a run of its own; arriving while the run of "Gửi" still draws the page, it
    cuts that run short. The comment is stored all the same, once, and its box is emptied."""
    v = visit(browser, f"{app}/dat-lam-nghiep?sel=forest_parcels:LN-05")
    v.map_frame()
    sign_in(v, "chuyenvien", "mat-khau-dai")
    v.page.locator("table.dl-record", has_text="LN-05").wait_for(timeout=ms(20))
    v.map_frame()
    ask = v.page.get_by_role("textbox", name="Hỏi, trao đổi (gõ @tên để nhắc người cần trả lời)")
    ask.fill("Mốc phía bắc đã cắm lại chưa?")
    ask.press("Tab")  # to "Gửi": the box hands its text to the form as it loses focus
    assert v.page.evaluate("() => document.activeElement.innerText.trim()") == "Gửi"
    runs = v.page.evaluate("() => window.__dl.started")
    with v.expect_run():
        found = v.page.evaluate(_SEND_AS_THE_MAP_REPORTS, "Gửi")
        assert found == [True, True], f"the map, the button 'Gửi' found: {found}"
    shown = v.page.locator(".dl-comment-text", has_text="Mốc phía bắc đã cắm lại chưa?")
    try:
        shown.wait_for(timeout=ms(20))
    except PlaywrightTimeout:
        raise v.fail("the comment sent as the map moved did not show") from None
    finally:
        v.page.screenshot(path=str(artifacts / "threads-sent-as-the-map-moved.png"), full_page=True)
    assert v.page.evaluate("() => window.__dl.started") >= runs + 2  # the press's run, and the map's report's
    v.wait_idle()
    assert shown.count() == 1  # stored once: the run that took the press over did not write it again
    assert v.page.locator(".dl-comment-text").count() == 1  # the parcel's only thread
    assert ask.input_value() == ""  # the box emptied once the text was stored
    assert v.external_requests() == []
    v.page.close()

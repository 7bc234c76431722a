"""The browser harness itself: idle means the run a click started has finished, a timeout says what the app
was doing, and a server that talks a lot keeps serving (its output goes to a file)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import CHROMIUM_ARGS, LOGS, PATIENCE, HarnessTimeout, ms, streamlit_server, visit

pytestmark = pytest.mark.browser

PIPE_BUFFER = 64 * 1024  # Linux's default pipe capacity: a server writing into an unread pipe blocks past it
SLOW_APP = Path(__file__).resolve().parents[1] / "apps" / "slow_run.py"


def test_a_server_that_logs_more_than_a_pipe_holds_keeps_serving(browser) -> None:
    # Debug logging, each line padded: every run writes a few kilobytes, so a few dozen runs of the harness's
    # own page write more than a pipe holds (what matters is the volume of output, not which page made it).
    chatty = ("--logger.level", "debug", "--logger.messageFormat", "%(asctime)s %(name)s %(message)s " + "." * 300)
    with streamlit_server(args=chatty, script=SLOW_APP) as url:
        port = url.rsplit(":", 1)[1]
        log = LOGS / f"streamlit-{port}.log"
        v = visit(browser, f"{url}/?ms=0")
        for n in range(1, 201):  # until the log holds more than a pipe would (a few dozen runs)
            with v.expect_run(20):
                v.page.get_by_role("button", name="Chạy lại").click()
            v.page.get_by_text(f"runs {n}").wait_for(timeout=ms(20))
            if log.stat().st_size > 2 * PIPE_BUFFER:
                break
        v.page.close()
        assert log.stat().st_size > PIPE_BUFFER, log.stat().st_size  # more than an unread pipe would take
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
            assert r.status == 200
        v = visit(browser, f"{url}/?ms=0")  # and a new page still runs and draws after all that
        with v.expect_run(20):
            v.page.get_by_role("button", name="Chạy lại").click()
        v.page.get_by_text("runs 1").wait_for(timeout=ms(20))
        v.page.close()


@pytest.fixture(scope="module")
def slow_url() -> Iterator[str]:
    with streamlit_server(script=SLOW_APP) as url:
        yield url


@pytest.mark.parametrize("run_ms", [200, 2000])
def test_idle_means_the_run_a_click_started_has_finished(browser, slow_url: str, run_ms: int) -> None:
    """A run shorter than Streamlit's 500 ms status widget and one longer: right after a click, idle is
    reported only once that click's run has drawn its result, never during the run."""
    v = visit(browser, f"{slow_url}/?ms={run_ms}")
    for n in (1, 2, 3):
        v.page.get_by_role("button", name="Chạy lại").click()
        v.wait_idle(timeout=run_ms / 1000 + 20)  # no expect_run: idle itself must know a run was asked for
        assert v.page.get_by_text(f"runs {n}").count() == 1, v.page.evaluate(
            "() => JSON.stringify([window.__dl, performance.now()])"
        )
    with v.expect_run(timeout=run_ms / 1000 + 20):
        v.page.get_by_role("button", name="Chạy lại").click()
    assert v.page.get_by_text("runs 4").count() == 1
    v.page.close()


def test_a_timeout_says_what_the_app_was_doing_and_keeps_a_picture(browser, slow_url: str) -> None:
    v = visit(browser, f"{slow_url}/?ms=3000")
    v.page.get_by_role("button", name="Chạy lại").click()
    with pytest.raises(HarnessTimeout) as caught:
        v.wait_idle(timeout=0.5 / PATIENCE)  # half a second, whatever the harness's patience: the run takes 3
    message = str(caught.value)
    assert "'script': 'running'" in message and "screenshot" in message
    shot = Path(message.rsplit("screenshot ", 1)[1])
    assert shot.exists() and shot.stat().st_size > 0
    v.wait_idle(timeout=20)
    v.page.close()


def test_an_action_that_starts_no_run_is_reported_not_waited_out(browser, slow_url: str) -> None:
    v = visit(browser, f"{slow_url}/?ms=200")
    with pytest.raises(HarnessTimeout, match="started no run"), v.expect_run(timeout=1 / PATIENCE):
        v.page.mouse.move(5, 5)
    v.page.close()


def test_the_browser_keeps_playwright_s_switches_and_builds_no_address_bar(browser) -> None:
    """Chromium honours only the last ``--disable-features``: ours carries Playwright's list as well, and
    switches off the address bar's drop-down that headless Chromium otherwise renders for every new context."""
    ours = next(a for a in CHROMIUM_ARGS if a.startswith("--disable-features="))
    assert CHROMIUM_ARGS.count(ours) == 1 and {"PaintHolding", "MediaRouter", "OptimizationHints"} <= set(
        ours.split("=", 1)[1].split(",")
    )
    page = browser.new_page()
    try:
        page.goto("about:blank")
        session = browser.new_browser_cdp_session()
        kinds = [(t["type"], t["url"]) for t in session.send("Target.getTargets")["targetInfos"]]
        session.detach()
    finally:
        page.close()
    assert [k for k in kinds if k[0] != "page"] == [], kinds

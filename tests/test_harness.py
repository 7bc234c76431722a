"""The browser harness itself: a server that talks a lot keeps serving (its output goes to a file)."""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser import LOGS, streamlit_server, visit

pytestmark = pytest.mark.browser

PIPE_BUFFER = 64 * 1024  # Linux's default pipe capacity: a server writing into an unread pipe blocks past it


def test_a_server_that_logs_more_than_a_pipe_holds_keeps_serving(browser) -> None:
    # Debug logging, each line padded: the server writes far more than a pipe holds in a few page visits.
    chatty = ("--logger.level", "debug", "--logger.messageFormat", "%(asctime)s %(name)s %(message)s " + "." * 300)
    with streamlit_server(args=chatty) as url:
        port = url.rsplit(":", 1)[1]
        log = LOGS / f"streamlit-{port}.log"
        pages = ("/", "/giao-thong", "/dat-lam-nghiep", "/cum-cong-nghiep")
        for page in pages * 2:  # until the log holds more than a pipe would
            v = visit(browser, url + page)
            v.map_frame()
            v.page.close()
            if log.stat().st_size > 2 * PIPE_BUFFER:
                break
        assert log.stat().st_size > PIPE_BUFFER, log.stat().st_size  # more than an unread pipe would take
        with urllib.request.urlopen(url + "/_stcore/health", timeout=5) as r:
            assert r.status == 200
        v = visit(browser, url + "/nong-thon-moi")  # and a page still draws after all that
        v.map_frame()
        v.page.close()

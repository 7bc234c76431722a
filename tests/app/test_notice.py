"""An engine's refusal that names what a person typed or a file held shows it as typed, not as markdown."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page() -> None:
    from geo.store.changelog import EditError
    from ui import notice

    exc = EditError("edit.not_found", layer="roads", key="**KH-01** [xem](http://x.example)")
    notice.error(exc, "vi")
    notice.success("Đã lưu *TH_1*")


def test_a_key_with_markdown_is_shown_as_typed() -> None:
    at = AppTest.from_function(_page).run()
    assert not at.exception
    shown = at.error[0].value
    # every character that would make bold text or a link is escaped: the planner reads their key
    assert "\\*\\*KH\\-01\\*\\*" in shown
    assert "\\[xem\\]\\(http" in shown
    assert "\\*\\*KH\\-01\\*\\*" in at.caption[0].value  # the other language, too
    assert at.success[0].value.endswith("\\*TH\\_1\\*")

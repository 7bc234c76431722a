"""Threads on features, tasks and indicators: written through the change log on both stores, read back at
any date, undone by a rollback, shown only to whom may read them, and the same from the command line.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from geo.auth.users import add_user
from geo.command.cli import main
from geo.read import comments
from geo.read.access import Reader
from geo.read.board import store_alerts, store_board
from geo.read.comments import CommentError, Target
from geo.read.history import moment, stamp
from geo.store.changelog import history
from geo.store.edit import rollback_to
from geo.store.reads import Store, versions_document

DISPUTE = comments.feature("land_disputes", "TC-03")  # a layer with a sensitive field (the parties)
PARCEL = comments.feature("forest_parcels", "LN-07")


def ts(text: str) -> str:
    return stamp(moment(text))


def test_a_thread_with_a_reply_a_mention_and_its_resolution(any_store: Path | str) -> None:
    first = comments.add(any_store, PARCEL, "Ranh giới thửa này đã đo lại chưa? @xa.dongthang", "chuyenvien")
    assert first.id == "1" and first.mentions == ("xa.dongthang",)
    found = comments.threads(Store(any_store), on=PARCEL)
    assert [th.id for th in found] == ["1"] and not found[0].resolved
    # The commune's officer finds it in "Cần tôi xử lý", and no longer once they answered.
    assert [th.id for th in comments.needing(found, "xa.dongthang")] == ["1"]
    assert comments.needing(found, "chuyenvien") == []
    reply = comments.add(any_store, None, "Đã đo lại ngày 12/5, gửi biên bản kèm theo.", "xa.dongthang", reply_to="1")
    assert reply.thread == "1"
    th = comments.threads(Store(any_store), on=PARCEL)[0]
    assert [c.text for c in th.replies] == ["Đã đo lại ngày 12/5, gửi biên bản kèm theo."]
    assert comments.needing([th], "xa.dongthang") == []
    # A reply to a reply goes to the same thread.
    assert comments.add(any_store, None, "Cảm ơn @xa.dongthang", "chuyenvien", reply_to=reply.id).thread == "1"
    comments.resolve(any_store, "1", "lanhdao")
    th = comments.threads(Store(any_store), on=PARCEL)[0]
    assert th.resolved and th.first.resolved_by == "lanhdao"
    assert comments.threads(Store(any_store), open_only=True) == []
    assert comments.needing([th], "xa.dongthang") == []  # a resolved thread asks nobody
    with pytest.raises(CommentError):
        comments.resolve(any_store, "1", "lanhdao")
    comments.resolve(any_store, "2", "chuyenvien", reopen=True)  # any comment of the thread names it
    assert not comments.threads(Store(any_store), on=PARCEL)[0].resolved
    # Every write is in the change log, as every other edit.
    log = history(any_store, "comments", "1")
    assert [r.reason for r in log] == [
        "comment",
        "thread resolved",
        "thread resolved",
        "thread reopened",
        "thread reopened",
    ]


def test_threads_as_they_stood_on_any_date_and_a_rollback_undoes_them(any_store: Path | str) -> None:
    comments.add(
        any_store, comments.task("2.6"), "Tiến độ giải quyết tranh chấp?", "lanhdao", ts=ts("2025-01-10T09:00")
    )
    comments.add(any_store, None, "Đã hòa giải 2 vụ.", "chuyenvien", reply_to="1", ts=ts("2025-02-01T09:00"))
    comments.resolve(any_store, "1", "lanhdao", ts=ts("2025-03-01T09:00"))
    store = Store(any_store)

    def on(day: str) -> list[comments.Thread]:
        return comments.threads(store, when=moment(day))

    assert on("2025-01-09") == []
    jan = on("2025-01-15")
    assert len(jan) == 1 and jan[0].replies == () and not jan[0].resolved
    feb = on("2025-02-15")
    assert [c.user for c in feb[0].replies] == ["chuyenvien"] and not feb[0].resolved
    assert on("2025-03-02")[0].resolved and comments.threads(store)[0].resolved
    # A rollback to mid-February undoes the resolution, and to before the question, the thread.
    rollback_to(any_store, ts("2025-02-15T00:00"), "admin")
    now = comments.threads(Store(any_store))
    assert len(now) == 1 and not now[0].resolved and len(now[0].replies) == 1
    rollback_to(any_store, ts("2025-01-01T00:00"), "admin")
    assert comments.threads(Store(any_store)) == []


def test_editing_one_s_own_comment_for_fifteen_minutes(any_store: Path | str) -> None:
    c = comments.add(any_store, PARCEL, "Diện tích 12,5 ha", "chuyenvien", ts=ts("2025-05-01T08:00"))
    written = dt.datetime.fromisoformat(c.at)
    with pytest.raises(CommentError) as not_yours:
        comments.change_text(any_store, c.id, "Diện tích 13 ha", "lanhdao", now=written + dt.timedelta(minutes=1))
    assert not_yours.value.message_key == "comments.not_yours"
    comments.change_text(
        any_store, c.id, "Diện tích 12,8 ha @lanhdao", "chuyenvien", now=written + dt.timedelta(minutes=14)
    )
    got = comments.threads(Store(any_store))[0].first
    assert got.text == "Diện tích 12,8 ha @lanhdao" and got.edited_at and got.mentions == ("lanhdao",)
    with pytest.raises(CommentError) as late:
        comments.change_text(any_store, c.id, "Sửa muộn", "chuyenvien", now=written + dt.timedelta(minutes=16))
    assert late.value.message_key == "comments.too_late"
    assert comments.threads(Store(any_store))[0].first.text == "Diện tích 12,8 ha @lanhdao"


def test_text_is_stored_as_typed_and_refusals_write_nothing(any_store: Path | str) -> None:
    hostile = '<img src=x onerror=alert(1)> **đậm** [x](javascript:alert(1)) =HYPERLINK("http://x") $y$'
    comments.add(any_store, PARCEL, hostile, "chuyenvien")
    assert comments.threads(Store(any_store))[0].first.text == hostile
    for on, text, key in [
        (PARCEL, "   ", "comments.empty"),
        (PARCEL, "x" * 2001, "comments.too_long"),
        (comments.feature("forest_parcels", "LN-999"), "?", "comments.no_subject"),
        (comments.task("9.9"), "?", "comments.no_subject"),
        (comments.indicator("no_such"), "?", "comments.no_subject"),
    ]:
        with pytest.raises(CommentError) as refused:
            comments.add(any_store, on, text, "chuyenvien")
        assert refused.value.message_key == key
    with pytest.raises(CommentError):
        comments.add(any_store, None, "?", "chuyenvien", reply_to="42")
    assert len(comments.threads(Store(any_store))) == 1


def test_threads_on_a_layer_with_sensitive_fields_are_for_those_who_see_them(any_store: Path | str) -> None:
    comments.add(any_store, DISPUTE, "Hai hộ đã ký biên bản chưa?", "chuyenvien")
    comments.add(any_store, comments.indicator("winter_crops"), "Số vụ Đông quý này?", "chuyenvien")
    store = Store(any_store)
    assert {th.target.kind for th in comments.threads(store, sensitive=True)} == {"feature", "indicator"}
    assert [th.target.kind for th in comments.threads(store, sensitive=False)] == ["indicator"]
    with pytest.raises(CommentError) as refused:
        comments.add(any_store, DISPUTE, "?", "viewer1", sensitive=False)
    assert refused.value.message_key == "comments.sensitive"


def test_viewers_comment_only_when_an_admin_allows_it(any_store: Path | str) -> None:
    assert not comments.viewers_may_comment(Store(any_store))
    assert comments.may_comment("planner", False) and not comments.may_comment("viewer", False)
    assert not comments.may_comment(None, True)
    comments.allow_viewers(any_store, True, "admin")
    assert comments.viewers_may_comment(Store(any_store))
    assert comments.may_comment("viewer", comments.viewers_may_comment(Store(any_store)))
    comments.allow_viewers(any_store, False, "admin")
    assert not comments.viewers_may_comment(Store(any_store))
    assert [r.user for r in history(any_store, "settings", comments.VIEWERS_COMMENT)] == ["admin", "admin"]


def test_open_threads_per_task_on_the_board_and_in_the_alerts(any_store: Path | str) -> None:
    comments.add(any_store, comments.task("2.6"), "Vướng ở đâu?", "lanhdao")
    comments.add(any_store, comments.task("2.6"), "Cần thêm kinh phí đo đạc?", "lanhdao")
    comments.add(any_store, comments.task("2.1"), "Đã xong?", "lanhdao")
    comments.resolve(any_store, "3", "lanhdao")
    store = Store(any_store)
    assert comments.open_counts(comments.threads(store)) == {"2.6": 2}
    rows = {r.task.id: r for r in store_board(Reader(store, True), dt.date(2026, 12, 1))}
    assert rows["2.6"].threads == 2 and rows["2.1"].threads == 0
    before = {r.task.id: r for r in store_board(Reader(store, True, moment("2024-04-24")), dt.date(2024, 4, 24))}
    assert before["2.6"].threads == 0  # the board of a past day counts the threads open then
    alerts = store_alerts(Reader(store, True), dt.date(2026, 12, 1), "vi")
    said = [a.text for a in alerts if a.kind == "task" and a.key == "2.6"]
    assert not said or all("2 trao đổi đang mở" in text for text in said)


def test_the_comments_table_is_one_the_replicas_watch(any_store: Path | str) -> None:
    before = versions_document(any_store)
    comments.add(any_store, PARCEL, "?", "chuyenvien")
    after = versions_document(any_store)
    assert after["tables"]["comments"] > before["tables"].get("comments", before["store"])
    if not str(any_store).endswith(".gpkg"):  # PostGIS keeps tables apart: a comment reruns no map of QL4B
        assert after["tables"]["ql4b_segments"] == before["tables"]["ql4b_segments"]


def test_a_target_reads_back_as_written() -> None:
    for target in (PARCEL, comments.task("2.10"), comments.indicator("budget_revenue")):
        assert Target.parse(target.text) == target
    with pytest.raises(ValueError):
        Target.parse("feature:only_layer")


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_adds_lists_resolves_and_reopens(
    any_store: Path | str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    users = tmp_path / "users.json"
    add_user(users, "nguoixem", "viewer", "mat-khau-dai-1")
    add_user(users, "quantri", "admin", "mat-khau-dai-2")
    monkeypatch.setenv("DINHLAP_USERS", str(users))
    s = ["--store", str(any_store)]
    code, out, _ = _run(
        capsys, "comments", "add", "--on", "forest_parcels:LN-07", "--text", "Hỏi @nguoixem", "--user", "cv", *s
    )
    assert (code, out.strip()) == (0, "1")
    assert _run(capsys, "comments", "add", "--reply-to", "1", "--text", "Trả lời", "--user", "cv", *s)[0] == 0
    assert _run(capsys, "comments", "add", "--task", "2.6", "--text", "Tiến độ?", "--user", "cv", *s)[0] == 0
    code, out, _ = _run(capsys, "comments", "list", "--on", "forest_parcels:LN-07", "--json", *s)
    (item,) = json.loads(out)
    assert {"id", "text", "user", "at", "replies", "resolved"} <= set(item)
    assert (item["id"], item["text"], item["user"], item["resolved"]) == ("1", "Hỏi @nguoixem", "cv", False)
    assert [r["text"] for r in item["replies"]] == ["Trả lời"]
    assert _run(capsys, "comments", "resolve", "1", "--user", "cv", *s)[0] == 0
    assert _run(capsys, "comments", "resolve", "1", "--user", "cv", *s)[0] == 1  # resolved already
    code, out, _ = _run(capsys, "comments", "list", "--open", "--json", *s)
    assert [i["on"] for i in json.loads(out)] == ["task:2.6"]
    assert _run(capsys, "comments", "reopen", "1", "--user", "cv", *s)[0] == 0
    # A viewer reads, and writes only once an admin allows it; only an admin allows it.
    code, _, err = _run(capsys, "comments", "add", "--task", "2.6", "--text", "?", "--user", "nguoixem", *s)
    assert code == 1 and "không được viết" in err
    assert _run(capsys, "comments", "allow-viewers", "on", "--user", "nguoixem", *s)[0] == 1
    assert _run(capsys, "comments", "allow-viewers", "on", "--user", "quantri", *s)[0] == 0
    assert _run(capsys, "comments", "add", "--task", "2.6", "--text", "?", "--user", "nguoixem", *s)[0] == 0
    code, out, _ = _run(capsys, "comments", "list", "--mine", "--user", "nguoixem", "--json", *s)
    assert [i["id"] for i in json.loads(out)] == ["1"]
    # Bad arguments: exit 2, nothing written.
    assert _run(capsys, "comments", "add", "--on", "no-colon", "--text", "?", "--user", "cv", *s)[0] == 2
    assert (
        _run(
            capsys,
            "comments",
            "add",
            "--task",
            "2.6",
            "--on",
            "forest_parcels:LN-07",
            "--text",
            "?",
            "--user",
            "cv",
            *s,
        )[0]
        == 2
    )
    assert _run(capsys, "comments", "add", "--task", "2.6", "--text", "?", *s)[0] == 2
    assert _run(capsys, "comments", "add", "--task", "2.6", "--text", "  ", "--user", "cv", *s)[0] == 1
    assert len(comments.threads(Store(any_store))) == 3


def test_the_meeting_pack_shows_open_threads_under_their_task(any_store: Path | str) -> None:
    import io

    from pypdf import PdfReader

    from geo.printing.pack import meeting_pack

    comments.add(any_store, comments.task("2.6"), "Hai hộ ở TC-03 đã ký biên bản chưa? $x$ <b>", "chuyenvien")
    comments.add(any_store, None, "Đã hòa giải, chờ ký.", "xa.dongthang", reply_to="1")
    comments.add(any_store, comments.task("2.1"), "Câu hỏi đã xong", "lanhdao")
    comments.resolve(any_store, "3", "lanhdao")
    pdf = PdfReader(io.BytesIO(meeting_pack(Store(any_store), "vi", today=dt.date(2026, 12, 1))))
    board_page = " ".join(pdf.pages[-1].extract_text().split())
    assert "«Hai hộ ở TC-03 đã ký biên bản chưa? $x$ <b>»" in board_page  # as typed, under task 2.6
    assert "xa.dongthang: «Đã hòa giải, chờ ký.»" in board_page
    assert board_page.index("Hai hộ ở TC-03") > board_page.index("2.6 ")
    assert "Câu hỏi đã xong" not in board_page  # resolved: not in the pack
    assert "1 trao đổi đang mở" in board_page


def test_a_question_on_a_dispute_stands_under_its_task_on_the_board_and_in_the_pack(
    any_store: Path | str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The commune is asked about dispute TC-03: the leader reads it under task 2.6 (the disputes' task) on the
    board and in the meeting pack, until it is resolved; a viewer, who may not read threads on disputes, never."""
    import io

    from pypdf import PdfReader

    from geo.printing.pack import meeting_pack

    comments.add(any_store, DISPUTE, "Hai hộ đã ký biên bản hòa giải chưa? @canbo.xa", "chuyenvien")
    comments.add(any_store, None, "Chưa, hẹn thứ Hai.", "canbo.xa", reply_to="1")
    comments.add(any_store, comments.indicator("winter_crops"), "Số vụ Đông quý này?", "lanhdao")
    store = Store(any_store)
    rows = {r.task.id: r for r in store_board(Reader(store, True), dt.date(2026, 12, 1))}
    assert rows["2.6"].threads == 1  # the dispute's task (its links name the disputes' layer)
    assert rows["2.4"].threads == 0 and rows["2.1"].threads == 0
    assert {r.task.id: r.threads for r in store_board(Reader(store, False), dt.date(2026, 12, 1))}["2.6"] == 0
    pdf = PdfReader(io.BytesIO(meeting_pack(store, "vi", today=dt.date(2026, 12, 1))))
    board_page = " ".join(pdf.pages[-1].extract_text().split())
    asked = "[Điểm tranh chấp đất đai TC-03] chuyenvien: «Hai hộ đã ký biên bản hòa giải chưa? @canbo.xa»"
    assert asked in board_page and "canbo.xa: «Chưa, hẹn thứ Hai.»" in board_page
    assert board_page.index("[Điểm tranh chấp đất đai TC-03]") > board_page.index("2.6 ")
    viewer = PdfReader(io.BytesIO(meeting_pack(store, "vi", today=dt.date(2026, 12, 1), sensitive=False)))
    assert "TC-03]" not in " ".join(viewer.pages[-1].extract_text().split())
    # The script twin lists under 2.6 what the board counts there (the dispute's thread), a viewer's list not.
    from geo.command.cli import main

    assert main(["comments", "list", "--task", "2.6", "--open", "--json", "--store", str(any_store)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(i["on"], i["text"]) for i in listed] == [(DISPUTE.text, "Hai hộ đã ký biên bản hòa giải chưa? @canbo.xa")]
    comments.resolve(any_store, "1", "chuyenvien")
    rows = {r.task.id: r for r in store_board(Reader(Store(any_store), True), dt.date(2026, 12, 1))}
    assert rows["2.6"].threads == 0
    assert main(["comments", "list", "--task", "2.6", "--open", "--json", "--store", str(any_store)]) == 0
    assert json.loads(capsys.readouterr().out) == []

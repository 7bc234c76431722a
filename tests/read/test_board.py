"""The task board's rules and the alerts derived from the data, on made-up tasks and on the shipped store."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from geo.model.views import Task
from geo.read import board
from geo.read.indicators import from_frame
from geo.store.reads import DEFAULT_STORE, Store

TODAY = dt.date(2026, 11, 29)


def _task(task_id: str, status: str, deadline: str, progress_date: str) -> Task:
    return Task(task_id, "ngắn", "nguyên văn", "UBND", "", deadline, status, "tiến độ", progress_date, ())


def test_overdue_and_stalled_follow_their_rules() -> None:
    rows = board.board(
        [
            _task("a", "in_progress", "2026-06-30", "2026-11-01"),  # past its deadline, reported lately
            _task("b", "ongoing", "2024-12-31", "2026-11-20"),  # a standing task: never overdue
            _task("c", "done", "2024-12-31", "2024-01-01"),  # done: no flag, however old
            _task("d", "in_progress", "2027-06-30", "2026-05-01"),  # on time, but silent for 212 days
            _task("e", "not_started", "2027-06-30", ""),  # never reported
        ],
        TODAY,
    )
    got = {r.task.id: (r.overdue, r.stalled) for r in rows}
    assert got == {
        "a": (True, False),
        "b": (False, False),
        "c": (False, False),
        "d": (False, True),
        "e": (False, True),
    }
    assert rows[3].days_since == 212 and rows[3].flags("vi") == "212 ngày chưa cập nhật"
    assert rows[0].flags("en") == "Overdue"


def test_an_indicator_is_behind_when_under_its_period_s_pace_or_when_the_notice_says_so() -> None:
    inds = {i.id: i for i in from_frame(Store(DEFAULT_STORE).read("indicators"))}
    assert board.pace("Quý I/2024") == 25 and board.pace("2025-Q3") == 75 and board.pace("Năm 2024") == 100
    assert not board.below_target(inds["budget_revenue"])  # 36.71% of the year's target after one quarter
    assert board.below_target(inds["health_insurance"])  # "còn thấp so với kế hoạch" (section 1)
    assert board.below_target(replace(inds["public_investment"], pct=20.0))  # under a quarter's 25%
    assert board.below_target(replace(inds["winter_crops"], pct=95.0))  # a whole season under 100%


def test_the_shipped_store_s_alerts_today() -> None:
    from geo.read.access import Reader

    store = Reader(Store(DEFAULT_STORE), sensitive=True)
    rows = board.store_board(store, TODAY)
    assert [r.task.id for r in rows] == ["2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10", "3"]
    found = board.store_alerts(store, TODAY, "vi")
    tasks = [a.key for a in found if a.kind == "task"]
    assert tasks == ["2.4", "2.5", "2.6", "2.8"]  # past their deadline, not done, not standing tasks
    assert [a.key for a in found if a.kind == "indicator"] == ["health_insurance"]
    layers = [a.key for a in found if a.kind == "layer"]
    assert "land_disputes" in layers and "ql4b_segments" in layers  # last changed 12/8/2025 and 19/12/2025
    assert not {"district", "units", "communes_2025", "ql4b_route"} & set(layers)  # reference geometry: no alert
    # The day after the notice: no deadline has passed and no layer is old; the notice's own "below plan" stays.
    assert [a.key for a in board.store_alerts(store, dt.date(2024, 4, 25), "vi")] == ["health_insurance"]


def test_the_board_and_alerts_follow_the_day_read() -> None:
    """Read through geo.read.access at a past day, tasks have the status and layers the date they had then."""
    from geo.read import history
    from geo.read.access import Reader

    store = Store(DEFAULT_STORE)
    then = Reader(store, sensitive=False, as_of=history.moment("2025-06-30"))
    assert then.today() == dt.date(2025, 6, 30)
    status = {r.task.id: r.task.status for r in board.store_board(then, then.today())}
    assert status["2.2"] == "in_progress"  # the road's site clearance task, not yet closed then
    now = Reader(store, sensitive=False)
    assert {r.task.id: r.task.status for r in board.store_board(now, TODAY)}["2.2"] == "done"
    meta = then.meta()
    assert meta["ql4b_segments"].as_of <= "2025-06-30" < store.meta()["ql4b_segments"].as_of
    alerts = board.store_alerts(then, then.today(), "en")
    assert "ql4b_segments" not in {a.key for a in alerts if a.kind == "layer"}  # changed in April 2025
    assert "2.2" in {a.key for a in alerts if a.kind == "task"}
    # The day after the notice, read as it stood: nothing but the notice's own "below plan".
    day_after = Reader(store, sensitive=False, as_of=history.moment("2024-04-25"))
    assert [a.key for a in board.store_alerts(day_after, day_after.today(), "vi")] == ["health_insurance"]


def test_the_overview_s_alerts_in_the_app_follow_the_chosen_day() -> None:
    from tests.conftest import app_page

    def alert_label(**state: object) -> str:
        at = app_page("pages/overview.py", **state)
        return next(e.label for e in at.expander if e.label.startswith("Cảnh báo từ dữ liệu"))

    assert alert_label(as_of="2024-04-25").endswith("(1)")
    assert not alert_label().endswith("(1)")

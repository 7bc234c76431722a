"""A chart is built once per what it shows: a rerun with the same numbers sends the spec made before, and any
change in them makes a new one (``ui.charts``)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from ui.charts import spec_of


def test_a_chart_is_built_once_per_data_and_again_when_a_number_changes() -> None:
    built: list[int] = []
    df = pd.DataFrame({"commune": ["Đình Lập", "Châu Sơn"], "ha": [1200.5, 88.0]})

    def build(frame: pd.DataFrame) -> alt.Chart:
        built.append(1)
        return alt.Chart(frame).mark_bar().encode(y="commune:N", x="ha:Q").properties(height=120)

    memo = ("test-chart", "vi")
    first = spec_of(lambda: build(df), memo, (df,))
    again = spec_of(lambda: build(df.copy()), memo, (df.copy(),))
    assert len(built) == 1 and again == first
    again["height"] = 1  # each caller gets its own copy
    assert spec_of(lambda: build(df), memo, (df,))["height"] == 120
    changed = df.assign(ha=[1200.5, 88.1])
    other = spec_of(lambda: build(changed), memo, (changed,))
    assert len(built) == 2 and other["datasets"] != first["datasets"]
    assert [r["ha"] for r in next(iter(other["datasets"].values()))] == [1200.5, 88.1]
    spec_of(lambda: build(df), ("test-chart", "en"), (df,))  # another language: its own chart
    assert len(built) == 3
    # Made as Streamlit makes an Altair chart: without Altair's default 300-pixel view.
    assert "config" not in first or "view" not in first["config"]


def test_a_chart_whose_data_cannot_be_digested_is_built_every_time() -> None:
    built: list[int] = []

    class Odd:  # a value pickle cannot write (a lock inside)
        def __init__(self) -> None:
            import threading

            self.lock = threading.Lock()

        def __str__(self) -> str:
            return "odd"

    df = pd.DataFrame({"what": [Odd()], "n": [1]})

    def build() -> alt.Chart:
        built.append(1)
        return alt.Chart(df.assign(what=df.what.astype(str))).mark_bar().encode(y="what:N", x="n:Q")

    for _ in range(2):
        assert spec_of(build, ("odd-chart",), (df,))["mark"] == {"type": "bar"}
    assert len(built) == 2

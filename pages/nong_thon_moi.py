"""Nông thôn mới: criteria met per commune (of 19), the scorecard, the district's 9 criteria."""

from geo.model.catalog import THEME_LAYERS
from ui.panels import ntm_controls, ntm_frames, ntm_panel
from ui.theme import ThemePage, render

render(
    ThemePage(
        page="nong-thon-moi",
        nav_key="nav.ntm",
        layers=THEME_LAYERS["ntm"],
        tables=("units",),
        panel=ntm_panel,
        controls=ntm_controls,
        frames_hook=ntm_frames,
        keep_units=True,  # criteria are assessed per commune of 2024
    )
)

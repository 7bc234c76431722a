"""Drawing in the app: the tools' files are the pinned package's and are served by the app; a planner types
a surveyor's coordinates into the drawing panel and saves a parcel, audited; a viewer gets measuring only
(AppTest on a copy of the store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely

from geo.store.changelog import history
from geo.store.geometry_edit import measure, to_grid
from geo.store.reads import Store
from geo.webmap.mapview import DRAW_CSS, DRAW_JS, STATIC_DIR, DrawSpec, DrawTools
from tests.conftest import ROOT, app_env, app_page, shown

GEOMAN = ROOT / "node_modules" / "@geoman-io" / "leaflet-geoman-free"
SQUARE = shapely.box(107.10, 21.55, 107.1019, 21.5519)


def test_the_vendored_geoman_is_the_pinned_npm_package() -> None:
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["@geoman-io/leaflet-geoman-free"]
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert lock["node_modules/@geoman-io/leaflet-geoman-free"]["version"] == pinned
    for name in (*DRAW_JS, *DRAW_CSS):
        assert (STATIC_DIR / name).is_file(), name
    installed = json.loads((GEOMAN / "package.json").read_text())["version"]  # make test runs npm ci first
    assert installed == pinned
    for name in ("leaflet-geoman.min.js", "leaflet-geoman.css"):
        assert (STATIC_DIR / "vendor" / name).read_bytes() == (GEOMAN / "dist" / name).read_bytes(), name


def _options(tools: DrawTools) -> dict:
    import base64
    import re

    return json.loads(base64.b64decode(re.search(r'atob\("([^"]+)"\)', tools.options).group(1)))


def test_the_tools_speak_the_page_language_and_load_nothing_remote() -> None:
    vi = _options(DrawTools(DrawSpec("Polygon", "add"), "vi"))
    en = _options(DrawTools(DrawSpec(), "en"))
    assert vi["pm"]["buttonTitles"]["drawPolyButton"] == "Vẽ vùng"
    assert vi["words"]["measureArea"] == "Đo diện tích" and vi["draw"]["kind"] == "Polygon"
    assert en["words"]["measureArea"] == "Measure an area" and en["draw"] is None
    for name in (*DRAW_JS, *DRAW_CSS):
        text = (STATIC_DIR / name).read_text(encoding="utf-8")
        assert "//cdn" not in text and "unpkg.com" not in text and "jsdelivr" not in text


def test_a_typed_measurement_reaches_the_map_with_its_figures_as_text() -> None:
    """What the measuring box hands the map: the shape (WGS 84 GeoJSON) and its figures, as data (draw.js puts
    them in the label with textContent)."""
    shape = json.dumps(shapely.geometry.mapping(SQUARE))
    options = _options(DrawTools(DrawSpec(measured=(shape, "Diện tích: 4,2 ha <img src=x>")), "vi"))
    assert shapely.geometry.shape(options["measured"]["geometry"]).equals_exact(SQUARE, 1e-12)
    assert options["measured"]["text"] == "Diện tích: 4,2 ha <img src=x>"
    assert _options(DrawTools(DrawSpec(), "vi"))["measured"] is None
    assert "<img" not in DrawTools(DrawSpec(measured=(shape, "<img src=x>")), "vi").options


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return app_env(tmp_path, monkeypatch, {"chuyenvien": "planner", "lanhdao": "viewer"})


PAGE = "dat-lam-nghiep"


def test_a_planner_types_a_surveyors_table_and_saves_a_parcel(env: Path) -> None:
    grid = to_grid(SQUARE)
    table = "\n".join(f"{i + 1} {y:.3f} {x:.3f}" for i, (x, y) in enumerate(list(grid.exterior.coords)[:-1]))
    at = app_page(
        "pages/dat_lam_nghiep.py",
        user={"name": "chuyenvien", "role": "planner"},
        **{f"draw_on_{PAGE}": True, f"draw_layer_{PAGE}": "forest_parcels"},
    )
    at.text_area(key=f"draw_text_{PAGE}").set_value(table).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("ha" in c.value and "VN-2000" in c.value for c in at.caption)  # measured as typed
    at.text_input(key=f"draw_f_{PAGE}_forest_parcels_parcel_id").set_value("LN-90")
    at.text_input(key=f"draw_f_{PAGE}_forest_parcels_decision").set_value("QĐ 12/QĐ-UBND")
    at.text_input(key=f"draw_f_{PAGE}_forest_parcels_handover_date").set_value("2025-05-01")
    at.text_input(key=f"draw_f_{PAGE}_forest_parcels_planned_use").set_value("Khu tái định cư")
    at.text_input(key=f"draw_reason_{PAGE}").set_value("Số liệu đo đạc")
    next(b for b in at.button if b.label == "Lưu đối tượng mới").click().run()
    assert not at.exception, [e.value for e in at.exception]
    parcels = Store(env).read("forest_parcels")
    row = parcels[parcels.parcel_id == "LN-90"].iloc[0]
    assert row.geometry.equals_exact(SQUARE, 1e-7)
    assert row.area_ha == pytest.approx(measure(SQUARE).area_ha, abs=1e-4)
    assert [r.user for r in history(env, "forest_parcels", "LN-90")] == ["chuyenvien"]
    assert at.session_state[f"sel_{PAGE}"]["key"] == "LN-90"


def test_a_crossing_outline_typed_is_refused_with_where(env: Path) -> None:
    at = app_page(
        "pages/dat_lam_nghiep.py",
        user={"name": "chuyenvien", "role": "planner"},
        **{f"draw_on_{PAGE}": True, f"draw_layer_{PAGE}": "forest_parcels"},
    )
    bow = "POLYGON ((107.1 21.55, 107.102 21.552, 107.102 21.55, 107.1 21.552, 107.1 21.55))"
    at.text_area(key=f"draw_text_{PAGE}").set_value(bow).run()
    at.text_input(key=f"draw_f_{PAGE}_forest_parcels_parcel_id").set_value("LN-91")
    next(b for b in at.button if b.label == "Lưu đối tượng mới").click().run()
    assert any("tự cắt" in shown(e.value) and "107.101" in shown(e.value) for e in at.error)
    assert "LN-91" not in set(Store(env).read("forest_parcels").parcel_id)


def test_viewers_measure_but_get_no_drawing_panel(env: Path) -> None:
    at = app_page("pages/dat_lam_nghiep.py", user={"name": "lanhdao", "role": "viewer"})
    assert not [e for e in at.expander if "Vẽ" in e.label]


def _said(at) -> str:
    """What the measuring panel's status region says."""
    return next(h.proto.body for h in at.get("html") if "dl-measure-result" in h.proto.body)


def test_a_viewer_measures_typed_coordinates_and_a_pasted_shape(env: Path) -> None:
    at = app_page("pages/dat_lam_nghiep.py", user={"name": "lanhdao", "role": "viewer"})
    assert any(e.label == "Đo khoảng cách, diện tích" for e in at.expander)
    # Two points typed lat lon: a distance, in metres under a kilometre.
    at.text_area(key=f"measure_text_{PAGE}").set_value("21.55 107.10\n21.55 107.105").run()
    said = _said(at)
    metres = measure(shapely.LineString([(107.10, 21.55), (107.105, 21.55)])).length_m
    assert f"Chiều dài: {metres:.1f}".replace(".", ",") + " m" in said and 'role="status"' in said
    # A surveyor's table (X northing, Y easting in VN-2000) as an area: hectares as on the national grid.
    grid = to_grid(SQUARE)
    table = "\n".join(f"{i + 1}\t{y:.3f}\t{x:.3f}" for i, (x, y) in enumerate(list(grid.exterior.coords)[:-1]))
    at.radio(key=f"measure_kind_{PAGE}").set_value("Polygon")
    at.text_area(key=f"measure_text_{PAGE}").set_value(table).run()
    said = _said(at)
    assert f"Diện tích: {grid.area / 1e4:.4f}".replace(".", ",") + " ha" in said
    # Pasted WKT in English; an unreadable line is refused with what it is.
    at.session_state["lang"] = "en"
    at.text_area(key=f"measure_text_{PAGE}").set_value(SQUARE.wkt).run()
    said = _said(at)
    assert "Area: " in said and " ha " in said and "Perimeter:" in said
    at.text_area(key=f"measure_text_{PAGE}").set_value("21.55 107.10\nhai mươi").run()
    assert at.error and not [h for h in at.get("html") if "dl-measure-result" in h.proto.body and "ha" in h.proto.body]

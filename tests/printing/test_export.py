"""Exports: what the print layout says, what the data files hold, and that they match the web map."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader

from geo.command.cli import main
from geo.model.catalog import CATALOG
from geo.model.i18n import t
from geo.printing.export import HTML_CSP, MapRequest, Provenance, export_bytes, in_view, layout, map_html, map_image
from geo.printing.pack import meeting_pack
from geo.read.filters import apply_filters
from geo.store.reads import Store
from geo.webmap.mapview import feature_collection

TODAY = dt.date(2026, 11, 25)
LAYERS = ("district", "units", "forest_parcels", "cluster_boundary", "ql4b_segments", "ql4b_stations", "land_disputes")
BASELINE = Path(__file__).resolve().parents[1] / "baseline"


@pytest.fixture(scope="module")
def frames(store: Store) -> dict[str, gpd.GeoDataFrame]:
    return {lid: store.read(lid) for lid in LAYERS}


@pytest.fixture(scope="module")
def prov(store: Store) -> Provenance:
    return Provenance(store.meta(), TODAY)


@pytest.fixture(scope="module")
def vi_pack(store: Store) -> PdfReader:
    """The Vietnamese meeting pack of the notice's store, without its atlas (made once: tests only read it)."""
    return PdfReader(io.BytesIO(meeting_pack(store, "vi", atlas=False, today=TODAY)))


def _pdf_text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_pdf_layout_carries_title_legend_scale_date_source_crs_and_demo_note(frames, prov) -> None:
    req = MapRequest(LAYERS, "Bản đồ tổng quan huyện Đình Lập", "Theo Thông báo ngày 24/4/2024")
    text = _pdf_text(map_image(req, frames, prov, "pdf"))
    for expected in (
        "Bản đồ tổng quan huyện Đình Lập",
        "Theo Thông báo ngày 24/4/2024",
        "Chú giải",
        "Xã, thị trấn (2024)",
        "Vướng mắc GPMB",
        "Mới phát sinh",
        "km",
        "Ngày xuất: 25/11/2026",
        "Cập nhật: 24/04/2024",
        "VN-2000 / TM-3",
        "Nguồn:",
        "Dữ liệu minh họa",
    ):
        assert expected in text, expected
    en = _pdf_text(map_image(replace(req, lang="en", crs="EPSG:4326"), frames, prov, "pdf"))
    assert "Legend" in en and "Exported: 2026-11-25" in en and "WGS 84" in en and "Clearance blocked" in en


def test_text_with_dollars_and_markup_prints_as_typed(frames, prov) -> None:
    """matplotlib reads "$…$" as mathematics unless told not to: titles and values are text."""
    values = ["Giá $x^2$ và $y$", "<b>đậm</b> & `${1+1}`", "D:\\du_lieu\\xa.shp"]
    disputes = frames["land_disputes"].copy()
    disputes.loc[: len(values) - 1, "status"] = values  # values the catalog does not know: the legend lists them
    req = MapRequest(LAYERS, "Tiêu đề $\\alpha$ và $\\beta$", "Chi phí 50$ / 100$")
    text = _pdf_text(map_image(req, {**frames, "land_disputes": disputes}, prov, "pdf"))
    for typed in (*values, "Tiêu đề $\\alpha$ và $\\beta$", "Chi phí 50$ / 100$"):
        assert typed in text, typed


def test_legend_lists_only_layers_and_classes_in_view(frames, prov, store) -> None:
    seg = store.read("ql4b_segments")
    only_blocked = {
        **frames,
        "ql4b_segments": apply_filters(CATALOG["ql4b_segments"], seg, {"clearance_status": ["blocked"]}),
    }
    text = _pdf_text(map_image(MapRequest(("units", "ql4b_segments"), "T"), only_blocked, prov, "pdf"))
    assert "Vướng mắc GPMB" in text
    assert "Đã bàn giao mặt bằng" not in text and "Đang tranh chấp" not in text  # other classes, other layers
    cluster = store.read("cluster_boundary")
    w, s, e, n = cluster.total_bounds
    text = _pdf_text(
        map_image(
            MapRequest(("units", "cluster_boundary", "land_disputes"), "T", bbox=(w, s, e, n)), frames, prov, "pdf"
        )
    )
    assert "Cụm công nghiệp Đình Lập (ranh giới)" in text and "Mới phát sinh" not in text  # no dispute in view


def test_print_and_web_map_show_the_same_features(frames, prov) -> None:
    bbox = (107.0, 21.45, 107.2, 21.65)
    req = MapRequest(LAYERS, "T", bbox=bbox)
    fig, drawn = layout(req, frames, prov)
    plt.close(fig)
    view = in_view(frames, bbox)
    for lid in LAYERS:
        web = [f["properties"]["_k"] for f in feature_collection(CATALOG[lid], view[lid], "vi")["features"]]
        assert sorted(drawn[lid]) == sorted(web), lid
    assert 0 < len(drawn["units"]) < 12  # the extent really cut the district


def test_png_layout_matches_the_reference(frames, prov, artifacts) -> None:
    req = MapRequest(LAYERS, "Bản đồ tổng quan huyện Đình Lập", "Ảnh tham chiếu của bố cục in", dpi=60)
    actual = np.asarray(Image.open(io.BytesIO(map_image(req, frames, prov))).convert("RGB"), dtype=float)
    ref_path = BASELINE / "layout-overview-a4.png"
    Image.fromarray(actual.astype("uint8")).save(artifacts / "layout-overview-a4.actual.png")
    if not ref_path.exists():  # a new layout: write the reference, look at it, commit it
        assert not os.environ.get("CI"), f"{ref_path} is missing"
        Image.fromarray(actual.astype("uint8")).save(ref_path)
        pytest.skip("reference image written")
    expected = np.asarray(Image.open(ref_path).convert("RGB"), dtype=float)
    assert actual.shape == expected.shape
    diff = np.abs(actual - expected)
    Image.fromarray(diff.clip(0, 255).astype("uint8")).save(artifacts / "layout-overview-a4.diff.png")
    changed = (diff.max(axis=2) > 40).mean()
    assert changed < 0.005, f"{changed:.2%} of pixels differ from the reference"


def test_png_resolution_and_paper(frames, prov) -> None:
    req = MapRequest(("units",), "T", dpi=200)
    a4 = Image.open(io.BytesIO(map_image(req, frames, prov)))
    assert a4.size == (int(297 / 25.4 * 200), int(210 / 25.4 * 200))
    a3 = Image.open(io.BytesIO(map_image(replace(req, paper="A3", landscape=False, dpi=100), frames, prov)))
    assert a3.size == (int(297 / 25.4 * 100), int(420 / 25.4 * 100))


def test_html_export_is_standalone_with_its_own_csp(frames, store) -> None:
    hostile = store.read("land_disputes").assign(kind="</script><img src=x onerror=alert(1)>")
    html = map_html(MapRequest(("units", "land_disputes"), "<b>T</b>"), {**frames, "land_disputes": hostile}, {"units"})
    assert f'<meta http-equiv="Content-Security-Policy" content="{HTML_CSP}">' in html
    assert "frame-src 'none'" in HTML_CSP and "connect-src 'none'" in HTML_CSP
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?https?:""", html)
    assert "L.map(" in html or "L.map (" in html  # Leaflet inline
    assert "onerror=alert" not in html and "<title>&lt;b&gt;T&lt;/b&gt;</title>" in html


def test_a_large_layer_travels_once_in_the_html_file(store) -> None:
    import base64
    import gzip

    from geo.demo.synthetic import parcels

    big = parcels(1200, within=store.read("district").geometry.iloc[0])  # over BIG_LAYER: compact files
    html = map_html(MapRequest(("district", "forest_parcels"), "T"), {"district": store.read("district"),
                    "forest_parcels": big}, set())  # fmt: skip
    blocks = re.findall(
        r'<script type="application/octet-stream" id="(dl-data-[0-9a-f]+)">([A-Za-z0-9+/=]+)</script>', html
    )
    assert len(blocks) == 2  # the geometry file and the style file, each once
    for ref, text in blocks:
        assert html.count(text) == 1 and html.count(ref) == 1  # once, as its block (the map refers to it by id)
        assert gzip.decompress(base64.b64decode(text))  # gzip inside, as the page inflates it
    assert "worker-src blob:" in HTML_CSP and "child-src 'none'" in HTML_CSP


def test_meeting_pack_pages_contents_and_numbers(store, vi_pack: PdfReader) -> None:
    pdf = vi_pack
    assert len(pdf.pages) == 7
    cover = pdf.pages[0].extract_text()
    for title, page in (
        ("Tổng quan", 2),
        ("Giao thông", 3),
        ("Cụm công nghiệp", 4),
        ("Đất lâm nghiệp", 5),
        ("Nông thôn mới", 6),
        ("Bảng nhiệm vụ", 7),
    ):
        assert title in cover and f"trang {page}" in cover
    for title, page in (("Tổng quan", 2), ("Giao thông", 3), ("Nông thôn mới", 6)):
        assert title in pdf.pages[page - 1].extract_text()
    assert "Mục lục" in cover and "Dữ liệu minh họa" in cover
    roads = pdf.pages[2].extract_text()
    assert "Việc cần quan tâm" in roads and "Trang 3/7" in roads and "GPMB" in roads
    ntm = pdf.pages[5].extract_text()
    assert "10/19" in ntm
    # Every task of the notice on one page, with the data's alerts under them.
    tasks_page = pdf.pages[6].extract_text()
    assert "Bảng theo dõi các nhiệm vụ của Thông báo" in tasks_page
    for task_id in ("2.1", "2.5", "2.10", "Các kiến nghị"):
        assert task_id in tasks_page
    assert "Cảnh báo từ dữ liệu" in tasks_page
    with_atlas = PdfReader(io.BytesIO(meeting_pack(store, "en", atlas=True, today=TODAY, units="2024")))
    assert len(with_atlas.pages) == 7 + 12
    dong_thang = next(p.extract_text() for p in with_atlas.pages[7:] if "Đồng Thắng" in p.extract_text())
    assert "10 of 19 criteria" in dong_thang and "Page" in dong_thang


def test_cli_export_and_pack(tmp_path, capsys) -> None:
    out = tmp_path / "blocked.geojson"
    assert (
        main(
            [
                "export",
                str(out),
                "--layers",
                "ql4b_segments",
                "--where",
                "clearance_status=blocked",
                "--where",
                "package=8",
                "--codes",
            ]
        )
        == 0
    )
    feats = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert feats and {(f["properties"]["clearance_status"], f["properties"]["package"]) for f in feats} == {
        ("blocked", "8")
    }
    # Without --codes a reader's file: the layer's labels in Vietnamese.
    assert main(["export", str(out), "--layers", "ql4b_segments", "--where", "clearance_status=blocked"]) == 0
    feats = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["Tình trạng GPMB"] for f in feats} == {"Vướng mắc GPMB"}
    assert {f["properties"]["Lớp"] for f in feats} == {"QL4B Km18–Km80: đoạn nâng cấp"}
    assert main(["export", str(tmp_path / "m.png"), "--view", "industry", "--dpi", "50", "--landscape"]) == 0
    assert Image.open(tmp_path / "m.png").size == (int(297 / 25.4 * 50), int(210 / 25.4 * 50))
    assert main(["pack", str(tmp_path / "p.pdf")]) == 0
    assert len(PdfReader(tmp_path / "p.pdf").pages) == 7
    assert main(["export", str(tmp_path / "x.docx")]) == 2
    assert main(["export", str(tmp_path / "x.png"), "--layers", "no_such_layer"]) == 2
    assert main(["export", str(tmp_path / "x.png"), "--bbox", "107,21"]) == 2
    err = capsys.readouterr().err
    assert "unknown format .docx" in err and "no_such_layer" in err and "W,S,E,N" in err
    assert not (tmp_path / "x.png").exists()


def test_export_bytes_dispatches_every_format(frames, prov) -> None:
    req = MapRequest(("units",), "T", dpi=30)
    heads = {"png": b"\x89PNG", "pdf": b"%PDF", "html": b"<!DOCTYPE html>", "gpkg": b"SQLite format 3", "xlsx": b"PK"}
    for fmt, head in heads.items():
        assert export_bytes(fmt, req, frames, prov, set()).startswith(head), fmt
    with pytest.raises(ValueError):
        export_bytes("docx", req, frames, prov, set())


@pytest.mark.parametrize("theme", ["overview", "roads", "industry", "forest", "ntm"])
def test_one_png_per_theme_kept_as_an_artefact(store, prov, theme, artifacts) -> None:
    from geo.model.catalog import view_home, view_layers

    layers, home = view_layers(theme), view_home(theme)
    frames = {lid: store.read(lid) for lid in layers}
    bbox = None
    if home != "district":
        w, s, e, n = store.read(home).total_bounds
        bbox = (w - 0.01, s - 0.01, e + 0.01, n + 0.01)
    png = map_image(MapRequest(layers, f"Đình Lập — {theme}", bbox=bbox, dpi=110), frames, prov)
    (artifacts / f"export-{theme}.png").write_bytes(png)
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert img.std() > 20  # a drawn map, not a blank page


def test_meeting_pack_can_show_what_changed(store, tmp_path) -> None:
    import shutil

    from geo.store.edit import edit

    path = tmp_path / "s.gpkg"
    shutil.copy(store.path, path)
    edit(
        path,
        "ql4b_segments",
        "QL4B-18-20",
        {"clearance_status": "done", "clearance_pct": 100.0},
        user="chuyenvien",
        reason="Biên bản 15/5",
        ts="2024-05-15T08:00:00+00:00",
    )
    pdf = PdfReader(io.BytesIO(meeting_pack(Store(path), "vi", since=dt.date(2024, 5, 1), today=TODAY)))
    assert len(pdf.pages) == 8
    assert "Thay đổi từ lần họp trước trang 8" in pdf.pages[0].extract_text()
    page = pdf.pages[7].extract_text()
    assert "QL4B-18-20" in page and "Vướng mắc GPMB → Đã bàn giao mặt bằng" in page and "chuyenvien" in page
    quiet = PdfReader(io.BytesIO(meeting_pack(Store(path), "vi", since=dt.date(2024, 6, 1), today=TODAY)))
    assert "Không có thay đổi nào kể từ 01/06/2024" in quiet.pages[7].extract_text()


def _saturated_fills(png: Path, box: tuple[float, float, float, float], share: float = 0.005, sat: int = 40) -> int:
    """Distinct saturated colours (quantised) covering at least ``share`` of the ``box`` (fractions, from the
    top left) of an image: how many thematic colours a reader sees on the map."""
    im = Image.open(png).convert("RGB")
    w, h = im.size
    px = np.asarray(im.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h))), dtype=int)
    px = px.reshape(-1, 3)
    chroma = px.max(axis=1) - px.min(axis=1)
    q = px[chroma > sat] // 24
    _, counts = np.unique(q, axis=0, return_counts=True)
    return int((counts > share * len(px)).sum())


def test_the_new_rural_view_is_coloured_by_criteria_met_on_paper_too(vi_pack: PdfReader, tmp_path) -> None:
    from tests.conftest import NOTICE_STORE

    # `export --view ntm`: the communes coloured as on the Nông thôn mới page (the view's named style) ...
    out = tmp_path / "ntm.png"
    assert main(["export", str(out), "--view", "ntm", "--store", str(NOTICE_STORE), "--dpi", "60"]) == 0
    assert _saturated_fills(out, (0.1, 0.15, 0.9, 0.6)) >= 3  # standard, near, 10–14 and under 10: not white
    plain = tmp_path / "plain.png"
    assert main(["export", str(plain), "--layers", "district,units", "--store", str(NOTICE_STORE), "--dpi", "60"]) == 0
    assert _saturated_fills(plain, (0.1, 0.15, 0.9, 0.6)) == 0  # what the view drew before: white communes
    # ... or by one criterion, by its name on the command line.
    one = tmp_path / "crit.png"
    assert main(["export", str(one), "--view", "ntm", "--style", "criterion:17", "--store", str(NOTICE_STORE)]) == 0
    assert main(["export", str(one), "--style", "colourful"]) == 2
    # The pack's theme pages carry the legend, the coordinate system and the sources of their map.
    pdf = vi_pack
    ntm = pdf.pages[5].extract_text()
    assert "Chú giải" in ntm and "Đạt 10–14 tiêu chí" in ntm and "VN-2000" in ntm and "Nguồn" in ntm
    roads = pdf.pages[2].extract_text()
    assert "Vướng mắc GPMB" in roads and "Hệ tọa độ" in roads


def test_a_pack_page_never_writes_past_its_footer(store) -> None:
    from matplotlib.figure import Figure

    from geo.printing.pack import text_block

    fig = Figure(figsize=(11.7, 8.3))
    lines = [f"Dòng {i}: " + "chữ " * 30 for i in range(40)]
    end = text_block(fig, 0.7, 0.89, "Số liệu", lines, "vi", width=44, bottom=0.14)
    ys = [txt.get_position()[1] for txt in fig.texts]
    assert min(ys) >= 0.14 - 1e-9 and end < 0.14 + 0.1
    assert "… và" in fig.texts[-1].get_text() and "mục khác" in fig.texts[-1].get_text()


def _visible_label_boxes(fig, ax) -> list:
    renderer = fig.canvas.get_renderer()
    return [a.get_window_extent(renderer) for a in ax.texts if hasattr(a, "_dl_rank") and a.get_visible()]


def test_a_portrait_sheet_gives_the_map_the_page_and_the_legend_what_it_needs(frames, prov, store) -> None:
    from geo.printing.export import layout

    roads = ("district", "units", "ql4b_segments", "ql4b_stations", "resettlement_sites", "rural_roads")
    every = {lid: store.read(lid) for lid in roads}
    fig, _ = layout(MapRequest(roads, "Giao thông", landscape=False), every, prov)
    map_ax, legend_ax = fig.axes[0], fig.axes[1]
    assert map_ax.get_position().height > 0.6  # no third of the page left empty under a squeezed legend
    assert legend_ax.get_position().height < 0.2
    # The legend's type is legible, every class is in it, and none of its text runs out of its panel.
    renderer = fig.canvas.get_renderer()
    texts = [x for x in legend_ax.texts if x.get_visible()]
    assert min(x.get_fontsize() for x in texts) >= 5.5
    assert {"Vướng mắc GPMB", "Đang GPMB", "Chậm tiến độ", "QL4B: cọc Km"} <= {x.get_text() for x in texts}
    panel = legend_ax.get_window_extent(renderer)
    for x in texts:
        box = x.get_window_extent(renderer)
        assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1 and box.y0 >= panel.y0 - 1, x.get_text()
    # Labels on the map never overlap: the lesser one moves round its point, or gives way.
    boxes = _visible_label_boxes(fig, map_ax)
    assert len(boxes) >= 15
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    plt.close(fig)


def test_the_sheet_turns_to_suit_the_extent(frames) -> None:
    from geo.printing.export import orientation

    wide = MapRequest(("units",), "x", bbox=(106.9, 21.45, 107.35, 21.6), landscape=None)
    tall = MapRequest(("units",), "x", bbox=(107.0, 21.3, 107.1, 21.7), landscape=None)
    assert orientation(wide, frames) is True and orientation(tall, frames) is False
    assert orientation(replace(wide, landscape=False), frames) is False  # what the user chose stands


def _hues(png: Path, box: tuple[float, float, float, float], share: float = 0.0004) -> int:
    """How many distinct hues (15° apart) of saturated colour cover at least ``share`` of ``box``."""
    import colorsys

    im = Image.open(png).convert("RGB")
    w, h = im.size
    px = np.asarray(im.crop((int(box[0] * w), int(box[1] * h), int(box[2] * w), int(box[3] * h))), dtype=float)
    px = px.reshape(-1, 3) / 255
    bins = np.zeros(24)
    for r, g, b in px[(px.max(axis=1) - px.min(axis=1)) > 0.3]:
        hue, _, _ = colorsys.rgb_to_hsv(r, g, b)
        bins[int(hue * 24) % 24] += 1
    return int((bins > share * len(px)).sum())


def test_each_theme_page_of_the_pack_shows_its_thematic_colours(store, artifacts) -> None:
    from geo.printing.pack import _theme_figure, sections
    from geo.read.access import Reader

    reader = Reader(store, True, None)
    secs = sections(reader, "vi")
    frames = {lid: reader.read(lid) for lid in {lid for s in secs for lid in s.layers} if reader.has(lid)}
    prov = Provenance(store.meta(), TODAY)
    fills = {}
    for i, sec in enumerate(secs):
        fig = _theme_figure(reader, frames, sec, "vi", i + 2, 7, prov)
        png = artifacts / f"pack-page-{i + 2}.png"
        fig.savefig(png, dpi=110)  # the page rasterised, as a reader's eye takes it in
        area = (0.03, 0.11, 0.53, 0.85)  # the map's
        fills[sec.title] = (_hues(png, area), _saturated_fills(png, area, 0.01, 20))  # line colours, area fills
    # At the notice's day: QL4B lines by clearance (four statuses); the communes filled by criteria met.
    assert fills["Giao thông"][0] >= 3 and fills["Nông thôn mới"][1] >= 3, fills
    assert fills["Tổng quan"][0] >= 3 and fills["Cụm công nghiệp"][1] >= 2, fills


# -- every view, and a planner's layer, in every format and both languages ------------------------------------
MATRIX_VIEWS = ("overview", "roads", "industry", "forest", "ntm", "planner")
OVERLAY = "khu_dat_so_tnmt"


@pytest.fixture(scope="module")
def matrix_store(tmp_path_factory) -> Path:
    """The notice's store with a planner's own layer, imported as a planner does."""
    import shutil

    from tests import import_files as F
    from tests.conftest import NOTICE_STORE

    folder = tmp_path_factory.mktemp("matrix")
    path = folder / "kho.gpkg"
    shutil.copy(NOTICE_STORE, path)
    polys = F.polygons(folder / "in")
    args = ["import", str(polys), "--new-layer", OVERLAY, "--title", "Khu đất (Sở TN&MT)", "--store", str(path)]
    assert main([*args, "--user", "lan"]) == 0
    return path


def _xlsx_sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in wb.worksheets}


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("view", MATRIX_VIEWS)
def test_every_view_exports_to_every_format_in_both_languages(view, lang, matrix_store, tmp_path, capsys) -> None:
    """No traceback, and each file holds what the map shows: the same layers and counts in every format."""
    import csv
    import zipfile

    import pyogrio

    from geo.model.catalog import view_layers
    from geo.printing.pack import drawn_layers, units_in_force

    store = Store(matrix_store)
    units = units_in_force(store, None)  # a view's map draws the units in force on the data's day
    layers = (OVERLAY, "units") if view == "planner" else drawn_layers(view_layers(view), units, view == "ntm")
    which = ["--layers", ",".join(layers)] if view == "planner" else ["--view", view]
    title = {"vi": "Bản đồ kiểm tra", "en": "Test map"}[lang]
    titles = {store.catalog[lid].title(lang): lid for lid in layers}
    counts: dict[str, dict[str, int]] = {}
    for fmt in ("geojson", "gpkg", "csv", "xlsx", "png", "pdf", "html"):
        out = tmp_path / f"{view}.{fmt}"
        code = main(["export", str(out), *which, "--lang", lang, "--dpi", "50", "--title", title,
                     "--store", str(matrix_store)])  # fmt: skip
        written = Path(capsys.readouterr().out.strip())
        assert code == 0 and written.is_file(), (view, fmt)
        data = written.read_bytes()
        if fmt == "geojson":
            doc = json.loads(data)
            key = t("tables.layer", lang)
            seen = [f["properties"][key] for f in doc["features"]]
            assert set(seen) <= set(titles), set(seen) - set(titles)  # each feature names its layer, in words
            counts[fmt] = {titles[s]: seen.count(s) for s in titles}
            props = set().union(*(f["properties"] for f in doc["features"]))
            assert t("layer.as_of", lang) not in props and "unit_code" not in props  # labels, not identifiers
        elif fmt == "gpkg":
            listed = dict(pyogrio.list_layers(written).tolist())
            counts[fmt] = {lid: len(pyogrio.read_dataframe(written, layer=lid)) for lid in layers if lid in listed}
            assert "nguon_du_lieu" in listed
        elif fmt == "csv":
            assert written.suffix == ".zip"  # several layers: one CSV each, and the provenance
            with zipfile.ZipFile(written) as zf:
                rows = {n[:-4]: list(csv.reader(io.StringIO(zf.read(n).decode("utf-8-sig")))) for n in zf.namelist()}
            counts[fmt] = {lid: len(rows[lid]) - 1 for lid in layers}
            assert rows["nguon_du_lieu"][0][0] == t("tables.layer", lang)
        elif fmt == "xlsx":
            sheets = _xlsx_sheets(data)
            prov = sheets[t("tables.provenance", lang)]
            assert prov[0][:3] == (t("tables.layer", lang), t("tables.layer_id", lang), t("tables.features", lang))
            stated = {r[1]: r[2] for r in prov[1:]}  # what the provenance says of each layer
            contents = sheets.get(t("tables.contents", lang))  # when a title is too long to name its sheet
            renamed = [s for s in titles if len(s) > 31 or any(c in s for c in "[]:*?/\\")]  # Excel forbids
            assert (contents is not None) == bool(renamed), titles
            sheet_of = {full: name for name, full, *_ in (contents or [])[1:]} or {s: s for s in titles}
            assert set(sheet_of.values()) <= set(sheets) and set(titles) <= set(sheet_of)  # every full name
            counts[fmt] = {lid: len(sheets[sheet_of[store.catalog[lid].title(lang)]]) - 1 for lid in layers}
            assert stated == counts[fmt]
        elif fmt == "png":
            assert Image.open(io.BytesIO(data)).size[0] > 100
        elif fmt == "pdf":
            text = _pdf_text(data)
            assert title in text and {"vi": "Chú giải", "en": "Legend"}[lang] in text
        else:
            html = data.decode("utf-8")
            assert f'<html lang="{lang}">' in html and f"<title>{title}</title>" in html
    assert counts["geojson"] == counts["gpkg"] == counts["csv"] == counts["xlsx"], counts
    assert sum(counts["xlsx"].values()) > 0
    if view in ("overview", "planner"):  # the whole district: every feature of every layer
        assert counts["xlsx"] == {lid: len(store.read(lid)) for lid in layers}


# -- text stays text: one corpus of payloads (tests/payloads.py) through every file an export writes ---------
def _payload_frames(store: Store, text: str) -> tuple[dict[str, gpd.GeoDataFrame], dict]:
    """Segments whose cross-section holds every payload, and the planner's layer with ``text`` as its title,
    as a value of one of its columns and as the name of another (a file's own column header).
    """
    from tests.payloads import PAYLOADS

    seg = store.read("ql4b_segments").head(len(PAYLOADS)).copy()
    seg["cross_section"] = list(PAYLOADS.values())
    over = store.read(OVERLAY).copy()
    spec = store.catalog[OVERLAY]
    texts = [f.name for f in spec.fields if f.kind == "str" and f.name != spec.key and f.name in over.columns]
    over[texts[-1]] = text
    over = over.rename(columns={texts[-2]: text})
    catalog = dict(store.catalog)
    catalog[OVERLAY] = replace(catalog[OVERLAY], vi=text, en=text)
    return {"ql4b_segments": seg, OVERLAY: over}, catalog


def _xlsx_text(text: str) -> str:
    """What an XLSX can hold of ``text``: XML 1.0 has no NUL (nor other C0 controls but tab, LF and CR), and
    reads a carriage return as a line feed.
    """
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", text).replace("\r", "\n")


@pytest.mark.parametrize("name", sorted(__import__("tests.payloads").payloads.PAYLOADS))
def test_no_payload_runs_in_a_spreadsheet_and_each_reads_back_as_typed(name, matrix_store) -> None:
    import csv
    import zipfile

    from openpyxl import load_workbook

    from geo.printing.tables import TableRequest, data_bytes
    from tests.payloads import OUTSIDE, PAYLOADS, as_typed, live

    text = PAYLOADS[name]
    frames, catalog = _payload_frames(Store(matrix_store), text)
    for lang in ("vi", "en"):
        req = TableRequest(lang)
        # XLSX: no formula cell, no link, no external part; every text as typed behind the neutralising quote.
        data = data_bytes(frames, "xlsx", catalog, req)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = zf.namelist()
            sheets = [zf.read(n).decode("utf-8") for n in parts if n.startswith("xl/worksheets/")]
            rels = "".join(zf.read(n).decode("utf-8") for n in parts if n.endswith(".rels"))
        assert not [n for n in parts if "externalLink" in n or "connections" in n], parts
        assert 'TargetMode="External"' not in rels and OUTSIDE not in rels
        for xml in sheets:  # no formula element, no hyperlink list
            assert not re.search(r"<f[ >]", xml) and "<hyperlinks" not in xml
        wb = load_workbook(io.BytesIO(data))
        cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
        assert all(c.data_type in ("s", "n", "d") for c in cells)
        assert not [c.value for c in cells if live(c.value)]
        shown = [as_typed(c.value) for c in cells if isinstance(c.value, str)]
        expected = _xlsx_text(text)
        assert shown.count(expected) >= 3, (name, lang)  # the segment's cell, the overlay's cell, its title
        header = [as_typed(str(c.value)) for ws in wb.worksheets for c in next(ws.iter_rows(max_row=1))]
        assert expected in header, (name, "a column named by the file")
        for ws in wb.worksheets:  # a sheet's name is a name: no formula start, none of Excel's forbidden characters
            assert ws.title and not live(ws.title) and not set(ws.title) & set("[]:*?/\\") and len(ws.title) <= 31
        # CSV: the same cells, neutralised the same way; the file holds the text, nothing else.
        archive = zipfile.ZipFile(io.BytesIO(data_bytes(frames, "csv", catalog, req)))
        files = [io.StringIO(archive.read(n).decode("utf-8-sig"), newline="") for n in archive.namelist()]
        rows = [r for f in files for r in csv.reader(f)]
        flat = [c for r in rows for c in r]
        assert not [c for c in flat if live(c)]
        assert sum(as_typed(c) == text for c in flat) >= 4, (name, lang)  # two cells, its title, its column
        # GeoJSON: data for machines, exactly as typed.
        doc = json.loads(data_bytes(frames, "geojson", catalog, req))
        values = [v for f in doc["features"] for v in f["properties"].values()]
        assert values.count(text) >= 3 and any(text in f["properties"] for f in doc["features"])


def test_no_payload_runs_or_fetches_from_a_printed_map_and_each_prints_as_typed(matrix_store, prov) -> None:
    from tests.payloads import PAYLOADS

    store = Store(matrix_store)
    frames, catalog = _payload_frames(store, PAYLOADS["hyperlink"])
    seg = frames["ql4b_segments"].copy()
    seg["clearance_status"] = list(PAYLOADS.values())  # unknown classes: the legend lists each as typed
    title = PAYLOADS["md_link"]
    req = MapRequest(("ql4b_segments", OVERLAY), title, PAYLOADS["math"], catalog=catalog)  # type: ignore[arg-type]
    data = map_image(req, {**frames, "ql4b_segments": seg}, prov, "pdf")
    raw = data.decode("latin1")
    for action in ("/URI", "/JavaScript", "/JS", "/Launch", "/OpenAction", "/SubmitForm", "/GoToR"):
        assert action not in raw, action
    import unicodedata

    def squeezed(s: str) -> str:  # a long label wraps over lines; a full-width sign extracts as its ASCII twin
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))

    text = squeezed(_pdf_text(data))
    for p in [p for k, p in PAYLOADS.items() if k not in ("nul", "long", "bidi")]:
        assert squeezed(p) in text, p
    assert (
        "trước" in text and "sau" in text
    )  # a NUL prints as a blank (a 5,000-character class: as the legend has room)


def test_a_workbook_reads_like_a_spreadsheet_a_planner_made(store) -> None:
    """Real dates shown DD/MM/YYYY, a frozen header row with filters, readable widths, and every sheet's full name."""
    from openpyxl import load_workbook

    from geo.printing.tables import TableRequest, data_bytes

    frames = {lid: store.read(lid) for lid in ("land_disputes", "forest_parcels")}
    wb = load_workbook(io.BytesIO(data_bytes(frames, "xlsx", CATALOG, TableRequest("vi"))))
    long_title = CATALOG["forest_parcels"].title("vi")
    assert len(long_title) > 31
    contents = wb[wb.sheetnames[0]]
    assert contents.title == "Mục lục"
    listed = {r[1]: r[0] for r in contents.iter_rows(min_row=2, values_only=True)}
    assert listed[long_title] in wb.sheetnames and long_title.startswith(listed[long_title])
    assert listed["Điểm tranh chấp đất đai"] == "Điểm tranh chấp đất đai"  # a title that fits is the name
    ws = wb["Điểm tranh chấp đất đai"]
    header = [c.value for c in ws[1]]
    opened = ws.cell(2, header.index("Ngày phát sinh") + 1)
    first = store.read("land_disputes").iloc[0]
    assert opened.is_date and opened.number_format == "DD/MM/YYYY"
    assert opened.value.date() == dt.date.fromisoformat(str(first["opened"])[:10])
    for sheet in wb.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
        assert sheet.auto_filter.ref.endswith(str(sheet.max_row))
        assert all(c.font.b for c in sheet[1])
    widths = {h: ws.column_dimensions[chr(ord("A") + i)].width for i, h in enumerate(header)}
    assert widths["Ngày phát sinh"] >= 12 and widths["Các bên tranh chấp"] > widths["Mã vụ việc"]
    assert max(widths.values()) <= 62


def test_a_very_long_title_stays_on_the_sheet_and_clear_of_the_demo_badge(frames, prov, store) -> None:
    roads = ("district", "units", "ql4b_segments", "ql4b_stations", "resettlement_sites", "rural_roads")
    every = {lid: store.read(lid) for lid in roads}
    title = "Giao thông Đình Lập " * 300  # typed or pasted into the export box: 6,000 characters
    fig, _ = layout(MapRequest(roads, title, landscape=False), every, prov)
    renderer = fig.canvas.get_renderer()
    sheet = fig.bbox
    shown = next(x for x in fig.texts if x.get_text().startswith("Giao thông Đình Lập"))
    box = shown.get_window_extent(renderer)
    assert box.x1 <= sheet.x1 and shown.get_text().endswith("…")
    badge = next(x for x in fig.texts if x.get_text() == "Dữ liệu minh họa")
    assert box.x1 < badge.get_window_extent(renderer).x0  # the title reads, and so does the badge

"""The atlas: one page per selected feature, with its map, its record as the reader may see it, its history."""

from __future__ import annotations

import datetime as dt
import io
import shutil

import pytest
from pypdf import PdfReader

from geo.command.cli import main
from geo.printing.atlas import AtlasError, atlas
from geo.read import history
from geo.read.access import Reader
from geo.read.filters import apply_filters
from geo.store.edit import edit
from geo.store.reads import Store
from geo.webmap.mapview import feature_keys

TODAY = dt.date(2026, 11, 25)


def _pages(blob: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(blob)).pages]


def test_every_blocked_segment_gets_its_page_from_the_command_line(store, tmp_path) -> None:
    out = tmp_path / "blocked.pdf"
    assert main(["atlas", str(out), "--layer", "ql4b_segments", "--where", "clearance_status=blocked",
                 "--store", str(store.path)]) == 0  # fmt: skip
    pages = [p.extract_text() for p in PdfReader(out).pages]
    blocked = store.read("ql4b_segments").query("clearance_status == 'blocked'").seg_id.tolist()
    assert len(blocked) == 11 and len(pages) == 1 + 11  # a contents page, then one page per segment
    assert "11 đối tượng" in pages[0] and "Tình trạng GPMB = Vướng mắc GPMB" in pages[0]
    for seg_id, text in zip(blocked, pages[1:], strict=True):
        assert f"QL4B Km18–Km80: đoạn nâng cấp — {seg_id}" in text  # the page is the feature's
        assert "Vướng mắc GPMB" in text and "Thông tin đối tượng" in text and "Lịch sử thay đổi" in text
        assert "VN-2000" in text and "Dữ liệu minh họa" in text
    assert main(["atlas", str(tmp_path / "none.pdf"), "--layer", "ql4b_segments", "--where",
                 "clearance_status=nothing", "--store", str(store.path)]) == 2  # fmt: skip
    assert not (tmp_path / "none.pdf").exists()
    assert main(["atlas", str(tmp_path / "x.pdf"), "--layer", "no_such_layer"]) == 2


def test_a_page_shows_the_feature_s_history_latest_first(store, tmp_path) -> None:
    path = tmp_path / "s.gpkg"
    shutil.copy(store.path, path)
    edit(path, "land_disputes", "TC-03", {"status": "mediating"}, user="chuyenvien", reason="Hòa giải lần 1",
         ts="2024-05-15T08:00:00+00:00")  # fmt: skip
    edit(path, "land_disputes", "TC-03", {"status": "resolved", "resolved": "2024-06-20"}, user="chuyenvien",
         reason="Biên bản hòa giải thành", ts="2024-06-20T08:00:00+00:00")  # fmt: skip
    text = _pages(atlas(Store(path), "land_disputes", keys=["TC-03"], today=TODAY))[1]
    assert text.index("20/06/2024") < text.index("15/05/2024")  # the latest first
    assert "Biên bản hòa giải thành" in text and "Đang hòa giải/giải quyết → Đã giải quyết" in text


def test_a_viewer_s_atlas_leaves_out_what_a_viewer_may_not_see(store) -> None:
    parties = str(store.read("land_disputes").set_index("dispute_id").loc["TC-01", "parties"])
    planner = _pages(atlas(store, "land_disputes", {"status": ["open"]}, today=TODAY))
    viewer = _pages(atlas(store, "land_disputes", {"status": ["open"]}, sensitive=False, today=TODAY))
    assert any(parties.split(";")[0] in p for p in planner)
    assert not any(parties.split(";")[0] in p for p in viewer) and len(viewer) == len(planner)


def test_a_selection_that_makes_no_atlas_says_why(store) -> None:
    with pytest.raises(AtlasError, match="Không có đối tượng nào"):
        atlas(store, "land_disputes", {"status": ["nothing"]})
    with pytest.raises(AtlasError, match="No map layer"):
        atlas(store, "tasks", lang="en")  # a table, not a map layer
    assert len(_pages(atlas(store, "land_disputes", keys=["TC-01", "TC-02"], today=TODAY))) == 3


def test_an_atlas_page_as_a_reader_sees_it(store, artifacts) -> None:
    from geo.printing.atlas import CONTEXT, NEAR, _feature_page
    from geo.printing.export import Provenance
    from geo.read.access import Reader
    from geo.webmap.mapview import clean_geometries, feature_keys

    reader = Reader(store, True, None)
    whole = clean_geometries(reader.read("land_disputes"))
    keys = feature_keys(store.catalog["land_disputes"], whole)
    frames = {lid: reader.read(lid) for lid in (*CONTEXT, *NEAR["land_disputes"])} | {"land_disputes": whole}
    fig = _feature_page(reader, frames, "land_disputes", whole.iloc[keys.index("TC-03")], "TC-03", "vi", 2, 3,
                        Provenance(store.meta(), TODAY), {})  # fmt: skip
    fig.savefig(artifacts / "atlas-page-TC-03.png", dpi=90)
    texts = [x.get_text() for x in fig.texts]
    assert "Điểm tranh chấp đất đai — TC-03" in texts and "Thông tin đối tượng" in texts
    map_ax = fig.axes[0]
    x0, x1 = map_ax.get_xlim()
    assert x1 - x0 < 20_000  # a scale that fits the feature (metres in VN-2000), not the whole district


def test_the_store_picks_an_atlas_s_features_by_its_text_fields_and_the_filter_has_the_last_word(any_store) -> None:
    store = Store(any_store)
    spec = store.catalog["ql4b_segments"]
    planner = Reader(store, True, units="2025")
    where = {"clearance_status": ["blocked", "in_progress"], "package": ["8"]}
    passing = feature_keys(spec, apply_filters(spec, planner.read("ql4b_segments"), where))
    assert passing and planner.keys_where("ql4b_segments", where) == passing  # chosen by the database, in order
    assert planner.keys_where("ql4b_segments", {"clearance_status": ["nothing"]}) == []
    assert planner.keys_where("ql4b_segments", {"clearance_status": []}) is None  # an empty choice filters nothing
    # What the store holds otherwise than a reader sees it is left to the filter: a unit regrouped by the reform,
    # a number, a past day, and for a viewer a sensitive field (choosing by it would tell what it holds).
    assert planner.keys_where("ql4b_segments", {"unit_code": ["DL-DINHLAP"]}) is None
    assert planner.keys_where("ql4b_segments", {"km_from": [18.0]}) is None
    at_notice = Reader(store, True, history.moment(dt.date(2024, 4, 24)))
    assert at_notice.keys_where("ql4b_segments", {"clearance_status": ["blocked"]}) is None
    assert Reader(store, False).keys_where("land_disputes", {"parties": ["x"]}) is None
    # The atlas of a selection is the same, page for page, whoever chose its features.
    pages = _pages(atlas(store, "ql4b_segments", where, today=TODAY))
    assert len(pages) == 1 + len(passing)
    for key, text in zip(passing, pages[1:], strict=True):
        assert f"— {key}" in text

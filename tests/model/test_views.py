"""Saved views and the tracker: every link points at something the store holds; task texts are the notice's."""

from __future__ import annotations

import json

import pytest

from geo.command.cli import main
from geo.model.catalog import CATALOG
from geo.model.views import parse_links, tasks_from_frame, views_from_frame
from geo.read.filters import choices, filter_fields
from geo.store.reads import Store
from tests.app.test_app import PAGES

URL_PAGES = {
    "": "pages/overview.py",
    "giao-thong": "pages/giao_thong.py",
    "cum-cong-nghiep": "pages/cum_cong_nghiep.py",
    "dat-lam-nghiep": "pages/dat_lam_nghiep.py",
    "nong-thon-moi": "pages/nong_thon_moi.py",
}
SHIPPED = {"tong-quan", "ql4b-gpmb", "cum-cong-nghiep", "dat-lam-nghiep", "dong-thang-ntm", "ntm-huyen"}


@pytest.fixture(scope="module")
def views(store: Store):
    return views_from_frame(store.read("views"))


@pytest.fixture(scope="module")
def tasks(store: Store):
    return tasks_from_frame(store.read("tasks"))


def test_the_issue_s_views_are_shipped(views) -> None:
    assert {v.id for v in views} == SHIPPED
    assert [v.order for v in views] == sorted(v.order for v in views)


def test_every_view_opens_something_that_exists(views, store: Store) -> None:
    district = store.read("district").total_bounds
    for v in views:
        assert URL_PAGES[v.page] in PAGES, v.id
        assert v.layers, v.id  # a view names what it shows
        assert all(lid in CATALOG and CATALOG[lid].is_spatial and store.has(lid) for lid in v.layers), v.id
        w, s, e, n = v.bbox
        assert w < e and s < n and w < district[2] and e > district[0] and s < district[3] and n > district[1], v.id
        if v.selected:
            lid, key = v.selected
            assert key in set(store.read(lid)[CATALOG[lid].key].astype(str)), v.id
        for lid, flt in v.filters.items():
            kinds = {f.name: f.kind for f in filter_fields(CATALOG[lid])}
            for name, values in flt.items():
                assert kinds[name] == "choice" and set(values) <= set(choices(CATALOG[lid], store.read(lid), name))


def test_tasks_are_the_notice_s_sections_in_its_own_words(tasks, notice_text: str) -> None:
    assert [t.id for t in tasks] == [f"2.{i}" for i in range(1, 11)] + ["3"]
    for t in tasks:
        assert t.text in notice_text, t.id
        assert t.status in {s.value for s in CATALOG["tasks"].statuses}
    assert "Km18 - Km80, Quốc lộ 4B" in next(t.text for t in tasks if t.id == "2.2")
    assert "Đồng Thắng" in next(t.text for t in tasks if t.id == "2.10")


def test_every_task_links_to_something_in_the_store(tasks, store: Store) -> None:
    indicators = set(store.read("indicators").ind_id)
    for t in tasks:
        assert t.links, t.id
        for link in t.links:
            if link.kind == "indicator":
                assert link.target in indicators, (t.id, link)
            else:
                assert store.has(link.target), (t.id, link)
                if link.kind == "feature":
                    assert link.key in set(store.read(link.target)[CATALOG[link.target].key].astype(str)), (t.id, link)
    must = {
        "2.2": "ql4b_segments",
        "2.4": "cluster_plots",
        "2.6": "land_disputes",
        "2.7": "ntm_commune",
        "2.8": "accidents",
        "2.10": "units",
    }
    for task_id, layer in must.items():
        assert layer in {link.target for link in next(t for t in tasks if t.id == task_id).links}, task_id


def test_link_parsing() -> None:
    links = parse_links("layer:units; feature:units:06643;indicator:dong_thang_ntm")
    assert [(x.kind, x.target, x.key) for x in links] == [
        ("layer", "units", ""),
        ("feature", "units", "06643"),
        ("indicator", "dong_thang_ntm", ""),
    ]


def test_cli_lists_views(capsys) -> None:
    assert main(["views", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["id"] for r in rows} == SHIPPED
    assert main(["views"]) == 0
    assert "/nong-thon-moi?view=dong-thang-ntm" in capsys.readouterr().out


def test_a_view_shows_its_named_style_or_its_page_s(views) -> None:
    from dataclasses import replace

    ntm = next(v for v in views if v.page == "nong-thon-moi")
    assert ntm.style == () and ntm.color_by() == (("units", "ntm_class"),)  # the page's default colouring
    one = replace(ntm, style=("criterion:17",))
    assert one.color_by() == (("units", "criterion_met"),)
    roads = next(v for v in views if v.page == "giao-thong")
    assert roads.color_by() == (("ql4b_segments", "clearance_status"),)
    assert replace(roads, style=("construction",)).color_by() == (("ql4b_segments", "construction_status"),)
    assert replace(roads, style=("a-style-of-a-newer-version",)).color_by() == ()  # drawn by status, no error

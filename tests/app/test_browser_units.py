"""The 2025 switch in a real browser: Nông thôn mới by the 2024 units and by the communes of 1/7/2025."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from geo.store.reads import DEFAULT_STORE
from tests.browser import ms, streamlit_server, visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with streamlit_server(DEFAULT_STORE) as url:
        yield url


def _count(layer: str) -> str:
    return f"Object.values(map._layers).filter(l => l.feature && l.feature.properties._l === '{layer}').length"


def test_the_units_switch_regroups_the_new_rural_page(browser: Browser, app_url: str, artifacts) -> None:
    v = visit(browser, f"{app_url}/nong-thon-moi")
    v.map_frame()
    sidebar = v.page.locator('[data-testid="stSidebar"]')
    # Today is after 1/7/2025: the new communes by default, drawn over the 2024 units the criteria belong to.
    assert sidebar.get_by_role("radio", name="Từ 1/7/2025 (4 xã)").is_checked()
    v.wait_for_map(f"{_count('communes_2025')} === 4 && {_count('units')} === 12")
    scorecard = v.page.locator('[data-testid="stDataFrame"]').first
    scorecard.wait_for(timeout=ms(20))
    v.page.locator(".dl-side-legend", has_text="Xã (từ 1/7/2025)").wait_for(timeout=ms(20))  # beside the map
    v.page.get_by_text("không đánh giá theo 19 tiêu chí xã").first.wait_for(timeout=ms(20))  # the towns
    v.page.screenshot(path=str(artifacts / "units-2025-nong-thon-moi.png"), full_page=True)
    # The 2024 units: the communes' outline goes.
    sidebar.get_by_text("2024 (12 xã, thị trấn)").click()
    v.wait_idle()
    v.wait_for_map(f"{_count('communes_2025')} === 0 && {_count('units')} === 12")
    v.page.close()
    # On Đất lâm nghiệp by the new communes, the disputes' commune filter offers the 4 communes.
    v = visit(browser, f"{app_url}/dat-lam-nghiep")
    v.map_frame()
    v.wait_for_map(f"{_count('communes_2025')} === 4 && {_count('units')} === 0")
    panel = v.page.locator('[data-testid="stExpander"]', has_text="Điểm tranh chấp đất đai")
    if panel.locator("details").first.get_attribute("open") is None:  # the page opens it when few layers show
        panel.locator("summary").first.click()  # (a click on an open one closes it, a moment later)
    panel.get_by_text("Xã Châu Sơn (06637)").wait_for(timeout=ms(20))
    assert panel.locator("details").first.get_attribute("open") is not None
    text = panel.inner_text()
    assert "Xã Châu Sơn (06637)" in text and "Xã Đồng Thắng" not in text
    v.page.screenshot(path=str(artifacts / "units-2025-dat-lam-nghiep.png"), full_page=True)
    assert v.external_requests() == [] and v.page_errors == []
    v.page.close()

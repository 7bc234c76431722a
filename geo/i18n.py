"""One catalog of user-facing strings (Vietnamese first, English) and the
vi-VN / en number and date formats.

Every label, legend entry and message shown to a user comes from here or from
the layer catalog (which carries its own vi/en titles). Identifiers stay English.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")

MESSAGES: dict[str, dict[Lang, str]] = {
    "app.title": {"vi": "Bản đồ điều hành huyện Đình Lập", "en": "Đình Lập district operations map"},
    "app.subtitle": {
        "vi": "Theo dõi thực hiện Thông báo kết luận kiểm tra ngày 24/4/2024 của UBND tỉnh Lạng Sơn",
        "en": "Following up the Lạng Sơn People's Committee inspection of 24 April 2024",
    },
    "nav.overview": {"vi": "Tổng quan", "en": "Overview"},
    "nav.roads": {"vi": "Giao thông", "en": "Roads"},
    "nav.industry": {"vi": "Cụm công nghiệp", "en": "Industrial cluster"},
    "nav.forest": {"vi": "Đất lâm nghiệp", "en": "Forest land"},
    "nav.ntm": {"vi": "Nông thôn mới", "en": "New-rural criteria"},
    "nav.indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "nav.meeting": {"vi": "Giao ban", "en": "Briefing"},
    "nav.data": {"vi": "Dữ liệu", "en": "Data"},
    "sidebar.lang": {"vi": "Ngôn ngữ / Language", "en": "Ngôn ngữ / Language"},
    "sidebar.basemap": {"vi": "Nền bản đồ", "en": "Basemap"},
    "basemap.none": {"vi": "Không (ngoại tuyến)", "en": "None (offline)"},
    "basemap.osm": {"vi": "OpenStreetMap (cần Internet)", "en": "OpenStreetMap (needs internet)"},
    "basemap.satellite": {"vi": "Ảnh vệ tinh Esri (cần Internet)", "en": "Esri satellite (needs internet)"},
    "sidebar.store": {"vi": "Kho dữ liệu", "en": "Data store"},
    "demo.badge": {"vi": "Dữ liệu minh họa", "en": "Demo data (Dữ liệu minh họa)"},
    "demo.note": {
        "vi": "Hình học do nhóm phát triển vẽ theo sơ đồ, không phải ranh giới chính thức. "
        "Số liệu chỉ tiêu lấy đúng theo Thông báo kết luận (mục 1).",
        "en": "Geometry is schematic, drawn by the development team, not official boundaries. "
        "Indicator figures are exactly those of the notice (section 1).",
    },
    "map.layers": {"vi": "Lớp bản đồ", "en": "Map layers"},
    "map.legend": {"vi": "Chú giải", "en": "Legend"},
    "map.selected": {"vi": "Đối tượng đã chọn", "en": "Selected feature"},
    "map.click_hint": {
        "vi": "Bấm vào một đối tượng trên bản đồ để xem thông tin.",
        "en": "Click a feature on the map to see its record.",
    },
    "map.no_layers": {"vi": "Chưa chọn lớp nào.", "en": "No layer selected."},
    "figures.title": {"vi": "Số liệu chính quý I/2024", "en": "Headline figures, Q1 2024"},
    "figures.source": {"vi": "Nguồn: Thông báo kết luận, mục {section}", "en": "Source: the notice, section {section}"},
    "figures.show_quotes": {"vi": "Hiện nguyên văn Thông báo", "en": "Show the notice's wording"},
    "layer.features": {"vi": "{n} đối tượng", "en": "{n} features"},
    "layer.as_of": {"vi": "Cập nhật", "en": "As of"},
    "layer.source": {"vi": "Nguồn", "en": "Source"},
    "layer.demo": {"vi": "Minh họa", "en": "Demo"},
    "layer.licence": {"vi": "Giấy phép", "en": "Licence"},
    "page.todo_theme": {
        "vi": "Trang chuyên đề đầy đủ (bộ lọc, bảng, bảng chỉ tiêu liên kết) đang được xây dựng; "
        "bản đồ dưới đây đã hiển thị các lớp của chuyên đề.",
        "en": "The full thematic page (filters, table, linked indicators) is being built; "
        "the map below already shows this theme's layers.",
    },
    "meeting.intro": {
        "vi": "Các nhiệm vụ trong Thông báo kết luận (mục 2 và 3). Chế độ trình chiếu đang được xây dựng.",
        "en": "The tasks of the notice (sections 2 and 3). Presentation mode is being built.",
    },
    "data.intro": {
        "vi": "Các lớp dữ liệu trong kho, nguồn, ngày cập nhật và trạng thái minh họa.",
        "en": "Layers in the store, their source, as-of date and demo status.",
    },
    "ntm.criteria_met": {"vi": "Số tiêu chí đạt", "en": "Criteria met"},
    "ntm.of": {"vi": "{met}/{total} tiêu chí", "en": "{met} of {total} criteria"},
    "error.store_missing": {
        "vi": "Không tìm thấy kho dữ liệu {path}. Chạy `make run` hoặc `python -m geo build-demo`.",
        "en": "Data store {path} not found. Run `make run` or `python -m geo build-demo`.",
    },
    "error.store_unreadable": {
        "vi": "Không đọc được kho dữ liệu {path}: {reason}",
        "en": "Cannot read the data store {path}: {reason}",
    },
    "error.unknown_layer": {"vi": "Không có lớp '{layer}' trong danh mục.", "en": "No layer '{layer}' in the catalog."},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
}


def t(key: str, lang: Lang = "vi", **kwargs: object) -> str:
    """Return the message ``key`` in ``lang``, formatted with ``kwargs``.

    An unknown key raises ``KeyError``: a missing string is a bug to see in
    tests, not a blank on a leader's screen.
    """
    text = MESSAGES[key][lang]
    return text.format(**kwargs) if kwargs else text


def _group(int_part: str, sep: str) -> str:
    out: list[str] = []
    while len(int_part) > 3:
        out.insert(0, int_part[-3:])
        int_part = int_part[:-3]
    out.insert(0, int_part)
    return sep.join(out)


def fmt_number(value: float | int | None, lang: Lang = "vi", decimals: int | None = None) -> str:
    """Format a number the Vietnamese way (``71.070``; ``170,7``) or the English way.

    ``decimals=None`` keeps up to two significant decimals and drops trailing zeros.

    Examples
    --------
    >>> fmt_number(71070)
    '71.070'
    >>> fmt_number(170.7)
    '170,7'
    >>> fmt_number(1234.5, "en")
    '1,234.5'

    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    thousands, point = (".", ",") if lang == "vi" else (",", ".")
    text = f"{abs(value):.{2 if decimals is None else decimals}f}"
    int_part, _, frac = text.partition(".")
    if decimals is None:
        frac = frac.rstrip("0")
    sign = "-" if value < 0 and float(text) != 0 else ""
    return sign + _group(int_part, thousands) + (point + frac if frac else "")


def fmt_pct(value: float | None, lang: Lang = "vi", decimals: int | None = None) -> str:
    """Format a percentage: ``36,71%`` (vi) or ``36.71%`` (en)."""
    return "–" if value is None else fmt_number(value, lang, decimals) + "%"


def fmt_date(value: dt.date | str | None, lang: Lang = "vi") -> str:
    """Format a date as ``24/04/2024`` (vi) or ``2024-04-24`` (en)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()

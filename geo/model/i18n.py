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
    "data.versions_age": {
        "vi": "Các trang đang mở được báo thay đổi của kho: lần kiểm tra gần nhất cách đây {s} giây.",
        "en": "Open pages are told of the store's changes: last checked {s} seconds ago.",
    },
    "demo.badge": {"vi": "Dữ liệu minh họa", "en": "Demo data (Dữ liệu minh họa)"},
    "demo.partly": {
        "vi": "Dữ liệu minh họa một phần ({n}/{m} đối tượng)",
        "en": "Partly demo data ({n} of {m} features)",
    },
    "demo.note": {
        "vi": "Hình học do nhóm phát triển vẽ theo sơ đồ, không phải ranh giới chính thức. "
        "Số liệu chỉ tiêu lấy đúng theo Thông báo kết luận (mục 1).",
        "en": "Geometry is schematic, drawn by the development team, not official boundaries. "
        "Indicator figures are exactly those of the notice (section 1).",
    },
    "map.layers": {"vi": "Lớp bản đồ", "en": "Map layers"},
    "map.legend": {"vi": "Chú giải", "en": "Legend"},
    "map.selected": {"vi": "Đối tượng đã chọn", "en": "Selected feature"},
    "map.aria": {
        "vi": "Bản đồ. Phím mũi tên: di chuyển; phím + và −: phóng to, thu nhỏ. "
        "Danh sách đối tượng trong khung nhìn ở góc trên bên trái.",
        "en": "Map. Arrow keys pan; + and − zoom. The list of features in view is at the top left.",
    },
    "map.role": {"vi": "bản đồ", "en": "map"},
    "map.zoom_in": {"vi": "Phóng to", "en": "Zoom in"},
    "map.zoom_out": {"vi": "Thu nhỏ", "en": "Zoom out"},
    "map.list": {"vi": "Danh sách đối tượng", "en": "Features in view"},
    "map.list_count": {"vi": "{n} đối tượng trong khung nhìn", "en": "{n} features in view"},
    "map.list_more": {
        "vi": "… và {n} đối tượng khác: phóng to để xem.",
        "en": "… and {n} more: zoom in to list them.",
    },
    "map.list_empty": {"vi": "Không có đối tượng nào trong khung nhìn.", "en": "No feature in view."},
    "map.two_fingers": {
        "vi": "Dùng hai ngón tay để di chuyển và phóng to bản đồ",
        "en": "Use two fingers to move and zoom the map",
    },
    "sidebar.projector": {"vi": "Chế độ máy chiếu", "en": "Projector mode"},
    "sidebar.projector_help": {
        "vi": "Bản đồ lớn ngay đầu trang, chữ trên bản đồ to, chú giải mở sẵn: cho phòng họp 1920×1080.",
        "en": "A big map at the top of the page, large map labels, the legend open: for a 1920×1080 meeting room.",
    },
    "page.skip": {"vi": "Đến danh sách đối tượng của bản đồ", "en": "Skip to the map's list of features"},
    "map.click_hint": {
        "vi": "Bấm vào một đối tượng trên bản đồ để xem thông tin.",
        "en": "Click a feature on the map to see its record.",
    },
    "map.no_layers": {"vi": "Chưa chọn lớp nào.", "en": "No layer selected."},
    "filters.title": {"vi": "Lọc theo thuộc tính", "en": "Filter by attribute"},
    "filters.all": {"vi": "Tất cả", "en": "All"},
    # what an empty list or choice says (Streamlit's own "Choose an option" is English only)
    "choose": {"vi": "Chọn…", "en": "Choose…"},
    "filters.empty": {"vi": "(trống)", "en": "(empty)"},
    "filters.outside": {"vi": "Ngoài huyện Đình Lập", "en": "Outside Đình Lập"},
    "filters.count": {"vi": "Đang hiện {text}", "en": "Showing {text}"},
    "map.opacity": {"vi": "Độ đậm các lớp chuyên đề", "en": "Theme layers' opacity"},
    "map.clear": {"vi": "Bỏ chọn", "en": "Clear selection"},
    "map.card_close": {"vi": "Đóng thẻ thông tin", "en": "Close the card"},
    "map.card_more": {
        "vi": "Hồ sơ đầy đủ ở mục “{section}”.",
        "en": "The full record is under “{section}”.",
    },
    "contrib.title": {"vi": "Đóng góp vào số liệu đang hiện", "en": "Contribution to the figures shown"},
    "contrib.all_shown": {"vi": "tất cả đang hiện", "en": "all shown"},
    "table.layer": {"vi": "Bảng thuộc tính", "en": "Attribute table"},
    "table.first_rows": {
        "vi": "Bảng hiện {n} / {total} dòng đầu. Lọc để thu hẹp, hoặc xuất dữ liệu (Xuất bản đồ) để có đủ.",
        "en": "The table shows the first {n} of {total} rows. Filter to narrow it, or export the data to get them all.",
    },
    "roads.color_by": {"vi": "Tô màu QL4B theo", "en": "Colour QL4B by"},
    "roads.ql4b": {
        "vi": "Nâng cấp QL4B Km18–Km80: giải phóng mặt bằng",
        "en": "QL4B Km18–Km80 upgrade: site clearance",
    },
    "roads.km_cleared": {"vi": "Chiều dài đã GPMB (quy đổi)", "en": "Length cleared (weighted)"},
    "roads.km": {"vi": "Chiều dài (km)", "en": "Length (km)"},
    "roads.km_cleared_short": {"vi": "km đã GPMB", "en": "km cleared"},
    "roads.households": {"vi": "Hộ đã chi trả / bị ảnh hưởng", "en": "Households compensated / affected"},
    "roads.blocked": {"vi": "Đoạn vướng mắc GPMB", "en": "Segments with blocked clearance"},
    "roads.segments": {"vi": "đoạn", "en": "segments"},
    "roads.segments_shown": {"vi": "Số đoạn đang hiện", "en": "Segments shown"},
    "roads.of_route": {"vi": "trên tuyến Km18–Km80", "en": "on Km18–Km80"},
    "roads.by_package": {"vi": "Theo gói thầu", "en": "By works package"},
    "roads.by_commune": {"vi": "Theo xã, thị trấn (phần trong huyện)", "en": "By commune (inside the district)"},
    "roads.cement": {
        "vi": "Xi măng làm đường GTNT: kế hoạch và đã cấp",
        "en": "Rural-road cement: planned and delivered",
    },
    "roads.late_communes": {"vi": "Chậm tiến độ: {names}", "en": "Behind schedule: {names}"},
    "roads.accidents": {"vi": "Tai nạn giao thông", "en": "Traffic accidents"},
    "roads.period": {"vi": "Kỳ so sánh", "en": "Period"},
    "roads.accidents_period": {"vi": "Số vụ từ {start} đến {end}", "en": "Cases from {start} to {end}"},
    "roads.vs_last_year": {
        "vi": "cùng kỳ năm trước: {previous} ({change})",
        "en": "same period last year: {previous} ({change})",
    },
    "industry.cluster_area": {"vi": "Diện tích cụm", "en": "Cluster area"},
    "industry.plots_area": {"vi": "các lô đang hiện: {area} ha", "en": "plots shown: {area} ha"},
    "industry.occupancy": {"vi": "Tỷ lệ lấp đầy", "en": "Occupancy"},
    "industry.cleared": {"vi": "Đã giải phóng mặt bằng", "en": "Site cleared"},
    "industry.resin": {"vi": "Nhà máy chế biến nhựa thông", "en": "Pine-resin plant"},
    "industry.n_plots": {"vi": "Số lô", "en": "Plots"},
    "forest.by_commune": {
        "vi": "Diện tích bàn giao theo xã và tình trạng",
        "en": "Area handed over by commune and status",
    },
    "forest.disputes": {"vi": "Tranh chấp đất đai giữa hộ gia đình và Công ty", "en": "Land disputes with the company"},
    "forest.open": {"vi": "Vụ việc chưa giải quyết xong", "en": "Cases not yet resolved"},
    "forest.resolved": {"vi": "Vụ việc đã giải quyết", "en": "Cases resolved"},
    "forest.oldest": {"vi": "Tồn đọng lâu nhất (tính đến {day})", "en": "Open longest (as of {day})"},
    "forest.days": {"vi": "{n} ngày", "en": "{n} days"},
    "forest.days_open": {"vi": "Số ngày", "en": "Days open"},
    "ntm.color_by": {"vi": "Tô màu xã theo", "en": "Colour communes by"},
    "ntm.scorecard": {"vi": "Bảng tiêu chí 10 xã × 19 tiêu chí", "en": "Scorecard: 10 communes × 19 criteria"},
    "ntm.scorecard_hint": {
        "vi": "Bấm một dòng để mở thẻ của xã; bấm tiêu đề cột (số tiêu chí) để tô bản đồ theo tiêu chí đó.",
        "en": "Click a row to open the commune's card; click a column (criterion number) to colour the map by it.",
    },
    "ntm.unit": {"vi": "Xã, thị trấn", "en": "Unit"},
    "ntm.target_year": {"vi": "Năm phấn đấu đạt chuẩn: {year}", "en": "Target year: {year}"},
    "ntm.missing": {"vi": "Tiêu chí chưa đạt", "en": "Criteria not met"},
    "ntm.dong_thang_notice": {
        "vi": "Thông báo (mục 1, 2.10): Đồng Thắng đạt 10/19 tiêu chí, phấn đấu đạt chuẩn năm 2024; tập trung vào "
        "giảm tỷ lệ hộ nghèo (11), vệ sinh môi trường (17), thông tin và truyền thông (8).",
        "en": "The notice (sections 1, 2.10): Đồng Thắng meets 10 of 19 and aims for 2024; focus on poverty (11), "
        "environment (17), information and communications (8).",
    },
    "ntm.district": {"vi": "Tiêu chí huyện nông thôn mới", "en": "District new-rural criteria"},
    "ntm.district_notice": {
        "vi": "Thông báo (mục 2.5): huyện phấn đấu đạt chuẩn năm 2025; chưa đạt về đường giao thông, y tế, chợ.",
        "en": "The notice (section 2.5): the district aims for 2025; transport, health and the market are not met.",
    },
    "ntm.criterion": {"vi": "Tiêu chí", "en": "Criterion"},
    "ntm.met": {"vi": "Đạt", "en": "Met"},
    "attention.title": {"vi": "Việc cần quan tâm", "en": "What needs attention"},
    "attention.segment": {"vi": "QL4B: đoạn chậm GPMB nhất", "en": "QL4B: segments furthest behind"},
    "attention.dispute": {"vi": "Tranh chấp tồn đọng lâu nhất", "en": "Disputes open longest"},
    "attention.commune": {"vi": "Xã còn xa chuẩn nông thôn mới nhất", "en": "Communes furthest from the standard"},
    "attention.segment_item": {"vi": "{item}: GPMB {pct}%", "en": "{item}: {pct}% cleared"},
    "attention.dispute_item": {"vi": "{item}: {days} ngày", "en": "{item}: {days} days"},
    "attention.commune_item": {"vi": "{name}: {met}/19 tiêu chí", "en": "{name}: {met}/19 criteria"},
    "indicators.intro": {
        "vi": "Mọi số liệu tại mục 1 của Thông báo, đúng nguyên văn; bấm liên kết để xem trên bản đồ.",
        "en": "Every figure of section 1 of the notice, as written; follow a link to see it on the map.",
    },
    "indicators.pct_axis": {"vi": "% đạt so với chỉ tiêu/kế hoạch", "en": "% of target or plan"},
    "export.scale_rf": {"vi": "Tỉ lệ 1:{n}", "en": "Scale 1:{n}"},
    "export.scale": {"vi": "Tỉ lệ in", "en": "Print scale"},
    "export.scale_fit": {"vi": "Vừa khổ giấy", "en": "Fit to the sheet"},
    "export.grid": {"vi": "Lưới km VN-2000", "en": "VN-2000 km grid"},
    "export.tile": {"vi": "In thành nhiều tờ (tập bản đồ)", "en": "Print on several sheets (an atlas)"},
    "export.sheets": {
        "vi": "Ở tỉ lệ {rf}, phạm vi này cần {n} tờ {paper} ({cols} × {rows}): chọn tỉ lệ nhỏ hơn, khổ lớn hơn, "
        "một tâm (--center) hoặc in thành nhiều tờ (--tile).",
        "en": "At {rf} this extent needs {n} {paper} sheets ({cols} × {rows}): choose a smaller scale, larger "
        "paper, a centre (--center), or print it on several sheets (--tile).",
    },
    "export.sheets_app": {
        "vi": "Ở tỉ lệ này, phạm vi đang xem cần {n} tờ {paper} ({cols} × {rows}); tờ in ra lấy tâm là giữa bản đồ.",
        "en": "At this scale the extent in view needs {n} {paper} sheets ({cols} × {rows}); the sheet printed is "
        "centred on the map.",
    },
    "export.sheet_n": {"vi": "Tờ {n}/{total}", "en": "Sheet {n} of {total}"},
    "export.date": {"vi": "Ngày xuất", "en": "Exported"},
    "export.at": {"vi": "Số liệu tại ngày", "en": "Data as at"},
    "ntm.towns_not_assessed": {
        "vi": "{towns}: thị trấn, không đánh giá theo 19 tiêu chí xã nông thôn mới.",
        "en": "{towns}: towns, not assessed on the 19 new-rural commune criteria.",
    },
    "compare.km_cleared": {"vi": "Km QL4B đã giải phóng mặt bằng", "en": "QL4B km cleared"},
    "compare.households_paid": {"vi": "Hộ đã chi trả bồi thường", "en": "Households compensated"},
    "compare.segments_handed_over": {"vi": "Đoạn QL4B đã bàn giao mặt bằng", "en": "QL4B segments handed over"},
    "compare.disputes_open": {"vi": "Vụ tranh chấp chưa giải quyết xong", "en": "Disputes not yet resolved"},
    "compare.criteria_met": {"vi": "Tổng tiêu chí NTM các xã đã đạt", "en": "New-rural criteria met, all communes"},
    "compare.communes_at_standard": {"vi": "Xã đạt đủ 19/19 tiêu chí", "en": "Communes meeting all 19 criteria"},
    "compare.on": {"vi": "So sánh hai thời điểm", "en": "Compare two dates"},
    "compare.b": {"vi": "Thời điểm B (so với ngày đang xem là A)", "en": "Date B (against the date shown, A)"},
    "compare.title": {"vi": "Từ {a} đến {b}: số liệu thay đổi", "en": "From {a} to {b}: what moved"},
    "compare.changed": {
        "vi": "{n} đối tượng thay đổi giữa hai thời điểm: nét đậm, viền đứt trên cả hai bản đồ.",
        "en": "{n} features changed between the two dates: drawn thicker, with a dashed edge, on both maps.",
    },
    "compare.none": {"vi": "Không có số liệu theo dõi nào thay đổi.", "en": "None of the tracked figures changed."},
    "compare.map": {"vi": "Bản đồ tại {day}", "en": "Map as at {day}"},
    "series.latest": {"vi": "Kỳ mới nhất", "en": "Latest period"},
    "series.add": {"vi": "Nhập số liệu kỳ mới", "en": "Enter a later period"},
    "series.year": {"vi": "Năm", "en": "Year"},
    "series.quarter": {"vi": "Quý", "en": "Quarter"},
    "series.whole_year": {"vi": "Cả năm", "en": "Whole year"},
    "series.value": {"vi": "Giá trị ({unit})", "en": "Value ({unit})"},
    "series.source": {"vi": "Nguồn số liệu (báo cáo, văn bản)", "en": "Source (report, document)"},
    "series.save": {"vi": "Lưu số liệu kỳ", "en": "Save the period's figure"},
    "series.title": {"vi": "Chỉ tiêu theo kỳ so với kế hoạch", "en": "Indicators by period against their targets"},
    "series.none": {
        "vi": "Mới có số liệu kỳ đầu (Thông báo, quý I/2024): chuyên viên nhập các kỳ sau trên từng thẻ hoặc "
        "bằng lệnh python -m geo indicators import.",
        "en": "Only the first period (the notice, Q1 2024) so far: planners enter later periods on each card or "
        "with python -m geo indicators import.",
    },
    "units.crosswalk": {
        "vi": "Bảng chuyển đổi đơn vị hành chính 2024 → 1/7/2025",
        "en": "Crosswalk of administrative units, 2024 → 1 Jul 2025",
    },
    "units.commune": {"vi": "Xã từ 1/7/2025", "en": "Commune from 1 Jul 2025"},
    "units.now_in": {"vi": "{old} (nay thuộc {new})", "en": "{old} (now part of {new})"},
    "units.formed_from": {"vi": "Hình thành từ", "en": "Formed from"},
    "units.title": {"vi": "Đơn vị hành chính", "en": "Administrative units"},
    "units.2024": {"vi": "2024 (12 xã, thị trấn)", "en": "2024 (12 units)"},
    "units.2025": {"vi": "Từ 1/7/2025 (4 xã)", "en": "From 1 Jul 2025 (4 communes)"},
    "units.help": {
        "vi": "Số liệu theo từng đơn vị được gộp theo đơn vị đã chọn qua bảng chuyển đổi (Nghị quyết "
        "1672/NQ-UBTVQH15). Mặc định theo ngày xem: trước 1/7/2025 là 12 đơn vị năm 2024.",
        "en": "Per-unit figures are grouped by the units chosen through the crosswalk (Resolution "
        "1672/NQ-UBTVQH15). By default they follow the date shown: before 1 Jul 2025, the 12 units of 2024.",
    },
    "time.title": {"vi": "Thời điểm xem dữ liệu", "en": "Date shown"},
    "time.slider": {"vi": "Các mốc có thay đổi", "en": "Days the data changed"},
    "time.slider_help": {
        "vi": "Bản đồ, số liệu, bảng và bản xuất đều hiện như tại ngày đã chọn (đọc từ nhật ký thay đổi).",
        "en": "Maps, figures, tables and exports all show the chosen day (read back from the change log).",
    },
    "time.picker": {"vi": "Hoặc chọn ngày", "en": "Or pick a day"},
    "time.bad_link": {
        "vi": "Đường dẫn có ngày không hợp lệ ('{value}'): cần dạng NĂM-THÁNG-NGÀY, vd. 2025-03-26. Đang hiện hôm nay.",
        "en": "The link's date is not valid ('{value}'): use YEAR-MONTH-DAY, e.g. 2025-03-26. Showing today.",
    },
    "time.clamped": {
        "vi": "Đường dẫn hỏi ngày {value}, trước khi có dữ liệu: đang hiện ngày {day}, ngày sớm nhất có thể xem.",
        "en": "The link asks for {value}, before the data start: showing {day}, the earliest day there is.",
    },
    "time.today": {"vi": "Về hôm nay", "en": "Back to today"},
    "time.banner": {
        "vi": "Đang xem dữ liệu tại ngày {day}: bản đồ, số liệu và bản xuất như ngày đó. Chỉ sửa được dữ liệu hôm nay.",
        "en": "Showing the data as at {day}: maps, figures and exports as they were then. Edits apply to today only.",
    },
    "edit.past": {
        "vi": "Đang xem một ngày đã qua: về hôm nay để cập nhật.",
        "en": "Viewing a past day: go back to today to update.",
    },
    "export.crs": {"vi": "Hệ tọa độ", "en": "Coordinate system"},
    "pack.title": {"vi": "Bộ tài liệu giao ban — huyện Đình Lập", "en": "Briefing pack — Đình Lập district"},
    "pack.page": {"vi": "Trang {n}/{total}", "en": "Page {n} of {total}"},
    "pack.page_short": {"vi": "trang {n}", "en": "page {n}"},
    "pack.figures": {"vi": "Số liệu", "en": "Figures"},
    "atlas.title": {"vi": "Tập bản đồ: {layer}", "en": "Atlas: {layer}"},
    "atlas.record": {"vi": "Thông tin đối tượng", "en": "Record"},
    "atlas.history": {"vi": "Lịch sử thay đổi (mới nhất trước)", "en": "History (latest first)"},
    "atlas.no_history": {"vi": "Chưa có thay đổi nào được ghi nhận.", "en": "No change recorded."},
    "atlas.count": {"vi": "{n} đối tượng, mỗi đối tượng một trang", "en": "{n} features, one page each"},
    "atlas.where": {"vi": "Chọn theo: {what}", "en": "Chosen by: {what}"},
    "atlas.empty": {
        "vi": "Không có đối tượng nào thỏa điều kiện chọn: không có gì để in.",
        "en": "No feature matches the selection: nothing to print.",
    },
    "atlas.too_many": {
        "vi": "{n} đối tượng: quá {max} trang. Hãy lọc bớt.",
        "en": "{n} features: more than {max} pages. Narrow the selection.",
    },
    "atlas.no_layer": {
        "vi": "Không có lớp bản đồ '{layer}' trong kho.",
        "en": "No map layer '{layer}' in the store.",
    },
    "atlas.button": {"vi": "Tập bản đồ (PDF): mỗi đối tượng một trang", "en": "Atlas (PDF): one page per feature"},
    "atlas.layer": {
        "vi": "Lớp in tập bản đồ (các đối tượng đang lọc)",
        "en": "Layer of the atlas (the features shown)",
    },
    "atlas.only_selected": {"vi": "Chỉ đối tượng đang chọn", "en": "The selected feature only"},
    "pack.more": {"vi": "… và {n} mục khác (xem trên ứng dụng)", "en": "… and {n} more (see the app)"},
    "pack.meeting": {"vi": "Ngày họp", "en": "Meeting"},
    "pack.atlas": {"vi": "Bản đồ từng xã, thị trấn", "en": "Atlas of the communes"},
    "pack.atlas_2025": {"vi": "Bản đồ từng xã (từ 1/7/2025)", "en": "Atlas of the communes (from 1 Jul 2025)"},
    "pack.contents": {"vi": "Mục lục", "en": "Contents"},
    "export.panel": {"vi": "Xuất bản đồ", "en": "Export the map"},
    "export.map_title": {"vi": "Tiêu đề", "en": "Title"},
    "export.subtitle": {"vi": "Tiêu đề phụ", "en": "Subtitle"},
    "export.format": {"vi": "Định dạng", "en": "Format"},
    "export.paper": {"vi": "Khổ giấy", "en": "Paper"},
    "export.orientation": {"vi": "Hướng giấy", "en": "Orientation"},
    "export.orientation.auto": {"vi": "Theo vùng in", "en": "As the extent suits"},
    "export.orientation.landscape": {"vi": "Ngang", "en": "Landscape"},
    "export.orientation.portrait": {"vi": "Dọc", "en": "Portrait"},
    "export.landscape": {"vi": "Khổ ngang", "en": "Landscape"},
    "export.download": {"vi": "Tải {fmt}", "en": "Download {fmt}"},
    "export.what": {
        "vi": "Xuất đúng vùng đang xem, các lớp đang bật, bộ lọc và đối tượng đang chọn.",
        "en": "Exports the extent in view, the layers shown, the filters and the selected feature.",
    },
    "export.what_all": {
        "vi": "Xuất toàn bộ các đối tượng đang hiện (di chuyển bản đồ để chọn vùng xuất).",
        "en": "Exports every feature shown (move the map to choose the extent).",
    },
    "export.fmt.png": {"vi": "Ảnh PNG (bản in)", "en": "PNG image (print layout)"},
    "export.fmt.pdf": {"vi": "PDF vector (bản in)", "en": "Vector PDF (print layout)"},
    "export.fmt.html": {"vi": "Bản đồ HTML tương tác (ngoại tuyến)", "en": "Interactive HTML map (offline)"},
    "export.fmt.geojson": {"vi": "Dữ liệu GeoJSON", "en": "GeoJSON data"},
    "export.fmt.gpkg": {"vi": "Dữ liệu GeoPackage", "en": "GeoPackage data"},
    "export.fmt.csv": {"vi": "Bảng CSV (WKT, kinh/vĩ độ)", "en": "CSV table (WKT, lon/lat)"},
    "export.fmt.xlsx": {"vi": "Bảng Excel", "en": "Excel workbook"},
    "pack.with_changes": {
        "vi": "Kèm trang thay đổi từ lần họp trước",
        "en": "With what changed since the last meeting",
    },
    "pack.with_atlas": {"vi": "Kèm bản đồ từng xã, thị trấn", "en": "With one page per commune"},
    "roads.pct_short": {"vi": "% GPMB", "en": "% cleared"},
    "unit.tonnes": {"vi": "tấn", "en": "tonnes"},
    "figures.title": {"vi": "Số liệu chính quý I/2024", "en": "Headline figures, Q1 2024"},
    "figures.source": {"vi": "Nguồn: Thông báo kết luận, mục {section}", "en": "Source: the notice, section {section}"},
    "figures.updated": {
        "vi": "Cập nhật {date} bởi {user} (không còn là số liệu của Thông báo)",
        "en": "Updated {date} by {user} (no longer the notice's figure)",
    },
    "figures.show_quotes": {"vi": "Hiện nguyên văn Thông báo", "en": "Show the notice's wording"},
    "layer.features": {"vi": "{n} đối tượng", "en": "{n} features"},
    "layer.as_of": {"vi": "Cập nhật", "en": "As of"},
    "layer.source": {"vi": "Nguồn", "en": "Source"},
    "layer.demo": {"vi": "Minh họa", "en": "Demo"},
    "layer.licence": {"vi": "Giấy phép", "en": "Licence"},
    "meeting.intro": {
        "vi": "Trình chiếu các khung nhìn hoặc các nhiệm vụ của Thông báo kết luận; xem thay đổi từ lần họp trước.",
        "en": "Present the saved views or the notice's tasks; see what changed since the last meeting.",
    },
    "data.intro": {
        "vi": "Các lớp dữ liệu trong kho, nguồn, ngày cập nhật và trạng thái minh họa.",
        "en": "Layers in the store, their source, as-of date and demo status.",
    },
    "ntm.criteria_met": {"vi": "Số tiêu chí đạt", "en": "Criteria met"},
    "ntm.of": {"vi": "{met}/{total} tiêu chí", "en": "{met} of {total} criteria"},
    "error.store_down": {
        "vi": "Máy chủ cơ sở dữ liệu không trả lời; chưa có gì được ghi. Hãy thử lại sau ít phút. ({reason})",
        "en": "The database server did not answer; nothing was written. Try again in a few minutes. ({reason})",
    },
    "error.too_long": {
        "vi": "{option} dài {n} ký tự, quá giới hạn {limit} ký tự; chưa có gì được ghi.",
        "en": "{option} is {n} characters long, over the limit of {limit}; nothing was written.",
    },
    "error.store_address": {
        "vi": "Không đọc được địa chỉ kho dữ liệu {path}: {reason_vi}. "
        "Dạng đúng: postgresql://NGƯỜI_DÙNG@MÁY:CỔNG/CSDL (ký tự đặc biệt trong mật khẩu viết dạng %XX).",
        "en": "Cannot read the data store address {path}: {reason_en}. The form is postgresql://USER@HOST:PORT/DB "
        "(special characters of a password written as %XX).",
    },
    "error.store_login": {
        "vi": "Máy chủ cơ sở dữ liệu {path} từ chối đăng nhập: sai tên người dùng, mật khẩu hoặc tên cơ sở dữ liệu; "
        "chưa có gì được ghi.",
        "en": "The database server {path} refused the sign-in: wrong user name, password or database name; "
        "nothing was written.",
    },
    "error.store_missing": {
        "vi": "Không tìm thấy kho dữ liệu {path}. Chạy `make run` hoặc `python -m geo build-demo`.",
        "en": "Data store {path} not found. Run `make run` or `python -m geo build-demo`.",
    },
    "error.store_unreadable": {
        "vi": "Không đọc được kho dữ liệu {path}: {reason}",
        "en": "Cannot read the data store {path}: {reason}",
    },
    "error.unknown_layer": {"vi": "Không có lớp '{layer}' trong danh mục.", "en": "No layer '{layer}' in the catalog."},
    "edit.unknown_field": {
        "vi": "Lớp {layer} không có trường '{field}'.",
        "en": "Layer {layer} has no field '{field}'.",
    },
    "edit.read_only": {"vi": "Trường '{field}' không sửa được.", "en": "Field '{field}' cannot be edited."},
    "edit.required": {"vi": "Trường '{field}' không được để trống.", "en": "Field '{field}' cannot be empty."},
    "edit.bad_code": {
        "vi": "Giá trị '{value}' không hợp lệ cho '{field}' (được phép: {allowed}).",
        "en": "'{value}' is not a valid value of '{field}' (allowed: {allowed}).",
    },
    "edit.bad_number": {
        "vi": "'{value}' không phải số hợp lệ cho '{field}'.",
        "en": "'{value}' is not a valid number for '{field}'.",
    },
    "edit.bad_percent": {
        "vi": "'{field}' phải từ 0 đến 100 (nhận {value}).",
        "en": "'{field}' must be 0 to 100 (got {value}).",
    },
    "edit.bad_bool": {"vi": "'{field}' chỉ nhận Có hoặc Không.", "en": "'{field}' takes yes or no."},
    "edit.bad_date": {
        "vi": "'{value}' không phải ngày hợp lệ cho '{field}'.",
        "en": "'{value}' is not a valid date for '{field}'.",
    },
    "edit.too_long": {"vi": "'{field}' dài quá {limit} ký tự.", "en": "'{field}' is longer than {limit} characters."},
    "edit.not_found": {
        "vi": "Không có đối tượng '{key}' trong lớp {layer}.",
        "en": "No feature '{key}' in layer {layer}.",
    },
    "edit.conflict": {
        "vi": "'{field}' vừa được người khác sửa thành '{current}' (bạn thấy '{seen}'). Hãy xem lại trước khi lưu.",
        "en": "'{field}' was just changed by someone else to '{current}' (you saw '{seen}'). Review it before saving.",
    },
    "edit.conflict_by": {
        "vi": "'{field}': {user} đã sửa thành '{current}' lúc {when} (giờ Việt Nam); bạn thấy '{seen}'.",
        "en": "'{field}': {user} changed it to '{current}' at {when} (Vietnam time); you saw '{seen}'.",
    },
    "edit.rule_at_most": {
        "vi": "'{field}' ({value}) không thể lớn hơn '{other}' ({limit}). Chưa lưu gì.",
        "en": "'{field_en}' ({value_en}) cannot be more than '{other_en}' ({limit_en}). Nothing was saved.",
    },
    "edit.rule_needs": {
        "vi": "Khi '{field}' là '{value}', cần nhập '{other}'. Chưa lưu gì.",
        "en": "When '{field_en}' is '{value_en}', '{other_en}' must be filled in. Nothing was saved.",
    },
    "edit.someone": {"vi": "người khác", "en": "someone else"},
    "edit.empty": {"vi": "(trống)", "en": "(empty)"},
    "edit.choose_again": {
        "vi": "Chưa lưu gì. Hãy chọn lại giá trị rồi lưu: giữ nguyên ô để ghi giá trị của bạn, "
        "hoặc sửa ô theo giá trị mới.",
        "en": "Nothing was saved. Choose again and save: leave the box as it is to write your value, "
        "or change it to the new one.",
    },
    "edit.out_of_range": {
        "vi": "'{field}' phải trong khoảng {range} (nhận {value}).",
        "en": "'{field}' must be within {range} (got {value}).",
    },
    "edit.confirm_range": {
        "vi": "'{label}' = {value} nằm ngoài khoảng thường gặp {range}. Đánh dấu xác nhận rồi lưu lại nếu đúng.",
        "en": "'{label}' = {value} is outside the usual range {range}. Tick to confirm and save again if it is right.",
    },
    "edit.confirm_box": {"vi": "Tôi xác nhận giá trị ngoài khoảng thường gặp", "en": "I confirm the unusual value"},
    "edit.number_help": {
        "vi": "Dấu phẩy thập phân, dấu chấm hàng nghìn: 94,2 hoặc 45.120,5",
        "en": "Decimal point, comma for thousands: 94.2 or 45,120.5",
    },
    "edit.date_help": {
        "vi": "Ngày/tháng/năm, ví dụ 15/05/2024 (cũng nhận 2024-05-15)",
        "en": "Year-month-day, e.g. 2024-05-15 (15/05/2024 is read too)",
    },
    "edit.stale": {
        "vi": "Đối tượng này đã thay đổi từ khi bạn mở biểu mẫu; biểu mẫu vẫn giữ các giá trị bạn đã thấy.",
        "en": "This feature changed since you opened the form; the form keeps the values you saw.",
    },
    "edit.reload": {"vi": "Tải lại giá trị hiện tại", "en": "Load the current values"},
    "edit.duplicate": {"vi": "Đã có '{key}'; hãy chọn tên khác.", "en": "'{key}' exists already; pick another name."},
    "edit.busy": {"vi": "Kho dữ liệu đang bận, hãy thử lại.", "en": "The store is busy; try again."},
    "edit.no_user": {"vi": "Cần đăng nhập để sửa dữ liệu.", "en": "Sign in to edit data."},
    "edit.bad_geometry": {
        "vi": "Hình của '{key}' (lớp {layer}) rỗng hoặc không hợp lệ.",
        "en": "The shape of '{key}' (layer {layer}) is empty or invalid.",
    },
    "field.title": {"vi": "Gói công tác thực địa", "en": "Field work package"},
    "field.intro": {
        "vi": "Lập gói cho cán bộ địa chính xã mở bằng QField/QGIS khi không có mạng; khi về, tải gói lên để "
        "hợp nhất: chỗ chỉ thực địa sửa được cập nhật, chỗ văn phòng cũng sửa khác đi được giữ lại chờ quyết định.",
        "en": "Make a package a commune land officer opens in QField/QGIS without signal; upload it on return to "
        "merge: what only the field changed is applied, what the office changed differently meanwhile waits for a "
        "decision.",
    },
    "field.layers": {"vi": "Lớp mang đi", "en": "Layers to take"},
    "field.unit": {"vi": "Xã, thị trấn", "en": "Commune or town"},
    "field.all_units": {"vi": "Tất cả", "en": "All"},
    "field.make": {"vi": "Lập gói", "en": "Make the package"},
    "field.download": {"vi": "Tải gói (.zip)", "en": "Download the package (.zip)"},
    "field.made": {
        "vi": "Đã lập gói: {n} đối tượng, {size}.",
        "en": "Package made: {n} features, {size}.",
    },
    "field.upload": {"vi": "Tải lên gói đã về", "en": "Upload a returned package"},
    "field.team": {"vi": "Tên đội/người thực địa", "en": "Field team or officer"},
    "field.merge": {"vi": "Hợp nhất vào kho", "en": "Merge into the store"},
    "field.merged": {
        "vi": "Đã hợp nhất: {applied} thay đổi, {added} thêm, {deleted} xóa, {conflicts} xung đột chờ quyết định.",
        "en": "Merged: {applied} changes, {added} added, {deleted} deleted, {conflicts} conflicts held.",
    },
    "field.already": {
        "vi": "Gói này đã được hợp nhất trước đây: không có gì thay đổi.",
        "en": "This package was merged before: nothing changed.",
    },
    "field.conflicts": {"vi": "Xung đột chờ quyết định", "en": "Conflicts awaiting a decision"},
    "field.no_conflicts": {"vi": "Không có xung đột nào chờ quyết định.", "en": "No conflict awaits a decision."},
    "field.base": {"vi": "Giá trị gốc (khi lập gói)", "en": "Base (when packed)"},
    "field.office": {"vi": "Văn phòng (hiện tại)", "en": "Office (now)"},
    "field.incoming": {"vi": "Thực địa", "en": "Field"},
    "field.keep_office": {"vi": "Giữ giá trị văn phòng", "en": "Keep the office's value"},
    "field.keep_incoming": {"vi": "Giữ giá trị thực địa", "en": "Keep the field's value"},
    "field.who": {"vi": "{by}, lúc {at}", "en": "{by}, at {at}"},
    "field.decided_ok": {"vi": "Đã quyết định xung đột #{id}.", "en": "Conflict #{id} settled."},
    "field.whole": {"vi": "Cả đối tượng (xóa/sửa)", "en": "The whole feature (deleted/changed)"},
    "field.deleted_value": {"vi": "(đã xóa)", "en": "(deleted)"},
    "field.photos": {"vi": "Ảnh thực địa", "en": "Field photos"},
    "field.photo_caption": {"vi": "{name} — {by}, {at}", "en": "{name} — {by}, {at}"},
    "field.no_layers": {"vi": "Chưa chọn lớp nào (chọn trong: {allowed}).", "en": "No layer chosen (from: {allowed})."},
    "field.bad_layer": {
        "vi": "Lớp '{layer}' không mang đi thực địa được (chọn trong: {allowed}).",
        "en": "Layer '{layer}' cannot go to the field (choose from: {allowed}).",
    },
    "field.bad_where": {"vi": "Lớp {layer} không có trường '{field}'.", "en": "Layer {layer} has no field '{field}'."},
    "field.nothing": {"vi": "Không có đối tượng nào khớp điều kiện lọc.", "en": "No feature matches the filters."},
    "field.not_zip": {
        "vi": "Tệp không phải gói thực địa (không đọc được như tệp zip). Kho không thay đổi.",
        "en": "The file is not a field package (not a readable zip). The store is unchanged.",
    },
    "field.truncated": {
        "vi": "Gói bị hỏng hoặc chép thiếu ({name}). Kho không thay đổi.",
        "en": "The package is damaged or incomplete ({name}). The store is unchanged.",
    },
    "field.not_package": {
        "vi": "Tệp zip này không phải gói thực địa của Bản đồ điều hành (thiếu tệp dinhlap_thucdia.gpkg hoặc bản "
        "ghi gốc). Kho không thay đổi.",
        "en": "This zip is not a field package of the operations map (no dinhlap_thucdia.gpkg or base record). "
        "The store is unchanged.",
    },
    "field.other_store": {
        "vi": "Gói này được lập từ một kho khác ({store}). Kho không thay đổi.",
        "en": "This package was made from another store ({store}). The store is unchanged.",
    },
    "field.schema": {
        "vi": "Lớp {layer} trong gói đã bị đổi cấu trúc (thiếu: {missing}); không ghép được. Kho không thay đổi.",
        "en": "Layer {layer} in the package changed its structure (missing: {missing}); it cannot be mapped. "
        "The store is unchanged.",
    },
    "field.bad_value": {
        "vi": "Gói có giá trị không hợp lệ ({layer} {feature}): {reason} Kho không thay đổi.",
        "en": "The package holds a value that is not allowed ({layer} {feature}): {reason_en} The store is unchanged.",
    },
    "field.no_user": {"vi": "Cần tên người/đội thực địa.", "en": "The field user's name is needed."},
    "field.bad_keep": {"vi": "Chọn giữ 'office' hoặc 'incoming'.", "en": "Keep 'office' or 'incoming'."},
    "field.no_conflict": {"vi": "Không có xung đột #{id}.", "en": "No conflict #{id}."},
    "field.decided": {"vi": "Xung đột #{id} đã được {by} quyết định.", "en": "Conflict #{id} was settled by {by}."},
    "field.gone": {
        "vi": "Đối tượng '{feature}' không còn trong kho.",
        "en": "Feature '{feature}' is no longer in the store.",
    },
    "edit.bad_position": {
        "vi": "Vị trí ({lon}, {lat}) không nằm trong Việt Nam.",
        "en": "The position ({lon}, {lat}) is not in Vietnam.",
    },
    "geom.empty": {"vi": "Hình trống: chưa có điểm nào.", "en": "The shape is empty: it has no points."},
    "geom.unreadable": {
        "vi": "Không đọc được hình: '{what}' không phải WKT, GeoJSON hay danh sách tọa độ.",
        "en": "Cannot read the shape: '{what}' is not WKT, GeoJSON or a list of coordinates.",
    },
    "geom.bad_line": {
        "vi": "Dòng '{line}' không phải một cặp tọa độ (x y, có thể kèm số hiệu điểm ở đầu).",
        "en": "The line '{line}' is not a pair of coordinates (x y, optionally after a point number).",
    },
    "geom.too_few": {
        "vi": "Vùng cần ít nhất {need} đỉnh; mới có {n}.",
        "en": "A polygon needs at least {need} vertices; it has {n}.",
    },
    "geom.one_shape": {
        "vi": "Hãy dán đúng một hình (tệp có {n}).",
        "en": "Paste exactly one shape (this has {n}).",
    },
    "geom.bad_crs": {"vi": "Không biết hệ tọa độ {crs}.", "en": "Unknown coordinate system {crs}."},
    "geom.wrong_kind": {
        "vi": "Lớp này nhận {want}, không nhận {got}.",
        "en": "This layer takes a {want}, not a {got}.",
    },
    "geom.self_intersection": {
        "vi": "Đường bao tự cắt tại kinh độ {lon}, vĩ độ {lat} (VN-2000: X {n}, Y {e}). Hãy sửa đỉnh ở đó.",
        "en": "The outline crosses itself at lon {lon}, lat {lat} (VN-2000: N {n}, E {e}). Fix the vertices there.",
    },
    "geom.sliver": {
        "vi": "Có phần quá nhỏ hoặc quá mảnh ({area} m², rộng trung bình {width} m; tối thiểu {min_area} m² và "
        "{min_width} m) tại kinh độ {lon}, vĩ độ {lat} (VN-2000: X {n}, Y {e}).",
        "en": "A part is a sliver ({area} m², {width} m wide on average; at least {min_area} m² and {min_width} m "
        "are needed) at lon {lon}, lat {lat} (VN-2000: N {n}, E {e}).",
    },
    "geom.outside": {
        "vi": "Có phần nằm ngoài địa giới huyện ({size}) quanh kinh độ {lon}, vĩ độ {lat} (VN-2000: X {n}, Y {e}).",
        "en": "Part of the shape ({size}) lies outside the district, around lon {lon}, lat {lat} "
        "(VN-2000: N {n}, E {e}).",
    },
    "geom.not_drawable": {
        "vi": "Lớp {layer} không vẽ, sửa hình được.",
        "en": "Shapes of layer {layer} cannot be drawn or edited.",
    },
    "geom.split_polygon_only": {
        "vi": "Chỉ tách được thửa, khu đất (vùng có một trường mã).",
        "en": "Only polygons with a one-field key can be split.",
    },
    "geom.split_needs_line": {"vi": "Tách thửa cần một đường cắt.", "en": "A split needs a cutting line."},
    "geom.split_miss": {
        "vi": "Đường cắt không cắt ngang '{key}' từ cạnh này sang cạnh kia.",
        "en": "The line does not cross '{key}' from one edge to another.",
    },
    "geom.merge_polygon_only": {"vi": "Chỉ hợp được các vùng.", "en": "Only polygons can be merged."},
    "geom.merge_two": {"vi": "Hợp thửa cần ít nhất hai thửa.", "en": "A merge needs at least two polygons."},
    "geom.cli_added": {"vi": "Đã thêm '{key}' vào lớp {layer}.", "en": "Added '{key}' to layer {layer}."},
    "geom.cli_deleted": {"vi": "Đã xóa '{key}' khỏi lớp {layer}.", "en": "Removed '{key}' from layer {layer}."},
    "geom.cli_split": {"vi": "Đã tách '{key}' thành {parts}.", "en": "Split '{key}' into {parts}."},
    "geom.cli_merged": {"vi": "Đã hợp {others} vào '{key}'.", "en": "Merged {others} into '{key}'."},
    "geom.not_adjacent": {
        "vi": "'{key}' không liền cạnh với '{first}': không hợp được.",
        "en": "'{key}' does not share an edge with '{first}': they cannot be merged.",
    },
    "import.key_exists": {
        "vi": "Lớp đã có {n} mã trùng với tệp (ví dụ '{key}'): chọn 'Thay thế' hoặc bỏ các dòng trùng.",
        "en": "The layer already has {n} keys found in the file (e.g. '{key}'): choose 'Replace' or drop them.",
    },
    "import.layer_exists": {
        "vi": "Đã có lớp '{layer}'; hãy đặt mã khác cho lớp mới.",
        "en": "Layer '{layer}' exists already; pick another id for the new layer.",
    },
    "import.title_too_long": {
        "vi": "Tên lớp hoặc nhãn cột dài {n} ký tự, quá giới hạn {limit} ký tự; chưa nhập.",
        "en": "A layer title or column label is {n} characters long, over the limit of {limit}; nothing was imported.",
    },
    "import.bad_layer_id": {
        "vi": "Mã lớp '{layer}' không hợp lệ: dùng chữ thường không dấu, số và '_' (2–40 ký tự), bắt đầu bằng chữ.",
        "en": "Layer id '{layer}' is invalid: use lower-case ASCII letters, digits and '_' (2–40), "
        "starting with a letter.",
    },
    "import.not_valid": {
        "vi": "Tệp còn lỗi, chưa nhập. Chạy 'validate' để xem.",
        "en": "The file still has errors; nothing was imported. Run 'validate' to see them.",
    },
    "import.done": {
        "vi": "Đã nhập {n} đối tượng vào lớp '{layer}' ({mode}).",
        "en": "Imported {n} features into layer '{layer}' ({mode}).",
    },
    "import.done_new": {
        "vi": "Đã tạo lớp mới “{layer}” với {n} đối tượng. Lớp chưa công bố: chỉ bạn thấy lớp này bật sẵn trên "
        "bản đồ cho tới khi công bố.",
        "en": "Created the new layer “{layer}” with {n} features. Not published yet: it is on by default only "
        "for you until it is published.",
    },
    "import.done_append": {
        "vi": "Đã thêm {n} đối tượng vào lớp “{layer}”.",
        "en": "Added {n} features to the layer “{layer}”.",
    },
    "import.done_replace": {
        "vi": "Đã thay toàn bộ lớp “{layer}”: xóa {removed} đối tượng cũ, nhập {n} đối tượng từ tệp.",
        "en": "Replaced the whole layer “{layer}”: removed {removed} features, imported {n} from the file.",
    },
    "import.done_update": {
        "vi": "Đã cập nhật lớp “{layer}” theo mã: thêm {added}, sửa {changed} ({by_field}), xóa {removed}; "
        "{same} đối tượng không đổi.",
        "en": "Updated the layer “{layer}” by key: {added} added, {changed} changed ({by_field}), {removed} removed; "
        "{same} unchanged.",
    },
    "import.preview_update": {
        "vi": "Nếu nhập: thêm {added}, sửa {changed} ({by_field}), xóa {removed}; {same} đối tượng không đổi.",
        "en": "If imported: {added} added, {changed} changed ({by_field}), {removed} removed; {same} unchanged.",
    },
    "import.field_geometry": {"vi": "Hình dạng, vị trí", "en": "Shape, position"},
    "import.update_needs_key": {
        "vi": "Lớp “{layer}” không có mã riêng cho từng đối tượng nên không cập nhật theo mã được: hãy bổ sung "
        "hoặc thay thế.",
        "en": "The layer “{layer}” has no key naming each feature, so it cannot be updated by key: add to it or "
        "replace it.",
    },
    "import.bad_style": {
        "vi": "Kiểu vẽ '{style}' không có (được phép: {allowed}).",
        "en": "No drawing style '{style}' (allowed: {allowed}).",
    },
    "import.renamed": {
        "vi": "Tên cột không dùng được làm tên trường nên được lưu là “{name}” (nhãn vẫn là tên gốc).",
        "en": "The column's name cannot name a field, so it is stored as “{name}” (its label keeps the original).",
    },
    "import.bad_key": {
        "vi": "Cột này không làm mã được: phải có giá trị ở mọi dòng và không trùng. Cột làm mã được: {allowed}.",
        "en": "This column cannot be the key: every row needs a value, and no two the same. Columns that can: "
        "{allowed}.",
    },
    "import.key": {"vi": "Cột làm mã đối tượng", "en": "Key column"},
    "import.key_none": {"vi": "— đánh số tự động —", "en": "— numbered automatically —"},
    "import.key_help": {
        "vi": "Cột mà mỗi giá trị gọi tên một đối tượng (ví dụ 'ma'): lần nhập sau cập nhật theo cột này. Chỉ liệt "
        "kê các cột có giá trị ở mọi dòng và không trùng.",
        "en": "A column whose values name a feature (e.g. 'ma'): the next file updates the layer by it. Only columns "
        "with a value on every row, none repeated, are listed.",
    },
    "import.columns": {"vi": "Nhãn và đơn vị của các cột", "en": "Column labels and units"},
    "import.col_name": {"vi": "Cột", "en": "Column"},
    "import.col_label": {"vi": "Nhãn hiển thị", "en": "Label shown"},
    "import.col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "import.style": {"vi": "Cách vẽ", "en": "Drawing"},
    "import.style_outline": {"vi": "Chỉ viền (không tô)", "en": "Outline only"},
    "import.style_fill": {"vi": "Tô nhạt, dưới các lớp chuyên đề", "en": "Light fill, under the thematic layers"},
    "import.mode_update": {"vi": "Cập nhật theo mã", "en": "Update by key"},
    "import.delete_missing": {
        "vi": "Xóa các đối tượng có trong lớp nhưng không có trong tệp",
        "en": "Remove the features the layer has and the file does not",
    },
    "import.published": {
        "vi": "Lớp “{layer}” đã công bố: bật sẵn trên bản đồ của mọi người.",
        "en": "The layer “{layer}” is published: on by default on everyone's map.",
    },
    "import.unpublished": {
        "vi": "Lớp “{layer}” chưa công bố: chỉ người nhập thấy lớp này bật sẵn.",
        "en": "The layer “{layer}” is not published: on by default only for whoever imported it.",
    },
    "import.own_layers": {"vi": "Lớp của chuyên viên", "en": "Planners' layers"},
    "import.publish": {"vi": "Công bố lớp cho mọi người", "en": "Publish the layer to everyone"},
    "import.unpublish": {"vi": "Thôi công bố", "en": "Withdraw"},
    "auth.sign_in_oidc": {"vi": "Đăng nhập bằng tài khoản cơ quan", "en": "Sign in with the organisation's account"},
    "auth.sign_in": {"vi": "Đăng nhập (chuyên viên)", "en": "Sign in (planners)"},
    "auth.sign_out": {"vi": "Đăng xuất", "en": "Sign out"},
    "auth.name": {"vi": "Tên đăng nhập", "en": "User name"},
    "auth.password": {"vi": "Mật khẩu", "en": "Password"},
    "auth.failed": {"vi": "Sai tên đăng nhập hoặc mật khẩu.", "en": "Wrong user name or password."},
    "auth.throttled": {
        "vi": "Đăng nhập sai nhiều lần liên tiếp: hãy thử lại sau {wait}. Sau {free} lần sai liên tiếp, mỗi lần "
        "sai phải chờ gấp đôi lần trước, từ {first} phút, tối đa {max} phút. "
        "Máy bạn đã đăng nhập trước đây vẫn vào được; hoặc nhập mã khôi phục do quản trị viên cấp.",
        "en": "Too many failed sign-ins in a row: try again in {wait}. After {free} failures in a row, each "
        "failure doubles the wait, from {first} minutes up to {max} minutes. "
        "A browser you signed in from before still gets in; or enter a recovery code from an admin.",
    },
    "auth.wait_s": {"vi": "{n} giây", "en": "{n} s"},
    "auth.wait_min": {"vi": "{n} phút", "en": "{n} min"},
    "auth.last_save": {
        "vi": "Lần lưu gần nhất của bạn trong nhật ký thay đổi: {when} — {what}. "
        "Nếu thay đổi bạn làm sau cùng không phải thay đổi này, nó chưa được lưu: hãy làm lại.",
        "en": "Your latest save in the change log: {when} — {what}. "
        "If your last change is not this one, it was not saved: make it again.",
    },
    "auth.code": {"vi": "Mã khôi phục (nếu có)", "en": "Recovery code (if any)"},
    "auth.code_help": {
        "vi": "Mã 8 ký tự quản trị viên cấp, dùng một lần trong 24 giờ: cho phép thử mật khẩu ngay cả khi đang bị chờ.",
        "en": "The 8-character code an admin gave you, once within 24 hours: your password is tested even "
        "while waiting.",
    },
    "auth.expired": {
        "vi": "Phiên đăng nhập đã hết hạn sau {m} phút không dùng. Hãy đăng nhập lại.",
        "en": "The sign-in expired after {m} minutes unused. Please sign in again.",
    },
    "signin.title": {"vi": "Đăng nhập bị tạm chặn", "en": "Sign-ins on hold"},
    "signin.none": {"vi": "Không có tên đăng nhập nào đang bị tạm chặn.", "en": "No user name is on hold."},
    "signin.name": {"vi": "Tên đăng nhập", "en": "User name"},
    "signin.failures": {"vi": "Số lần sai liên tiếp", "en": "Failures in a row"},
    "signin.until": {"vi": "Được thử lại từ", "en": "May try again at"},
    "signin.unlock": {"vi": "Mở khóa {name}", "en": "Unlock {name}"},
    "signin.unlocked": {"vi": "Đã mở khóa {name}.", "en": "{name} unlocked."},
    "signin.log": {"vi": "Lần đăng nhập gần đây", "en": "Recent sign-in attempts"},
    "signin.outcome": {"vi": "Kết quả", "en": "Outcome"},
    "signin.outcome.ok": {"vi": "Thành công", "en": "Signed in"},
    "signin.outcome.failed": {"vi": "Sai mật khẩu", "en": "Wrong password"},
    "signin.outcome.throttled": {"vi": "Bị chặn (chờ)", "en": "Held (waiting)"},
    "signin.outcome.unlocked": {"vi": "Mở khóa", "en": "Unlocked"},
    "signin.outcome.pending": {"vi": "Đang kiểm tra", "en": "Being checked"},
    "signin.outcome.code_set": {"vi": "Cấp mã khôi phục", "en": "Recovery code given"},
    "signin.via.token": {"vi": "máy quen", "en": "known browser"},
    "signin.via.code": {"vi": "mã khôi phục", "en": "recovery code"},
    "signin.client": {"vi": "Địa chỉ máy", "en": "Client address"},
    "signin.code_for": {"vi": "Cấp mã khôi phục cho tên đăng nhập", "en": "Give a recovery code to user name"},
    "signin.code_make": {"vi": "Cấp mã", "en": "Give code"},
    "signin.code_made": {
        "vi": "Mã khôi phục của {name}: **{code}** (dùng một lần, trong {h} giờ). Hãy báo trực tiếp cho người dùng.",
        "en": "Recovery code for {name}: **{code}** (once, within {h} hours). Tell the user in person.",
    },
    "auth.signed_in": {"vi": "Đã đăng nhập: {name} ({role})", "en": "Signed in: {name} ({role})"},
    "auth.role.viewer": {"vi": "xem", "en": "viewer"},
    "auth.role.planner": {"vi": "chuyên viên", "en": "planner"},
    "auth.role.admin": {"vi": "quản trị", "en": "admin"},
    "edit.title": {"vi": "Cập nhật", "en": "Update"},
    "edit.reason": {"vi": "Lý do, căn cứ (biên bản, văn bản…)", "en": "Reason or source (minutes, document…)"},
    "edit.save": {"vi": "Lưu thay đổi", "en": "Save changes"},
    "edit.saved": {"vi": "Đã lưu {n} thay đổi.", "en": "Saved {n} changes."},
    "edit.nothing": {"vi": "Không có gì thay đổi.", "en": "Nothing changed."},
    "edit.history": {"vi": "Lịch sử thay đổi", "en": "Change history"},
    "ntm.edit": {"vi": "Cập nhật tiêu chí của {unit}", "en": "Update the criteria of {unit}"},
    "pres.batch": {"vi": "thêm {added}, xóa {removed}", "en": "{added} added, {removed} removed"},
    "pres.features": {"vi": "{n} đối tượng", "en": "{n} features"},
    "pres.more_changes": {
        "vi": "Bảng hiện {shown} thay đổi đầu; còn {n} thay đổi nữa trong nhật ký.",
        "en": "The table shows the first {shown} changes; {n} more are in the log.",
    },
    "change.whole": {"vi": "Cả đối tượng", "en": "Whole feature"},
    "change.none": {"vi": "(chưa có)", "en": "(none)"},
    "change.present": {"vi": "(có)", "en": "(present)"},
    "change.added": {"vi": "thêm mới", "en": "added"},
    "change.removed": {"vi": "xóa", "en": "removed"},
    "edit.position": {"vi": "Vị trí (WGS 84)", "en": "Position (WGS 84)"},
    "edit.lon": {"vi": "Kinh độ", "en": "Longitude"},
    "edit.lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "edit.move": {"vi": "Di chuyển điểm", "en": "Move the point"},
    "edit.moved": {"vi": "Đã chuyển điểm đến {lon}, {lat}.", "en": "Moved the point to {lon}, {lat}."},
    "edit.add_point": {"vi": "Thêm điểm mới", "en": "Add a point"},
    "edit.add_layer": {"vi": "Lớp", "en": "Layer"},
    "edit.add_where": {
        "vi": "Để trống kinh độ, vĩ độ thì điểm đặt ở tâm khung nhìn bản đồ lúc bấm «Thêm vào bản đồ». Bật «Chọn "
        "vị trí trên bản đồ» dưới bản đồ rồi bấm vào chỗ cần đặt, hoặc nhập tọa độ đo được.",
        "en": "Left empty, the longitude and latitude are the centre of the map's view when «Add to the map» is "
        "pressed. Turn on «Pick the position on the map» under the map and click where it goes, or type measured "
        "coordinates.",
    },
    "edit.at_centre": {"vi": "Tâm khung nhìn bản đồ", "en": "The centre of the map's view"},
    "edit.pick": {"vi": "Chọn vị trí trên bản đồ", "en": "Pick the position on the map"},
    "edit.pick_help": {
        "vi": "Khi bật, bấm vào bản đồ để đặt vị trí cho điểm mới hoặc cho điểm đang di chuyển; bấm không chọn "
        "đối tượng. Tắt để chọn đối tượng như thường.",
        "en": "While on, a click on the map sets the position of a new point or of the point being moved; it "
        "does not select features. Turn it off to select features again.",
    },
    "edit.picked": {
        "vi": "Vị trí đã chọn trên bản đồ: {lon}, {lat}.",
        "en": "Position picked on the map: {lon}, {lat}.",
    },
    "edit.pick_first": {
        "vi": "Đang chọn vị trí: bấm vào bản đồ.",
        "en": "Picking a position: click on the map.",
    },
    "edit.add": {"vi": "Thêm vào bản đồ", "en": "Add to the map"},
    "edit.added": {"vi": "Đã thêm '{key}'.", "en": "Added '{key}'."},
    "draw.title": {"vi": "Vẽ, sửa hình, tách, hợp thửa", "en": "Draw, reshape, split, merge"},
    "draw.on": {"vi": "Vẽ trên bản đồ", "en": "Draw on the map"},
    "draw.on_help": {
        "vi": "Các nút vẽ hiện ở góc trái bản đồ; hình bắt dính vào đối tượng và ranh giới xã đang hiển thị.",
        "en": "The drawing buttons appear at the map's top left; shapes snap to the features and unit "
        "boundaries shown.",
    },
    "draw.action": {"vi": "Việc cần làm", "en": "Task"},
    "draw.action.add": {"vi": "Thêm mới", "en": "Add"},
    "draw.action.reshape": {"vi": "Sửa hình", "en": "Reshape"},
    "draw.action.split": {"vi": "Tách thửa", "en": "Split"},
    "draw.action.merge": {"vi": "Hợp thửa", "en": "Merge"},
    "draw.action.delete": {"vi": "Xóa", "en": "Remove"},
    "draw.select_first": {
        "vi": "Chọn một đối tượng của lớp {layer} trên bản đồ, trong danh sách hoặc bảng trước.",
        "en": "First select a feature of {layer} on the map, in the list or in the table.",
    },
    "draw.how.add": {
        "vi": "Vẽ trên bản đồ, hoặc gõ tọa độ (mỗi dòng một điểm), hoặc dán WKT/GeoJSON vào ô dưới.",
        "en": "Draw on the map, or type coordinates (one point a line), or paste WKT/GeoJSON below.",
    },
    "draw.how.reshape": {
        "vi": "Sửa đỉnh, di chuyển hoặc cắt lỗ trên bản đồ, hoặc sửa tọa độ trong ô dưới.",
        "en": "Edit vertices, move or cut a hole on the map, or edit the coordinates below.",
    },
    "draw.how.split": {
        "vi": "Vẽ đường cắt ngang thửa từ cạnh này sang cạnh kia, hoặc gõ tọa độ của đường.",
        "en": "Draw a line across the parcel from edge to edge, or type the line's coordinates.",
    },
    "draw.shape": {"vi": "Hình (tọa độ, WKT hoặc GeoJSON)", "en": "Shape (coordinates, WKT or GeoJSON)"},
    "draw.shape_help": {
        "vi": "Mỗi dòng một điểm: 'X Y' VN-2000 (số lớn hơn là X, hướng Bắc) hoặc 'vĩ độ kinh độ'; số hiệu điểm "
        "ở đầu dòng được bỏ qua. Hoặc dán POLYGON ((…)) hay GeoJSON.",
        "en": "One point a line: 'X Y' in VN-2000 (the larger number is the northing) or 'lat lon'; a point "
        "number first is ignored. Or paste POLYGON ((…)) or GeoJSON.",
    },
    "draw.crs": {"vi": "Hệ tọa độ", "en": "Coordinate system"},
    "draw.crs.auto": {"vi": "Tự nhận (độ: WGS 84; mét: VN-2000)", "en": "Detect (degrees: WGS 84; metres: VN-2000)"},
    "draw.crs.epsg_9215": {"vi": "VN-2000 / TM-3 107°15′ (Lạng Sơn)", "en": "VN-2000 / TM-3 107°15′ (Lạng Sơn)"},
    "draw.crs.epsg_4326": {"vi": "WGS 84 (kinh độ, vĩ độ)", "en": "WGS 84 (longitude, latitude)"},
    "draw.show": {"vi": "Hiện lên bản đồ", "en": "Show on the map"},
    "draw.show_help": {
        "vi": "Đưa hình đã gõ lên bản đồ để xem và sửa tiếp.",
        "en": "Put the typed shape on the map to check and edit it.",
    },
    "draw.measured_on": {"vi": "đo trên VN-2000 / TM-3 107°15′", "en": "measured on VN-2000 / TM-3 107°15′"},
    "draw.filled": {
        "vi": "Để trống diện tích, chiều dài: hệ thống điền số đo trên VN-2000.",
        "en": "Leave the area or length empty: the measured value on VN-2000 is filled in.",
    },
    "draw.merge_with": {"vi": "Hợp vào '{key}' các thửa liền cạnh", "en": "Merge into '{key}' the adjacent parcels"},
    "draw.merge_choose": {"vi": "Chọn thửa (gõ mã để lọc)", "en": "Choose parcels (type a key to narrow)"},
    "draw.delete_confirm": {"vi": "Tôi muốn xóa '{key}'", "en": "I want to remove '{key}'"},
    "draw.save.add": {"vi": "Lưu đối tượng mới", "en": "Save the new feature"},
    "draw.save.reshape": {"vi": "Lưu hình mới", "en": "Save the new shape"},
    "draw.save.split": {"vi": "Tách thửa", "en": "Split"},
    "draw.save.merge": {"vi": "Hợp thửa", "en": "Merge"},
    "draw.save.delete": {"vi": "Xóa đối tượng", "en": "Remove the feature"},
    "draw.measureLine": {"vi": "Đo khoảng cách", "en": "Measure a distance"},
    "draw.measureArea": {"vi": "Đo diện tích", "en": "Measure an area"},
    "draw.undo": {"vi": "Hoàn tác (Ctrl+Z)", "en": "Undo (Ctrl+Z)"},
    "draw.length": {"vi": "Chiều dài", "en": "Length"},
    "draw.area": {"vi": "Diện tích", "en": "Area"},
    "draw.perimeter": {"vi": "Chu vi", "en": "Perimeter"},
    "measure.title": {"vi": "Đo khoảng cách, diện tích", "en": "Measure a distance or an area"},
    "measure.how": {
        "vi": "Gõ tọa độ (mỗi dòng một điểm: kinh độ vĩ độ, hoặc X Y theo VN-2000) hoặc dán WKT/GeoJSON. "
        "Trên bản đồ: nút Đo khoảng cách, Đo diện tích ở góc trái.",
        "en": "Type coordinates (one point a line: longitude latitude, or X Y in VN-2000) or paste WKT/GeoJSON. "
        "On the map: the Measure buttons at its top left.",
    },
    "measure.kind": {"vi": "Đo", "en": "Measure"},
    "measure.kind.linestring": {"vi": "Khoảng cách (đường)", "en": "A distance (a line)"},
    "measure.kind.polygon": {"vi": "Diện tích (vùng)", "en": "An area (a polygon)"},
    "measure.shape": {"vi": "Tọa độ, WKT hoặc GeoJSON để đo", "en": "Coordinates, WKT or GeoJSON to measure"},
    "measure.point": {
        "vi": "Một điểm: không có chiều dài, diện tích. Gõ thêm điểm, mỗi dòng một điểm.",
        "en": "One point: no length or area. Type more points, one a line.",
    },
    "measure.on_map": {
        "vi": "Hình đo được vẽ trên bản đồ (nét đứt, có nhãn số đo) cho đến lần đo sau.",
        "en": "The shape measured is drawn on the map (dashed, labelled with its figures) until the next one.",
    },
    "draw.pm.place_marker": {"vi": "Bấm để đặt điểm", "en": "Click to place the point"},
    "draw.pm.first_vertex": {"vi": "Bấm để đặt đỉnh đầu tiên", "en": "Click to place the first vertex"},
    "draw.pm.continue_line": {"vi": "Bấm để vẽ tiếp", "en": "Click to continue drawing"},
    "draw.pm.finish_line": {
        "vi": "Bấm lại vào đỉnh cuối để kết thúc",
        "en": "Click the last vertex again to finish",
    },
    "draw.pm.finish_poly": {"vi": "Bấm vào đỉnh đầu tiên để khép vùng", "en": "Click the first vertex to close"},
    "draw.pm.finish": {"vi": "Xong", "en": "Finish"},
    "draw.pm.cancel": {"vi": "Hủy", "en": "Cancel"},
    "draw.pm.remove_last_vertex": {"vi": "Bỏ đỉnh vừa đặt", "en": "Remove the last vertex"},
    "draw.pm.draw_marker": {"vi": "Vẽ điểm", "en": "Draw a point"},
    "draw.pm.draw_polygon": {"vi": "Vẽ vùng", "en": "Draw a polygon"},
    "draw.pm.draw_line": {"vi": "Vẽ đường", "en": "Draw a line"},
    "draw.pm.edit": {"vi": "Sửa đỉnh", "en": "Edit vertices"},
    "draw.pm.drag": {"vi": "Di chuyển hình", "en": "Move the shape"},
    "draw.pm.cut": {"vi": "Cắt lỗ trong vùng", "en": "Cut a hole"},
    "views.title": {"vi": "Khung nhìn đã lưu", "en": "Saved views"},
    "views.open": {"vi": "Khung nhìn", "en": "View"},
    "views.save": {"vi": "Lưu khung nhìn này", "en": "Save this view"},
    "views.note": {"vi": "Ghi chú ngắn", "en": "Short note"},
    "views.saved": {"vi": "Đã lưu. Đường dẫn: {link}", "en": "Saved. Link: {link}"},
    "views.missing": {"vi": "Không có khung nhìn '{view}'.", "en": "There is no view '{view}'."},
    "pres.mode": {"vi": "Trình bày theo", "en": "Present"},
    "pres.mode.views": {"vi": "Khung nhìn", "en": "Saved views"},
    "pres.mode.tasks": {"vi": "Nhiệm vụ theo Thông báo", "en": "The notice's tasks"},
    "pres.mode.changes": {"vi": "Thay đổi từ lần họp trước", "en": "Changes since the last meeting"},
    "pres.mode.board": {"vi": "Bảng nhiệm vụ", "en": "Task board"},
    "board.title": {"vi": "Bảng theo dõi các nhiệm vụ của Thông báo", "en": "The notice's tasks at a glance"},
    "board.rules": {
        "vi": "Quá hạn: đã qua thời hạn mà chưa hoàn thành (trừ nhiệm vụ thường xuyên). "
        "Chậm cập nhật: chưa hoàn thành và không có tiến độ mới trong {n} ngày. "
        "Chọn một dòng để mở trang của nhiệm vụ.",
        "en": "Overdue: past its deadline and not done (standing tasks excepted). "
        "Stalled: not done and no progress reported for {n} days. Pick a row to open the task's slide.",
    },
    "board.only_flagged": {"vi": "Chỉ việc cần chú ý", "en": "Only what needs attention"},
    "board.status": {"vi": "Tình trạng", "en": "Status"},
    "board.no": {"vi": "Số", "en": "No."},
    "board.task": {"vi": "Nhiệm vụ", "en": "Task"},
    "board.words": {"vi": "Nguyên văn Thông báo", "en": "The notice's words"},
    "board.lead": {"vi": "Chủ trì", "en": "Lead"},
    "board.deadline": {"vi": "Thời hạn", "en": "Deadline"},
    "board.progress": {"vi": "Tiến độ mới nhất", "en": "Latest progress"},
    "board.progress_date": {"vi": "Ngày cập nhật", "en": "Reported"},
    "board.links": {"vi": "Liên quan", "en": "Concerns"},
    "board.flags": {"vi": "Cảnh báo", "en": "Flags"},
    "board.overdue": {"vi": "Quá hạn", "en": "Overdue"},
    "board.stalled": {"vi": "{n} ngày chưa cập nhật", "en": "no progress for {n} days"},
    "board.count": {
        "vi": "{n} nhiệm vụ · {overdue} quá hạn · {stalled} chậm cập nhật",
        "en": "{n} tasks · {overdue} overdue · {stalled} stalled",
    },
    "board.threads": {"vi": "Trao đổi mở", "en": "Open threads"},
    "alert.threads": {"vi": "{n} trao đổi đang mở", "en": "{n} open threads"},
    # threads of comments (geo/read/comments.py, ui/threads.py)
    "comments.title": {"vi": "Trao đổi", "en": "Comments"},
    "comments.title_n": {"vi": "Trao đổi ({n} đang mở)", "en": "Comments ({n} open)"},
    "comments.none": {"vi": "Chưa có trao đổi nào.", "en": "No comment yet."},
    "comments.concerned_n": {
        "vi": "Trao đổi về các đối tượng của nhiệm vụ ({n} đang mở)",
        "en": "Comments on what the task concerns ({n} open)",
    },
    "comments.concerned_help": {
        "vi": "Các luồng đang mở trên đối tượng, chỉ tiêu mà nhiệm vụ liên quan (như một vụ tranh chấp), "
        "cũng in trong tài liệu họp dưới nhiệm vụ.",
        "en": "Open threads on the features and indicators the task concerns (a dispute, say), also printed under "
        "the task in the meeting pack.",
    },
    "comments.new": {
        "vi": "Hỏi, trao đổi (gõ @tên để nhắc người cần trả lời)",
        "en": "Ask or comment (@name asks someone)",
    },
    "comments.send": {"vi": "Gửi", "en": "Send"},
    "comments.reply": {"vi": "Trả lời", "en": "Reply"},
    "comments.reply_label": {"vi": "Trả lời luồng số {id}", "en": "Reply to thread {id}"},
    "comments.resolve": {"vi": "Đóng luồng", "en": "Resolve"},
    "comments.reopen": {"vi": "Mở lại", "en": "Reopen"},
    "comments.edit": {"vi": "Sửa ý kiến của tôi", "en": "Edit my comment"},
    "comments.save": {"vi": "Lưu nội dung", "en": "Save text"},
    "comments.resolved_by": {"vi": "Đã xử lý — {user}, {at}", "en": "Resolved — {user}, {at}"},
    "comments.open": {"vi": "Đang mở", "en": "Open"},
    "comments.edited": {"vi": "(đã sửa)", "en": "(edited)"},
    "comments.by": {"vi": "{user} · {at}", "en": "{user} · {at}"},
    "comments.sent": {"vi": "Đã gửi ý kiến số {id}.", "en": "Comment {id} sent."},
    "comments.read_only": {
        "vi": "Bạn xem được các trao đổi; quản trị viên chưa cho phép người xem viết ý kiến.",
        "en": "You can read the threads; an administrator has not allowed viewers to comment.",
    },
    "comments.sign_in": {"vi": "Đăng nhập để trao đổi.", "en": "Sign in to comment."},
    "comments.past": {
        "vi": "Đang xem trao đổi như tại ngày {day}; chỉ viết được ở thời điểm hôm nay.",
        "en": "Showing the threads as they stood on {day}; comments are written at today only.",
    },
    "comments.mine": {"vi": "Cần tôi xử lý", "en": "Waiting for me"},
    "comments.mine_none": {"vi": "Không có trao đổi nào cần bạn trả lời.", "en": "Nothing is waiting for you."},
    "comments.mine_n": {"vi": "{n} trao đổi cần bạn trả lời", "en": "{n} threads wait for your answer"},
    "comments.open_item": {"vi": "Mở: {subject}", "en": "Open: {subject}"},
    "comments.on_task": {"vi": "Nhiệm vụ {id}", "en": "Task {id}"},
    "comments.on_indicator": {"vi": "Chỉ tiêu {name}", "en": "Indicator {name}"},
    "comments.viewers": {"vi": "Cho phép người xem viết ý kiến", "en": "Let viewers comment"},
    "comments.viewers_saved": {"vi": "Đã lưu thiết lập.", "en": "Setting saved."},
    "comments.empty": {"vi": "Ý kiến không được để trống.", "en": "A comment cannot be empty."},
    "comments.too_long": {"vi": "Ý kiến dài quá {limit} ký tự.", "en": "A comment is longer than {limit} characters."},
    "comments.not_found": {"vi": "Không có ý kiến số {id}.", "en": "No comment {id}."},
    "comments.no_target": {
        "vi": "Cần nói ý kiến về đối tượng, nhiệm vụ hay chỉ tiêu nào.",
        "en": "Say which feature, task or indicator the comment is about.",
    },
    "comments.no_subject": {"vi": "Không tìm thấy '{on}' trong kho.", "en": "'{on}' is not in the store."},
    "comments.sensitive": {
        "vi": "Lớp này có thông tin hạn chế; vai trò của bạn không xem được trao đổi về nó.",
        "en": "This layer holds restricted fields; your role cannot see its threads.",
    },
    "comments.not_yours": {
        "vi": "Chỉ người viết mới sửa được ý kiến này.",
        "en": "Only its author can edit this comment.",
    },
    "comments.too_late": {
        "vi": "Chỉ sửa được ý kiến trong {minutes} phút sau khi viết.",
        "en": "A comment can be edited for {minutes} minutes after it was written.",
    },
    "comments.not_allowed": {
        "vi": "Vai trò của bạn không được viết ý kiến.",
        "en": "Your role may not write comments.",
    },
    "comments.already_resolved": {"vi": "Luồng {id} đã được xử lý.", "en": "Thread {id} is resolved already."},
    "comments.already_open": {"vi": "Luồng {id} đang mở.", "en": "Thread {id} is open already."},
    "comments.pack": {"vi": "Trao đổi đang mở", "en": "Open threads"},
    # the search box (geo/read/search.py, ui/search.py)
    "search.label": {
        "vi": "Tìm đối tượng (tên, mã, “tờ 12 thửa 101”)",
        "en": "Find a feature (name, code, “sheet 12 parcel 101”)",
    },
    "search.help": {
        "vi": "Gõ tên hoặc mã rồi nhấn Enter; có dấu hay không dấu đều được. Thửa đất: “tờ 12 thửa 101” hoặc “12/101”.",
        "en": "Type a name or a code and press Enter; accents are optional. "
        "Parcels: “to 12 thua 101” (sheet 12, parcel 101) or “12/101”.",
    },
    "search.results": {"vi": "{n} kết quả cho “{q}”", "en": "{n} results for “{q}”"},
    "search.none": {"vi": "Không tìm thấy “{q}”.", "en": "Nothing found for “{q}”."},
    "search.more": {
        "vi": "Chỉ hiện {n} kết quả đầu; hãy gõ cụ thể hơn.",
        "en": "Showing the first {n}; type more to narrow.",
    },
    "search.chosen": {"vi": "Đã chọn {label} ({layer}).", "en": "Selected {label} ({layer})."},
    "alert.title": {"vi": "Cảnh báo từ dữ liệu", "en": "Alerts from the data"},
    "alert.none": {"vi": "Không có cảnh báo.", "en": "No alert."},
    "alert.layers": {
        "vi": "{n} lớp dữ liệu chưa cập nhật quá {days} ngày:",
        "en": "{n} layers not updated for more than {days} days:",
    },
    "alert.task": {"vi": "Nhiệm vụ {id} quá hạn ({day}): {short}", "en": "Task {id} overdue ({day}): {short}"},
    "alert.stalled": {
        "vi": "Nhiệm vụ {id} chưa có tiến độ mới {n} ngày: {short}",
        "en": "Task {id}: no progress for {n} days: {short}",
    },
    "alert.layers_one": {
        "vi": "{n} lớp dữ liệu chưa cập nhật quá {days} ngày",
        "en": "{n} layers not updated for more than {days} days",
    },
    "alert.indicator": {"vi": "Chỉ tiêu chậm so với kế hoạch: {name} — {said}", "en": "Behind plan: {name} — {said}"},
    "alert.field_conflicts": {
        "vi": "{n} thay đổi từ thực địa đang chờ quyết định (trang Dữ liệu, Gói công tác thực địa)",
        "en": "{n} changes from the field await a decision (Data page, field work package)",
    },
    "alert.layer": {
        "vi": "Lớp “{title}” chưa cập nhật từ {day}",
        "en": "Layer “{title}” not updated since {day}",
    },
    "pres.full_screen": {"vi": "Toàn màn hình (máy chiếu)", "en": "Full screen (projector)"},
    "pres.prev": {"vi": "Trước", "en": "Previous"},
    "pres.next": {"vi": "Tiếp", "en": "Next"},
    "pres.task": {"vi": "Nhiệm vụ", "en": "Task"},
    "pres.since": {"vi": "Thay đổi kể từ ngày", "en": "Changes since"},
    "pres.no_changes": {"vi": "Không có thay đổi nào kể từ {day}.", "en": "Nothing changed since {day}."},
    "pres.quote": {"vi": "Nguyên văn Thông báo:", "en": "The notice's words (Vietnamese):"},
    "pres.figure_at": {"vi": "{period}, số liệu ngày {day}", "en": "{period}, as stated on {day}"},
    "pres.task_changed": {"vi": "Đã thay đổi từ {day}", "en": "Changed since {day}"},
    "pres.empty": {"vi": "Kho dữ liệu chưa có khung nhìn hay nhiệm vụ nào.", "en": "The store has no views or tasks."},
    "export.codes": {"vi": "Dữ liệu: giữ mã định danh (cho máy)", "en": "Data: keep identifiers (for machines)"},
    "export.codes_help": {
        "vi": "Tắt: tên cột và giá trị theo nhãn tiếng Việt hoặc tiếng Anh. Bật: tên trường và mã, như trong kho.",
        "en": "Off: columns and values under their labels in the page's language. On: field names and codes.",
    },
    "tables.provenance": {"vi": "Nguồn dữ liệu", "en": "Provenance"},
    "tables.layer": {"vi": "Lớp", "en": "Layer"},
    "tables.layer_id": {"vi": "Mã lớp", "en": "Layer id"},
    "tables.features": {"vi": "Số đối tượng", "en": "Features"},
    "tables.demo": {"vi": "Dữ liệu minh họa", "en": "Demo data"},
    "tables.partly": {"vi": "Một phần: {n}/{m} đối tượng", "en": "Partly: {n} of {m} features"},
    "tables.filters": {"vi": "Bộ lọc", "en": "Filters"},
    "tables.no_filter": {"vi": "Không lọc", "en": "None"},
    "tables.now": {"vi": "Hiện tại", "en": "Now"},
    "tables.lon": {"vi": "Kinh độ", "en": "Longitude"},
    "tables.lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "tables.contents": {"vi": "Mục lục", "en": "Contents"},
    "tables.sheet": {"vi": "Trang tính", "en": "Sheet"},
    "tables.full_name": {"vi": "Tên đầy đủ", "en": "Full name"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    # -- import ---------------------------------------------------------------------------
    "import.report_title": {"vi": "Báo cáo kiểm tra tệp {source}", "en": "Validation report for {source}"},
    "import.refused": {"vi": "KHÔNG NHẬP ĐƯỢC: {reason}", "en": "REFUSED: {reason}"},
    "import.r_format": {"vi": "Định dạng: {value}", "en": "Format: {value}"},
    "import.r_features": {"vi": "Số đối tượng: {value}", "en": "Features: {value}"},
    "import.r_geometry": {"vi": "Kiểu hình học: {value}", "en": "Geometry types: {value}"},
    "import.r_crs": {"vi": "Hệ tọa độ: {value}", "en": "Coordinate system: {value}"},
    "import.r_encoding": {"vi": "Bảng mã chữ: {value}", "en": "Text encoding: {value}"},
    "import.r_bounds": {"vi": "Phạm vi (WGS 84, T N Đ B): {value}", "en": "Bounds (WGS 84, W S E N): {value}"},
    "import.r_mapping": {"vi": "Ghép cột: {value}", "en": "Column mapping: {value}"},
    "import.r_preview": {"vi": "Xem trước:", "en": "Preview:"},
    "import.error": {"vi": "LỖI", "en": "ERROR"},
    "import.warning": {"vi": "Cảnh báo", "en": "Warning"},
    "import.ok": {"vi": "Tệp hợp lệ, có thể nhập.", "en": "The file is valid and can be imported."},
    "import.blocked": {
        "vi": "Chưa nhập được: hãy sửa các lỗi trên (hoặc ghép lại cột) rồi thử lại.",
        "en": "Cannot import yet: fix the errors above (or remap the columns) and try again.",
    },
    "import.at_row": {"vi": "dòng {row}", "en": "row {row}"},
    "import.at_field": {"vi": "cột {field}", "en": "column {field}"},
    "import.bad_zip": {"vi": "Tệp ZIP bị hỏng ({reason}).", "en": "The ZIP file is damaged ({reason})."},
    "import.zip_too_many": {
        "vi": "Tệp ZIP có {n} tệp con, quá giới hạn {limit}.",
        "en": "The ZIP holds {n} files, more than the limit of {limit}.",
    },
    "import.zip_unsafe": {
        "vi": "Tệp ZIP chứa đường dẫn không an toàn ('{member}'): liên kết, '..' hoặc đường dẫn tuyệt đối. Không mở.",
        "en": "The ZIP holds an unsafe path ('{member}'): a link, '..' or an absolute path. Not opened.",
    },
    "import.zip_member": {
        "vi": "Tệp ZIP chứa '{member}' không phải dữ liệu bản đồ (chỉ nhận: {allowed}).",
        "en": "The ZIP holds '{member}', which is not map data (accepted: {allowed}).",
    },
    "import.zip_bomb": {
        "vi": "Tệp '{member}' trong ZIP giải nén ra quá lớn so với kích thước nén: từ chối để bảo vệ máy chủ.",
        "en": "'{member}' in the ZIP expands far beyond its compressed size: refused to protect the server.",
    },
    "import.zip_no_data": {
        "vi": "Trong ZIP không có tệp dữ liệu bản đồ ({allowed}).",
        "en": "The ZIP holds no map data file ({allowed}).",
    },
    "import.zip_several": {
        "vi": "ZIP có nhiều lớp dữ liệu ({names}); hãy nén riêng từng lớp.",
        "en": "The ZIP holds several layers ({names}); zip one layer at a time.",
    },
    "import.too_big": {"vi": "Tệp quá lớn (giới hạn {limit} MB).", "en": "The file is too large (limit {limit} MB)."},
    "import.too_big_cli": {
        "vi": "Tệp quá lớn (giới hạn {limit} MB); nâng giới hạn bằng --max-mb hoặc biến môi trường {env}.",
        "en": "The file is too large (limit {limit} MB); raise the limit with --max-mb or the {env} setting.",
    },
    "import.progress_read": {"vi": "Đọc tệp", "en": "Reading the file"},
    "import.progress_check": {"vi": "Kiểm tra (bước)", "en": "Checking (steps)"},
    "import.progress_prepare": {"vi": "Chuẩn bị ghi", "en": "Preparing the write"},
    "import.progress_write": {"vi": "Ghi vào kho", "en": "Writing into the store"},
    "import.progress_tiles": {"vi": "Dựng sẵn ô bản đồ", "en": "Building the map tiles"},
    "import.tiles_later": {
        "vi": "Đã nhập xong; chưa dựng sẵn được ô bản đồ ({why}): ứng dụng sẽ tự dựng khi mở bản đồ.",
        "en": "Imported; the map tiles could not be built now ({why}): the app builds them when the map is opened.",
    },
    "import.too_many": {
        "vi": "Tệp có {n} đối tượng, quá giới hạn {limit}; hãy chia nhỏ.",
        "en": "The file has {n} features, more than the limit of {limit}; split it.",
    },
    "import.vsi": {
        "vi": "'{name}' là đường dẫn ảo của GDAL (mạng, tệp nén): chỉ nhận tệp thật trên máy.",
        "en": "'{name}' is a GDAL virtual path (network, archive): only real files on this machine are accepted.",
    },
    "import.too_complex_one": {
        "vi": "Đối tượng ở dòng {row} có {n} đỉnh, quá giới hạn {limit}: hãy đơn giản hóa hoặc chia nhỏ.",
        "en": "The feature in row {row} has {n} vertices, over the limit of {limit}: simplify or split it first.",
    },
    "import.too_complex": {
        "vi": "Tệp có tổng cộng {n} đỉnh, quá giới hạn {limit}: hãy chia tệp.",
        "en": "The file has {n} vertices in all, over the limit of {limit}: split the file.",
    },
    "import.empty": {"vi": "Tệp '{name}' rỗng.", "en": "The file '{name}' is empty."},
    "import.missing": {"vi": "Không tìm thấy tệp '{name}'.", "en": "File '{name}' not found."},
    "import.vrt": {
        "vi": "'{name}' là tệp chỉ dẫn GDAL (VRT), không phải dữ liệu: từ chối vì có thể đọc tệp của máy chủ.",
        "en": "'{name}' is a GDAL VRT (instructions, not data): refused because it could read the server's files.",
    },
    "import.not_geojson_html": {
        "vi": "'{name}' là trang HTML/XML chứ không phải GeoJSON (có thể tải nhầm trang web).",
        "en": "'{name}' is an HTML/XML page, not GeoJSON (perhaps a web page saved by mistake).",
    },
    "import.not_format": {
        "vi": "Nội dung '{name}' không phải {fmt} như tên tệp cho biết.",
        "en": "The content of '{name}' is not {fmt} as its name says.",
    },
    "import.shp_part": {
        "vi": "Shapefile '{name}' thiếu tệp {part}; hãy nén đủ .shp, .shx, .dbf, .prj (và .cpg nếu có).",
        "en": "Shapefile '{name}' lacks its {part}; zip .shp, .shx, .dbf, .prj (and .cpg) together.",
    },
    "import.unreadable": {
        "vi": "Không đọc được '{name}' (tệp hỏng hoặc bị cắt cụt): {reason}",
        "en": "Cannot read '{name}' (damaged or truncated): {reason}",
    },
    "import.unknown_format": {
        "vi": "Không nhận định dạng của '{name}'. Nhận: {allowed}.",
        "en": "Unknown format for '{name}'. Accepted: {allowed}.",
    },
    "import.no_coordinates": {
        "vi": "Bảng không có cột tọa độ (lon/lat, kinh độ/vĩ độ, X/Y hoặc WKT). Các cột: {columns}.",
        "en": "The table has no coordinate columns (lon/lat, X/Y or WKT). Columns: {columns}.",
    },
    "import.bad_wkt": {"vi": "Hình học WKT không đọc được.", "en": "Unreadable WKT geometry."},
    "import.duplicate_columns": {
        "vi": "Sau khi chuyển bảng mã, hai cột trùng tên.",
        "en": "Two columns have the same name once decoded.",
    },
    "import.bad_encoding": {
        "vi": "Không biết bảng mã '{encoding}' (chọn: {allowed}).",
        "en": "Unknown encoding '{encoding}' (choose: {allowed}).",
    },
    "import.bad_crs": {"vi": "Không hiểu hệ tọa độ '{crs}'.", "en": "Unknown coordinate system '{crs}'."},
    "import.no_geometry": {
        "vi": "Tệp không có đối tượng nào có hình học hợp lệ.",
        "en": "The file has no feature with a usable geometry.",
    },
    "import.likely_zone": {"vi": "VN-2000 / {zone}, {code}", "en": "VN-2000 / {zone}, {code}"},
    "import.no_crs_metres": {
        "vi": "Tệp không khai báo hệ tọa độ; tọa độ tính bằng mét (X≈{x}, Y≈{y}), nhiều khả năng là {likely}. "
        "Hãy chọn hệ tọa độ (dòng lệnh: --crs EPSG:9215; trên trang Dữ liệu: ô 'Hệ tọa độ của tệp').",
        "en": "The file declares no coordinate system; its coordinates are metres (X≈{x}, Y≈{y}), "
        "most likely {likely}. "
        "Choose it (command line: --crs EPSG:9215; on the Data page: 'File coordinate system').",
    },
    "import.no_crs_degrees": {
        "vi": "Tệp không khai báo hệ tọa độ. Nếu là kinh độ/vĩ độ GPS, chọn --crs EPSG:4326.",
        "en": "The file declares no coordinate system. If these are GPS longitudes/latitudes, use --crs EPSG:4326.",
    },
    "import.metres_as_degrees": {
        "vi": "Tệp khai báo {declared} (độ) nhưng tọa độ là mét (X≈{x}): nhiều khả năng là {likely}. "
        "Hãy chọn đúng hệ tọa độ (--crs EPSG:9215).",
        "en": "The file declares {declared} (degrees) but its coordinates are metres (X≈{x}): most likely {likely}. "
        "Choose the right system (--crs EPSG:9215).",
    },
    "import.datum_dropped": {
        "vi": "Hệ tọa độ của tệp giữ kinh tuyến trục VN-2000 nhưng mất tham số chuyển đổi datum VN-2000 → WGS 84 "
        "(lỗi hay gặp ở tệp MapInfo/.prj): vị trí sẽ lệch khoảng {metres} m. Nếu tệp là VN-2000, "
        "chọn {code} (VN-2000 / {zone}) bằng --crs {code}.",
        "en": "The file's CRS keeps the VN-2000 central meridian but lost the VN-2000 → WGS 84 datum shift "
        "(a common MapInfo/.prj fault): positions would be off by about {metres} m. If the file is VN-2000, "
        "pick {code} (VN-2000 / {zone}) with --crs {code}.",
    },
    "import.outside_vietnam": {
        "vi": "Tọa độ nằm ngoài Việt Nam ({bounds}): sai hệ tọa độ, sai múi chiếu hoặc nhầm cột. {hint}",
        "en": "The coordinates fall outside Vietnam ({bounds}): wrong CRS, wrong zone or swapped columns. {hint}",
    },
    "import.hint_swapped": {
        "vi": "Đổi chỗ X và Y thì nằm trong Việt Nam: có lẽ hai cột bị đảo.",
        "en": "Swapping X and Y puts them in Vietnam: the columns are probably swapped.",
    },
    "import.outside_district": {
        "vi": "Một phần dữ liệu nằm ngoài huyện Đình Lập.",
        "en": "Part of the data lies outside Đình Lập district.",
    },
    "import.empty_geometry": {"vi": "Hình học rỗng: bỏ qua đối tượng.", "en": "Empty geometry: feature dropped."},
    "import.nonfinite_geometry": {
        "vi": "Tọa độ không hợp lệ (NaN/vô cực): bỏ qua đối tượng.",
        "en": "Invalid coordinates (NaN/infinite): feature dropped.",
    },
    "import.repaired": {
        "vi": "Hình học không hợp lệ ({reason}): đã sửa bằng make_valid.",
        "en": "Invalid geometry ({reason}): repaired with make_valid.",
    },
    "import.wrong_geometry": {
        "vi": "Kiểu hình học {found}, lớp này cần {expected}.",
        "en": "Geometry type {found}; this layer needs {expected}.",
    },
    "import.missing_column": {
        "vi": "Thiếu cột bắt buộc '{label}': hãy ghép một cột của tệp vào trường này.",
        "en": "Missing required column '{label}': map a column of the file to it.",
    },
    "import.mapping_unknown": {"vi": "Tệp không có cột này.", "en": "The file has no such column."},
    "import.missing_value": {"vi": "'{label}' để trống.", "en": "'{label}' is empty."},
    "import.values": {"vi": "Giá trị trong tệp → loại của lớp", "en": "The file's values → the layer's classes"},
    "import.values_help": {
        "vi": "Mỗi giá trị khác nhau của cột mã hóa, số dòng mang nó và loại nó thuộc về (gợi ý theo chữ, "
        "hoặc như lần nhập trước). Sửa nếu sai; giá trị chưa gán sẽ chặn việc nhập. Lựa chọn được ghi nhớ cho lớp này.",
        "en": "Each distinct value of a coded column, its rows, and the class it lands in (suggested from its "
        "words, or as at the last import). Correct what is wrong; an unmapped value blocks the import. "
        "Choices are remembered for this layer.",
    },
    "import.values_none": {"vi": "— chưa gán —", "en": "— not mapped —"},
    "import.values_file": {"vi": "Giá trị trong tệp (cột {column})", "en": "Value in the file (column {column})"},
    "import.values_rows": {"vi": "Số dòng", "en": "Rows"},
    "import.values_how": {"vi": "Căn cứ", "en": "Basis"},
    "import.values_chosen": {"vi": "Khớp hoặc đã chọn", "en": "Exact or chosen"},
    "import.values_suggested": {"vi": "Gợi ý — kiểm tra lại", "en": "Suggested — check"},
    "import.unmapped_value": {
        "vi": "Giá trị “{value}” ({n} dòng) chưa gán vào loại nào của “{label}”; có thể là: --values '{hint}'. "
        "Được phép: {allowed}",
        "en": "Value “{value}” ({n} rows) is not mapped to any class of “{label}”; perhaps: --values '{hint}'. "
        "Allowed: {allowed}",
    },
    "import.unmapped_value_no_hint": {
        "vi": "Giá trị “{value}” ({n} dòng) chưa gán vào loại nào của “{label}” "
        "(gán bằng --values TRƯỜNG:GIÁ_TRỊ=MÃ). Được phép: {allowed}",
        "en": "Value “{value}” ({n} rows) is not mapped to any class of “{label}” "
        "(map it with --values FIELD:VALUE=CODE). Allowed: {allowed}",
    },
    "import.unmapped_value_web": {
        "vi": "Giá trị “{value}” ({n} dòng) chưa gán vào loại nào của “{label}”: chọn loại cho nó trong bảng "
        "“Giá trị trong tệp → loại của lớp” phía trên (gợi ý: {code}).",
        "en": "Value “{value}” ({n} rows) is not mapped to any class of “{label}”: choose its class in the table "
        "“The file's values → the layer's classes” above (suggested: {code}).",
    },
    "import.unmapped_value_no_hint_web": {
        "vi": "Giá trị “{value}” ({n} dòng) chưa gán vào loại nào của “{label}”: chọn loại cho nó trong bảng "
        "“Giá trị trong tệp → loại của lớp” phía trên.",
        "en": "Value “{value}” ({n} rows) is not mapped to any class of “{label}”: choose its class in the table "
        "“The file's values → the layer's classes” above.",
    },
    "import.r_value": {
        "vi": "  Giá trị {field} “{value}” ({n} dòng) → {code}",
        "en": "  Value {field} “{value}” ({n} rows) → {code}",
    },
    "import.bad_code": {
        "vi": "Giá trị '{value}' không có trong danh mục của '{label}' (được phép: {allowed}).",
        "en": "'{value}' is not a known value of '{label}' (allowed: {allowed}).",
    },
    "import.bad_unit": {
        "vi": "'{value}' không phải xã, thị trấn của Đình Lập.",
        "en": "'{value}' is not a commune or town of Đình Lập.",
    },
    "import.measure_unit": {
        "vi": "Cột này ghi “{label}” theo {unit}, không theo {field_unit}: số ghi bằng khoảng {ratio} lần diện tích, "
        "chiều dài đo từ hình (VN-2000 / TM-3 107°15′). Đã đổi sang {field_unit}.",
        "en": "This column gives “{label}” in {unit}, not {field_unit}: its values are about {ratio} times what the "
        "geometry measures (VN-2000 / TM-3 107°15′). Converted to {field_unit}.",
    },
    "import.measure_off": {
        "vi": "“{label}” ghi {declared} {unit}, đo từ hình được {measured} {unit} (VN-2000 / TM-3 107°15′): "
        "lệch {pct}%.",
        "en": "“{label}” says {declared} {unit}; the geometry measures {measured} {unit} (VN-2000 / TM-3 107°15′): "
        "{pct}% off.",
    },
    "import.measure_off_more": {
        "vi": "Còn {n} dòng nữa có “{label}” lệch quá 5% so với số đo từ hình.",
        "en": "{n} more rows have “{label}” more than 5% off what the geometry measures.",
    },
    "import.unit_mismatch": {
        "vi": "Tệp ghi “{value}” nhưng đối tượng nằm ở {found} (đơn vị 2024), {found_2025} (xã từ 1/7/2025).",
        "en": "The file says “{value}” but the feature lies in {found} (2024 unit), {found_2025} "
        "(commune from 1 Jul 2025).",
    },
    "import.unit_2025": {
        "vi": "“{value}” là {commune} (xã từ 1/7/2025), nơi đối tượng nằm: lưu theo đơn vị 2024 chứa nó, {found}.",
        "en": "“{value}” is {commune} (commune from 1 Jul 2025), where the feature lies: stored under the 2024 unit "
        "that holds it, {found}.",
    },
    "import.unit_mismatch_more": {
        "vi": "Còn {n} dòng nữa ghi đơn vị hành chính khác nơi đối tượng nằm.",
        "en": "{n} more rows name a unit other than the one the feature lies in.",
    },
    "import.bad_number": {"vi": "'{value}' không phải số hợp lệ.", "en": "'{value}' is not a valid number."},
    "import.bad_percent": {"vi": "'{value}' phải từ 0 đến 100.", "en": "'{value}' must be 0 to 100."},
    "import.bad_bool": {"vi": "'{value}' phải là Có/Không.", "en": "'{value}' must be yes/no."},
    "import.bad_date": {
        "vi": "'{value}' không phải ngày (dd/mm/yyyy).",
        "en": "'{value}' is not a date (dd/mm/yyyy or yyyy-mm-dd).",
    },
    "import.too_long": {"vi": "Văn bản dài quá giới hạn.", "en": "Text longer than the limit."},
    "import.duplicate_key": {"vi": "Mã '{value}' bị trùng.", "en": "Key '{value}' is duplicated."},
    "import.rule_at_most": {
        "vi": "'{field}' ({value}) lớn hơn '{other}' ({limit}).",
        "en": "'{field_en}' ({value_en}) is more than '{other_en}' ({limit_en}).",
    },
    "import.rule_needs": {
        "vi": "'{field}' là '{value}' nhưng thiếu '{other}'.",
        "en": "'{field_en}' is '{value_en}' but '{other_en}' is missing.",
    },
    "import.note_xy_swapped": {
        "vi": "Cột X là tọa độ Bắc, Y là tọa độ Đông (quy ước trắc địa): đã đọc đúng.",
        "en": "Column X holds northings and Y eastings (the surveyors' convention): read accordingly.",
    },
    "import.note_legacy_in_unicode": {
        "vi": "Chữ trong tệp gõ bằng phông cũ (TCVN3/VNI): đã chuyển sang Unicode.",
        "en": "The text was typed in a legacy font (TCVN3/VNI): converted to Unicode.",
    },
    "import.title": {"vi": "Nhập dữ liệu từ tệp", "en": "Import a file"},
    "import.intro": {
        "vi": "Shapefile (nén .zip), GeoPackage, GeoJSON, KML/KMZ, MapInfo TAB (nén .zip), CSV/Excel có cột "
        "kinh độ/vĩ độ hoặc X/Y VN-2000. Tệp được kiểm tra trước; chưa có gì được lưu cho tới khi bấm 'Nhập'.",
        "en": "Shapefile (zipped), GeoPackage, GeoJSON, KML/KMZ, MapInfo TAB (zipped), CSV/Excel with lon/lat "
        "or VN-2000 X/Y columns. The file is checked first; nothing is stored until you press 'Import'.",
    },
    "import.sign_in": {
        "vi": "Đăng nhập với vai trò chuyên viên để nhập hoặc sửa dữ liệu.",
        "en": "Sign in as a planner to import or edit data.",
    },
    "import.file": {"vi": "Tệp dữ liệu", "en": "Data file"},
    "import.target": {"vi": "Nhập vào", "en": "Import into"},
    "import.target_layer": {"vi": "Lớp có sẵn", "en": "An existing layer"},
    "import.target_new": {"vi": "Lớp mới (lớp bổ sung)", "en": "A new overlay layer"},
    "import.crs": {"vi": "Hệ tọa độ của tệp", "en": "File coordinate system"},
    "import.crs_file": {"vi": "Theo khai báo trong tệp", "en": "As declared in the file"},
    "import.encoding": {"vi": "Bảng mã chữ", "en": "Text encoding"},
    "import.enc_auto": {"vi": "Tự nhận biết", "en": "Detect"},
    "import.layer": {"vi": "Lớp", "en": "Layer"},
    "import.new_id": {
        "vi": "Mã lớp mới (không dấu, vd. khu_dat_2025)",
        "en": "New layer id (ASCII, e.g. parcels_2025)",
    },
    "import.new_title": {"vi": "Tên lớp mới", "en": "New layer title"},
    "import.m_features": {"vi": "Số đối tượng", "en": "Features"},
    "import.m_geometry": {"vi": "Kiểu hình học", "en": "Geometry"},
    "import.m_encoding": {"vi": "Bảng mã", "en": "Encoding"},
    "import.m_format": {"vi": "Định dạng", "en": "Format"},
    "import.problems": {"vi": "Báo cáo kiểm tra: {n} vấn đề", "en": "Validation report: {n} problems"},
    "import.col_kind": {"vi": "Mức", "en": "Level"},
    "import.col_row": {"vi": "Dòng", "en": "Row"},
    "import.col_field": {"vi": "Cột", "en": "Column"},
    "import.col_message": {"vi": "Nội dung", "en": "Message"},
    "import.preview": {
        "vi": "Xem trước (chữ đã chuyển sang Unicode)",
        "en": "Preview (text converted to Unicode)",
    },
    "import.preview_map": {"vi": "Vị trí trên bản đồ (chưa lưu)", "en": "Where it lands (not stored yet)"},
    "import.preview_layer": {"vi": "Tệp đang nhập", "en": "File being imported"},
    "import.mapping": {
        "vi": "Ghép cột của tệp với trường của lớp (* là bắt buộc)",
        "en": "Map the file's columns to the layer's fields (* required)",
    },
    "import.mode": {"vi": "Cách nhập", "en": "How"},
    "import.mode_replace": {"vi": "Thay thế toàn bộ lớp", "en": "Replace the layer"},
    "import.mode_append": {"vi": "Bổ sung vào lớp", "en": "Add to the layer"},
    "import.replace_warn": {
        "vi": "Thay thế sẽ xóa {n} đối tượng hiện có của lớp “{layer}” (vẫn khôi phục được từ nhật ký thay đổi).",
        "en": "Replacing removes the {n} features “{layer}” holds now (they can be restored from the change log).",
    },
    "import.replace_confirm": {
        "vi": "Tôi hiểu: xóa {n} đối tượng và thay bằng tệp này",
        "en": "I understand: remove {n} features and put this file in their place",
    },
    "import.go": {"vi": "Nhập vào kho dữ liệu", "en": "Import into the store"},
    "import.see_map": {"vi": "Xem trên bản đồ tổng quan", "en": "See it on the overview map"},
    "rollback.title": {"vi": "Khôi phục dữ liệu về một thời điểm", "en": "Roll the data back to a moment"},
    "rollback.intro": {
        "vi": "Hoàn tác mọi thay đổi (sửa, nhập tệp, di chuyển điểm) sau thời điểm chọn. "
        "Việc khôi phục cũng được ghi nhật ký.",
        "en": "Undo every change (edits, imports, moved points) made after the chosen moment. "
        "The rollback is logged too.",
    },
    "rollback.day": {"vi": "Ngày", "en": "Day"},
    "rollback.time": {"vi": "Giờ", "en": "Time"},
    "rollback.count": {"vi": "{n} thay đổi sau {when}.", "en": "{n} changes after {when}."},
    "rollback.confirm": {
        "vi": "Tôi hiểu: các thay đổi này sẽ bị hoàn tác",
        "en": "I understand these changes will be undone",
    },
    "rollback.go": {"vi": "Khôi phục", "en": "Roll back"},
    "rollback.done": {"vi": "Đã hoàn tác {n} thay đổi.", "en": "{n} changes undone."},
    "rollback.tz": {
        "vi": "Mọi thời điểm ở đây là giờ Việt Nam (UTC+7).",
        "en": "Every time here is Vietnam time (UTC+7).",
    },
    "rollback.reason": {
        "vi": "Khôi phục về thời điểm {when} (giờ Việt Nam)",
        "en": "Rolled back to {when} (Vietnam time)",
    },
    "rollback.kind": {"vi": "Thay đổi", "en": "Change"},
    "undo.title": {"vi": "Hoàn tác một lần lưu hoặc một lần nhập", "en": "Undo one save or one import"},
    "undo.intro": {
        "vi": "Chọn một lần thay đổi (một lần lưu, một lần nhập tệp). Việc hoàn tác được ghi nhật ký và bị từ chối "
        "nếu sau đó có người đã sửa chính các giá trị ấy.",
        "en": "Pick one change set (one save, one file import). The undo is logged, and refused if someone "
        "changed the same values after it.",
    },
    "undo.pick": {"vi": "Lần thay đổi", "en": "Change set"},
    "undo.summary": {
        "vi": "#{id} · {when} · {user} · {what}",
        "en": "#{id} · {when} · {user} · {what}",
    },
    "undo.what": {
        "vi": "{fields} trường, thêm {added}, xóa {removed}",
        "en": "{fields} fields, {added} added, {removed} removed",
    },
    "undo.go": {"vi": "Hoàn tác lần thay đổi này", "en": "Undo this change set"},
    "undo.done": {
        "vi": "Đã hoàn tác lần thay đổi #{id} ({n} thay đổi).",
        "en": "Undid change set #{id} ({n} changes).",
    },
    "undo.unknown": {"vi": "Không có lần thay đổi #{id}.", "en": "No change set #{id}."},
    "undo.conflict": {
        "vi": "Không hoàn tác được #{id}: {n} thay đổi sau đó đã sửa chính các giá trị ấy (ví dụ '{field}' của "
        "{feature}, {user} lúc {when}, giờ Việt Nam). Hãy hoàn tác hoặc giữ các thay đổi đó trước.",
        "en": "Cannot undo #{id}: {n} later changes touched the same values (e.g. '{field}' of {feature}, by "
        "{user} at {when}, Vietnam time). Undo or keep those first.",
    },
    "undo.reason": {
        "vi": "Hoàn tác lần thay đổi #{id} của {user} lúc {when} (giờ Việt Nam)",
        "en": "Undid change set #{id} by {user} at {when} (Vietnam time)",
    },
    "normalise.reason": {
        "vi": "Chuẩn hóa giá trị trống: chuỗi rỗng thành NULL (một lần, tự động)",
        "en": "Empty values normalised: '' stored as NULL (once, automatic)",
    },
    "import.note_crs_given": {
        "vi": "Dùng hệ tọa độ người nhập chỉ định.",
        "en": "Using the coordinate system given by the user.",
    },
}


def t(key: str, lang: Lang = "vi", /, **kwargs: object) -> str:
    """Return the message ``key`` in ``lang``, formatted with ``kwargs``.

    An unknown key raises ``KeyError``: a missing string is a bug to see in
    tests, not a blank on a leader's screen.
    """
    text = MESSAGES[key][lang]
    return text.format(**kwargs) if kwargs else text


class UserError(Exception):
    """An error whose message is for a user: the key of a message in MESSAGES and its arguments.

    ``str(exc)`` is the English message (logs, tracebacks); :meth:`message` is it in the reader's language.
    """

    def __init__(self, key: str, /, **kwargs: object) -> None:
        self.key = key
        self.kwargs = kwargs
        super().__init__(t(key, "en", **kwargs))

    def message(self, lang: Lang = "vi") -> str:
        """The message in ``lang``."""
        return t(self.key, lang, **self.kwargs)


LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en"}  # Babel's locales: CLDR's separators and patterns
VIETNAM_TZ = "Asia/Ho_Chi_Minh"  # the time of day people read: the change log is stored in UTC


def fmt_number(value: float | int | None, lang: Lang = "vi", decimals: int | None = None) -> str:
    """Format a number by the language's rules (Babel: ``71.070``; ``170,7`` in vi_VN, ``71,070`` in en).

    ``decimals=None`` keeps up to two decimals and drops trailing zeros.

    Examples
    --------
    >>> fmt_number(71070)
    '71.070'
    >>> fmt_number(170.7)
    '170,7'
    >>> fmt_number(1234.5, "en")
    '1,234.5'
    >>> fmt_number(-0.004)
    '0'

    """
    from decimal import Decimal

    from babel.numbers import format_decimal

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    places = 2 if decimals is None else decimals
    number = Decimal(f"{value:.{places}f}")  # rounded as before; a rounded zero has no sign
    if number == 0:
        number = abs(number)
    fraction = ("." + ("#" if decimals is None else "0") * places) if places else ""
    return str(format_decimal(number, "#,##0" + fraction, locale=LOCALES[lang], decimal_quantization=False))


# A unit's kind before its proper name in Vietnamese ("Xã Bắc Xa"), after it in English ("Bắc Xa commune").
_UNIT_KINDS = (("Thị trấn Nông trường ", " state-farm township"), ("Thị trấn ", " township"), ("Xã ", " commune"))


def unit_name(name: str, lang: Lang = "vi") -> str:
    """An administrative unit's name as the language says it: the proper name stays, the kind is translated.

    >>> unit_name("Xã Bắc Xa", "en"), unit_name("Thị trấn Nông trường Thái Bình", "en"), unit_name("Xã Bắc Xa")
    ('Bắc Xa commune', 'Thái Bình state-farm township', 'Xã Bắc Xa')
    """
    if lang == "en":
        for prefix, kind in _UNIT_KINDS:
            if name.startswith(prefix):
                return name[len(prefix) :] + kind
    return name


#: Words the product's data write in Vietnamese that are categories, not names: said in English in the English
#: UI and pack. The notice's own quotations are not here: they stay Vietnamese, labelled as quotations.
TERMS: dict[str, str] = {
    # the kinds of land dispute (land_disputes.kind)
    "Ranh giới giữa hộ và Công ty": "Boundary between a household and the Company",
    "Hộ đang canh tác trên đất bàn giao": "Household farming on handed-over land",
    "Chồng lấn sổ đỏ của hộ": "Overlap with a household's land-use certificate",
    # the notice's tasks, by their short titles (tasks.short)
    "Rà soát chỉ tiêu, nhiệm vụ, dự toán; bố trí vốn đầu tư công, CTMTQG đúng quy định": (
        "Review targets, tasks and budgets; allocate public investment and national target programme funds as regulated"
    ),
    "GPMB QL4B Km18–Km80 và Cụm công nghiệp Đình Lập; quỹ đất tái định cư": (
        "Site clearance of QL4B Km18–Km80 and the Đình Lập industrial cluster; land for resettlement"
    ),
    "Cải cách thủ tục hành chính, chỉ số cải cách hành chính, năng lực cạnh tranh cấp huyện": (
        "Administrative procedure reform, the reform index, district competitiveness"
    ),
    "Tái cơ cấu nông nghiệp, rừng gỗ lớn, FSC, phòng cháy rừng; nhà máy chế biến nhựa thông": (
        "Restructure agriculture, large-timber forests, FSC, forest-fire prevention; the pine-resin plant"
    ),
    "Huyện đạt chuẩn nông thôn mới 2025: giao thông, y tế, chợ": (
        "The district meets the new-rural standard in 2025: roads, health, markets"
    ),
    "Phương án sử dụng đất Công ty Lâm nghiệp bàn giao; giải quyết tranh chấp đất đai": (
        "Plan for the land the Forestry Company handed over; settle land disputes"
    ),
    "An sinh xã hội, giảm nghèo, việc làm": "Social security, poverty reduction, jobs",
    "Kiềm chế, kéo giảm tai nạn giao thông": "Curb and reduce traffic accidents",
    "Đối ngoại; quan hệ hữu nghị với huyện Ninh Minh (Quảng Tây, Trung Quốc)": (
        "External relations; friendship with Ninh Minh county (Guangxi, China)"
    ),
    "Xã Đồng Thắng đạt chuẩn nông thôn mới năm 2024": "Đồng Thắng commune meets the new-rural standard in 2024",
    "Các kiến nghị, đề xuất: tiếp thu, triển khai; các sở, ngành hỗ trợ": (
        "Recommendations and proposals: taken up and carried out; provincial departments support"
    ),
}


#: Where the data come from, as the demo store records them (each layer's source, a figure's, a criterion's):
#: the Vietnamese text → its English. Names of documents (Thông báo, Quyết định, Nghị quyết, Thông tư) are cited
#: with their number, as an English reader finds them.
NOTICE_SOURCE_EN = (
    "Inspection conclusion notice of 24/4/2024 by the Vice-Chair of Lạng Sơn Provincial People's Committee"
)
SOURCES: dict[str, str] = {
    "Thông báo kết luận kiểm tra ngày 24/4/2024 của Phó Chủ tịch UBND tỉnh Lạng Sơn": NOTICE_SOURCE_EN,
    "Ranh giới sơ đồ do nhóm dự án vẽ theo phạm vi công bố (106,89–107,36°E; 21,33–21,74°N)": (
        "Schematic boundary drawn by the project team to the published extent (106.89–107.36°E; 21.33–21.74°N)"
    ),
    "Mã, tên, dân số 2019, diện tích xấp xỉ: danh mục ĐVHC của Tổng cục Thống kê, TĐTDS 2019; ranh giới: phân vùng sơ "
    "đồ do nhóm dự án dựng từ điểm trung tâm": (
        "Codes, names, 2019 population, approximate area: GSO list of administrative units, 2019 census; boundaries: "
        "schematic partition built by the project team from centre points"
    ),
    "Tuyến sơ đồ do nhóm dự án vẽ theo mô tả dự án nâng cấp QL4B Km18–Km80": (
        "Schematic route drawn by the project team from the QL4B Km18–Km80 upgrade project's description"
    ),
    "Gói thầu, quy mô mặt cắt theo mô tả dự án; tình trạng GPMB và số hộ: minh họa": (
        "Contract packages and cross-section from the project's description; clearance status and households: demo"
    ),
    "Cọc Km nội suy theo chiều dài tuyến sơ đồ": "Km posts interpolated along the schematic route",
    "Minh họa (nhiệm vụ 2.2 yêu cầu chuẩn bị quỹ đất tái định cư)": (
        "Demo (task 2.2 asks for land to be prepared for resettlement)"
    ),
    "Minh họa: ranh giới hai khu tái định cư do nhóm dự án vẽ bên QL4B; chuyên viên vẽ, sửa ranh giới thật trên bản "
    "đồ (nhiệm vụ 2.2)": (
        "Demo: two resettlement areas' boundaries the project team drew beside QL4B; planners draw and correct the "
        "real boundaries on the map (task 2.2)"
    ),
    "Minh họa (mục 1: cấp xi măng làm đường GTNT còn chậm)": (
        "Demo (section 1: cement for rural roads is handed out late)"
    ),
    "Minh họa (mục 1: số vụ tai nạn giao thông tăng so với cùng kỳ)": (
        "Demo (section 1: traffic accidents up on the same period last year)"
    ),
    "Diện tích 71,4 ha, 48,4 ha đất rừng sản xuất: nguồn thương mại chưa kiểm chứng; vị trí: minh họa": (
        "Area 71.4 ha, 48.4 ha of production forest land: unverified trade source; location: demo"
    ),
    "Minh họa (nhiệm vụ 2.4: nhà máy chế biến nhựa thông)": "Demo (task 2.4: the pine-resin processing plant)",
    "Minh họa (nhiệm vụ 2.6: đất Công ty TNHH MTV Lâm nghiệp Đình Lập bàn giao về địa phương)": (
        "Demo (task 2.6: land the Đình Lập Forestry Company handed over to the district)"
    ),
    "Minh họa, không có thông tin cá nhân (nhiệm vụ 2.6)": "Demo, no personal data (task 2.6)",
    "Đồng Thắng 10/19 và các tiêu chí 8, 11, 17 chưa đạt: Thông báo mục 1, 2.10; Bắc Lãng đạt chuẩn nâng cao 2022: "
    "Quyết định 105/QĐ-UBND ngày 26/1/2023; xã Đình Lập (2015), Bính Xá (2018) đạt chuẩn trước Thông báo; còn lại "
    "minh họa": (
        "Đồng Thắng 10/19 with criteria 8, 11, 17 not met: notice, sections 1 and 2.10; Bắc Lãng advanced standard "
        "2022: Decision 105/QĐ-UBND of 26/1/2023; Đình Lập commune (2015) and Bính Xá (2018) met the standard before "
        "the notice; the rest demo"
    ),
    "Tiêu chí 2, 5, 6 chưa đạt: Thông báo mục 2.5; 7, 8 chưa đạt đến 30/11/2024: báo Dân trí; còn lại minh họa": (
        "Criteria 2, 5, 6 not met: notice, section 2.5; 7 and 8 not met by 30/11/2024: Dân trí newspaper; the rest demo"
    ),
    "Quyết định 318/QĐ-TTg và 320/QĐ-TTg ngày 08/3/2022": (
        "Prime Minister's Decisions 318/QĐ-TTg and 320/QĐ-TTg of 8/3/2022"
    ),
    "Khung nhìn mẫu do nhóm dự án lập": "Sample views made by the project team",
    "Mã, tên, diện tích công bố: Nghị quyết 1672/NQ-UBTVQH15 ngày 16/6/2025; ranh giới: ghép sơ đồ từ các đơn vị 2024, "
    "phần tách của Bính Xá và Kiên Mộc chia theo tỷ lệ diện tích công bố (minh họa)": (
        "Codes, names, published areas: Resolution 1672/NQ-UBTVQH15 of 16/6/2025; boundaries: schematic, joined from "
        "the 2024 units, the split parts of Bính Xá and Kiên Mộc divided by the published areas (demo)"
    ),
    "Nghị quyết 1672/NQ-UBTVQH15 ngày 16/6/2025; tỷ lệ phần tách theo diện tích công bố (minh họa)": (
        "Resolution 1672/NQ-UBTVQH15 of 16/6/2025; split shares by the published areas (demo)"
    ),
    "Minh họa": "Demo",
    "Thông báo mục 2.5": "Notice, section 2.5",
    "Thông báo mục 2.5 (chợ)": "Notice, section 2.5 (markets)",
    "Thông báo mục 1, 2.10": "Notice, sections 1 and 2.10",
    "Chưa đạt đến 30/11/2024 (báo Dân trí)": "Not met by 30/11/2024 (Dân trí newspaper)",
    "Đạt chuẩn nông thôn mới nâng cao năm 2022, đánh giá theo bộ tiêu chí 2021–2025: Quyết định 105/QĐ-UBND ngày "
    "26/1/2023 của UBND tỉnh Lạng Sơn": (
        "Met the advanced new-rural standard in 2022, assessed on the 2021–2025 criteria: Decision 105/QĐ-UBND of "
        "26/1/2023 of Lạng Sơn Provincial People's Committee"
    ),
    "Minh họa: xã đạt chuẩn nông thôn mới năm 2015 (thẩm định ngày 7/12/2015); chưa thấy công bố đánh giá lại theo bộ "
    "tiêu chí 2021–2025 nên từng tiêu chí là giá trị minh họa": (
        "Demo: the commune met the new-rural standard in 2015 (appraised 7/12/2015); no published re-assessment on "
        "the 2021–2025 criteria, so each criterion is a demo value"
    ),
    "Minh họa: xã đạt chuẩn nông thôn mới theo Quyết định 2165/QĐ-UBND ngày 31/10/2018; chưa thấy công bố đánh giá "
    "lại theo bộ tiêu chí 2021–2025 nên từng tiêu chí là giá trị minh họa": (
        "Demo: the commune met the new-rural standard by Decision 2165/QĐ-UBND of 31/10/2018; no published "
        "re-assessment on the 2021–2025 criteria, so each criterion is a demo value"
    ),
}
_LAND_USE_SOURCE_START = "Ký hiệu loại đất: Phụ lục số 01"  # how geo.model.catalog.LAND_USE_SOURCE begins
#: The land-use code list's source (geo.model.catalog.LAND_USE_SOURCE), in English.
LAND_USE_SOURCE_EN = (
    "Land-use symbols: Appendix 01 (symbols on the cadastral map), Circular 25/2014/TT-BTNMT of 19/5/2014 of the "
    "Ministry of Natural Resources and Environment on cadastral maps; land statistics and inventory codes: Appendix "
    "01 of Circular 27/2018/TT-BTNMT of 14/12/2018 (keeping the codes of Circular 28/2014/TT-BTNMT of 2/6/2014); "
    "land categories by Article 9 of the 2024 Land Law (Law 31/2024/QH15) and the statistics codes of Circular "
    "08/2024/TT-BTNMT of 31/7/2024; the three land groups by Article 10 of the 2013 Land Law and Article 9 of the "
    "2024 Land Law. The 'standards' column says which document each code belongs to. Codes by Circular 08/2024 "
    "are as the development team understands them: check the original before official statistics."
)


def source_text(text: str, lang: Lang = "vi") -> str:
    """Where data come from, in ``lang``: a source the product wrote (:data:`SOURCES`, the land-use code list's,
    the notice's with its section "…, mục 1" → "…, section 1", and the demo parcels' "Minh họa: …" line) in
    English; a source a planner typed stays as typed.

    >>> source_text("Minh họa", "en"), source_text("Minh họa"), source_text("Sở GTVT, 2025", "en")
    ('Demo', 'Minh họa', 'Sở GTVT, 2025')
    """
    import re

    if lang != "en" or not isinstance(text, str):
        return text
    if text in SOURCES:
        return SOURCES[text]
    at = text.find(_LAND_USE_SOURCE_START)  # the land-use code list's source (geo.model.catalog.LAND_USE_SOURCE)
    if at == 0:
        return LAND_USE_SOURCE_EN
    if at > 0:  # the demo parcels: their own line, then the code list's
        head = text[:at].strip()
        if head.startswith("Minh họa: 48 thửa"):
            head = (
                "Demo: 48 parcels the project team drew on two map sheets of Đình Lập town; the land users' names "
                "are made up."
            )
        return f"{head} {LAND_USE_SOURCE_EN}"
    for vi, en in SOURCES.items():  # the notice with its section, and what follows it
        if text.startswith(vi + ","):
            rest = re.sub(r"\bmục\b", "section", text[len(vi) :])
            rest = rest.replace(
                "(kỳ đầu của mỗi chuỗi); các kỳ sau: chuyên viên nhập, có ghi nguồn",
                ("(the first period of each series); later periods: entered by planners, with their source"),
            )
            rest = re.sub(
                r"section 2 và 3 \(nguyên văn\); cơ quan, thời hạn, tiến độ: minh họa",
                "sections 2 and 3 (verbatim); agencies, deadlines, progress: demo",
                rest,
            )
            return en + rest
    return text


def term(text: str, lang: Lang = "vi") -> str:
    """``text`` in ``lang`` when it is one of the product's category words (:data:`TERMS`), an investor named
    by a letter, or a unit's short name ("TT Đình Lập" → "Đình Lập town"); else as it is.

    >>> term("Chồng lấn sổ đỏ của hộ", "en"), term("Nhà đầu tư A (minh họa)", "en"), term("TT NT Thái Bình", "en")
    ("Overlap with a household's land-use certificate", 'Investor A (demo)', 'Thái Bình state-farm town')
    >>> term("Chồng lấn sổ đỏ của hộ"), term("Bắc Xa", "en")
    ('Chồng lấn sổ đỏ của hộ', 'Bắc Xa')
    """
    import re

    if lang != "en" or not isinstance(text, str):
        return text
    if text in TERMS:
        return TERMS[text]
    if m := re.fullmatch(r"Nhà đầu tư (\w+)( \(minh họa\))?", text):
        return f"Investor {m[1]}" + (" (demo)" if m[2] else "")
    if "UBND " in text:  # a task's lead agencies: "UBND huyện Đình Lập; UBND xã Đồng Thắng"
        return "; ".join(_agency(part) for part in text.split("; "))
    if text.startswith("TT NT "):
        return f"{text[6:]} state-farm town"
    if text.startswith("TT "):
        return f"{text[3:]} town"
    return text


_AGENCY_KINDS = {"tỉnh": "Provincial", "huyện": "District", "xã": "Commune"}


def _agency(text: str) -> str:
    """A People's Committee by its name: "UBND xã Đồng Thắng" → "Đồng Thắng Commune People's Committee"."""
    import re

    m = re.fullmatch(r"UBND (tỉnh|huyện|xã) (.+)", text.strip())
    return f"{m[2]} {_AGENCY_KINDS[m[1]]} People's Committee" if m else text


def fmt_pct(value: float | None, lang: Lang = "vi", decimals: int | None = None) -> str:
    """Format a percentage: ``36,71%`` (vi) or ``36.71%`` (en)."""
    return "–" if value is None else fmt_number(value, lang, decimals) + "%"


def fmt_date(value: dt.date | str | None, lang: Lang = "vi") -> str:
    """Format a date as ``24/04/2024`` (vi) or ``2024-04-24`` (en), through Babel."""
    from babel.dates import format_date

    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return str(format_date(value, "dd/MM/yyyy" if lang == "vi" else "yyyy-MM-dd", locale=LOCALES[lang]))


def fmt_datetime(value: dt.datetime | str | None, lang: Lang = "vi") -> str:
    """A moment (an ISO timestamp, UTC in the change log) as people in Vietnam read it: ``15/05/2024 15:00``
    (vi) or ``2024-05-15 15:00`` (en), in Vietnam's time.

    >>> fmt_datetime("2024-05-15T08:00:00+00:00")
    '15/05/2024 15:00'
    """
    from zoneinfo import ZoneInfo

    from babel.dates import format_datetime

    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    pattern = "dd/MM/yyyy HH:mm" if lang == "vi" else "yyyy-MM-dd HH:mm"
    return str(format_datetime(value, pattern, tzinfo=ZoneInfo(VIETNAM_TZ), locale=LOCALES[lang]))

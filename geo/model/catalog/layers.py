"""The built-in layers, one declarative record each, and which pages and views show them."""

from __future__ import annotations

from dataclasses import replace

from geo.model.catalog.schema import CASING, Catalog, Field, LayerId, LayerSpec, Paint, Rule, Status, Theme

F = Field
UNIT_CODE = F("unit_code", "Xã, thị trấn", "Commune or town")
#: Records keep both codes: the other one, whichever grouping the reader chose (geo.read.reform).
COMMUNE_2025 = F("commune_2025", "Xã từ 1/7/2025", "Commune from 1 Jul 2025", required=False, derived=True)
UNIT_2024 = F("unit_code_2024", "Xã, thị trấn (trước 1/7/2025)", "Unit before 1 Jul 2025", required=False, derived=True)
UNIT_CODES = (UNIT_CODE, COMMUNE_2025, UNIT_2024)

# -- administrative base ----------------------------------------------------
DISTRICT = LayerSpec(
    id="district",
    vi="Ranh giới huyện Đình Lập",
    en="Đình Lập district outline",
    theme="base",
    geometry="Polygon",
    fields=(F("code", "Mã huyện", "District code"), F("name", "Tên", "Name")),
    key="code",
    paint=Paint(color="#1f2d3d", fill="#f4f1e8", weight=3.5, fill_opacity=0.6),
    tooltip=("name",),
    popup=("name", "code"),
    z=0,
    item_vi="huyện",
    item_en="district",
)

NTM_CLASSES = (
    Status("standard", "Đạt đủ 19/19 tiêu chí", "All 19 criteria met", "#1b7837"),
    Status("near", "Đạt 15–18 tiêu chí", "15–18 criteria met", "#7fbf7b"),
    Status("mid", "Đạt 10–14 tiêu chí", "10–14 criteria met", "#fee090"),
    Status("far", "Đạt dưới 10 tiêu chí", "Fewer than 10 met", "#e08214"),
    Status(
        "not_assessed", "Thị trấn: không đánh giá theo tiêu chí xã", "Town: not assessed on commune criteria", "#e0e0e0"
    ),
)
UNIT_TYPES = (
    Status("town", "Thị trấn", "Town", "#b0a48a"),
    Status("commune", "Xã", "Commune", "#d9d2bf"),
)
MET_STATES = (
    Status("met", "Đạt", "Met", "#1b7837"),
    Status("not_met", "Chưa đạt", "Not met", "#e08214"),
)

UNITS = LayerSpec(
    id="units",
    vi="Xã, thị trấn (2024)",
    en="Communes and towns (2024)",
    theme="base",
    geometry="Polygon",
    fields=(
        F("code", "Mã ĐVHC", "Unit code"),
        F("name", "Tên", "Name"),
        F("short_name", "Tên ngắn", "Short name"),
        F("unit_type", "Loại", "Type"),
        F("population_2019", "Dân số 2019", "Population 2019", "int", unit="người"),
        F("approx_area_km2", "Diện tích công bố (xấp xỉ)", "Published area (approx.)", "float", unit="km²"),
        F("successor_2025", "Thuộc xã mới từ 1/7/2025", "Part of new commune from 1 Jul 2025"),
        F("ntm_recognition", "Công nhận nông thôn mới", "New-rural recognition", required=False),
        F("ntm_met", "Tiêu chí NTM đã đạt", "New-rural criteria met", "int", derived=True, unit="/19"),
        F("ntm_class", "Mức đạt nông thôn mới", "New-rural standing", derived=True),
        F("criterion_met", "Tiêu chí đang xem", "Criterion shown", derived=True),
    ),
    key="code",
    coded=(("unit_type", UNIT_TYPES), ("ntm_class", NTM_CLASSES), ("criterion_met", MET_STATES)),
    paint=Paint(color="#6b7a8f", fill="#ffffff", weight=1.2, fill_opacity=0.05, dash="4 3"),
    label_field="short_name",
    tooltip=("name", "population_2019"),
    popup=(
        "name",
        "code",
        "unit_type",
        "population_2019",
        "approx_area_km2",
        "successor_2025",
        "ntm_met",
        "ntm_recognition",
    ),
    filters=("unit_type",),
    z=10,
    item_vi="xã, thị trấn",
    item_en="units",
)

# -- roads ------------------------------------------------------------------
INDICATOR_SERIES = LayerSpec(
    id="indicator_series",
    vi="Chỉ tiêu theo kỳ",
    en="Indicators by period",
    theme="indicators",
    geometry=None,
    fields=(
        F("ind_id", "Mã chỉ tiêu", "Indicator"),
        F("period", "Kỳ", "Period"),  # 2024-Q1 (a quarter) or 2024 (a year)
        F("period_end", "Ngày cuối kỳ", "Period ends", "date"),
        F("value", "Giá trị", "Value", "float"),
        F("target", "Chỉ tiêu/kế hoạch", "Target", "float", required=False),
        F("source", "Nguồn", "Source"),
        F("demo", "Minh họa", "Demo", "bool"),
    ),
    key="ind_id,period",
    editable=("value", "target", "source"),
    item_vi="kỳ",
    item_en="periods",
)

#: The day the district level ended and its 12 units became 4 communes (Resolution 1672/NQ-UBTVQH15).
REFORM_DAY = "2025-07-01"

COMMUNES_2025 = LayerSpec(
    id="communes_2025",
    vi="Xã (từ 1/7/2025)",
    en="Communes (from 1 Jul 2025)",
    theme="base",
    geometry="Polygon",
    fields=(
        F("code", "Mã ĐVHC", "Unit code"),
        F("name", "Tên", "Name"),
        F("short_name", "Tên ngắn", "Short name"),
        F("published_area_km2", "Diện tích công bố", "Published area", "float", unit="km²"),
        F("formed_from", "Hợp thành từ (2024)", "Formed from (2024)"),
        F("resolution", "Căn cứ", "Legal basis"),
    ),
    key="code",
    paint=Paint(color="#3d4b5c", fill="#ffffff", weight=2.2, fill_opacity=0.05),
    label_field="short_name",
    tooltip=("name", "formed_from"),
    popup=("name", "code", "published_area_km2", "formed_from", "resolution"),
    z=11,
    item_vi="xã",
    item_en="communes",
)

UNIT_CROSSWALK = LayerSpec(
    id="unit_crosswalk",
    vi="Bảng chuyển đổi đơn vị hành chính 2024 → 2025",
    en="Crosswalk of administrative units, 2024 → 2025",
    theme="meta",
    geometry=None,
    fields=(
        F("old_code", "Mã ĐVHC 2024", "2024 unit code"),
        F("new_code", "Mã xã từ 1/7/2025", "Commune code from 1 Jul 2025"),
        F("share", "Tỷ lệ diện tích", "Share of area", "float"),
        F("basis", "Cơ sở", "Basis"),
    ),
    key="old_code,new_code",
    item_vi="dòng",
    item_en="rows",
)

CLEARANCE = (
    Status("not_started", "Chưa bắt đầu GPMB", "Clearance not started", "#9e9e9e", dash="2 5"),
    Status("in_progress", "Đang GPMB", "Clearance in progress", "#f2a900", dash="9 5"),
    Status("blocked", "Vướng mắc GPMB", "Clearance blocked", "#b2182b", dash="12 4 2 4"),
    Status("done", "Đã bàn giao mặt bằng", "Site handed over", "#1a9850"),
)

CONSTRUCTION = (
    Status("not_started", "Chưa thi công", "Not started", "#bdbdbd"),
    Status("building", "Đang thi công", "Under construction", "#4292c6"),
    Status("done", "Đã hoàn thành", "Completed", "#084594"),
)

QL4B_ROUTE = LayerSpec(
    id="ql4b_route",
    vi="Quốc lộ 4B (tuyến)",
    en="National Road 4B (route)",
    theme="roads",
    geometry="LineString",
    fields=(
        F("road", "Tuyến", "Road"),
        F("km_from", "Từ Km", "From Km", "float"),
        F("km_to", "Đến Km", "To Km", "float"),
    ),
    key="road",
    paint=Paint(color="#c0392b", weight=3.0, opacity=0.5),
    tooltip=("road",),
    popup=("road", "km_from", "km_to"),
    default_visible=False,
    z=30,
    item_vi="tuyến",
    item_en="route",
)

QL4B_SEGMENTS = LayerSpec(
    id="ql4b_segments",
    vi="QL4B Km18–Km80: đoạn nâng cấp",
    en="QL4B Km18–Km80: upgrade segments",
    theme="roads",
    geometry="LineString",
    fields=(
        F("seg_id", "Mã đoạn", "Segment"),
        F("km_from", "Từ Km", "From Km", "float"),
        F("km_to", "Đến Km", "To Km", "float"),
        F("package", "Gói thầu", "Works package"),
        F("cross_section", "Quy mô mặt cắt", "Cross-section"),
        F("in_district", "Trong huyện Đình Lập", "Inside Đình Lập", "bool"),
        # Km18–Km36 and Km76–Km80 run outside the district: no unit of it to name there.
        replace(UNIT_CODE, required=False),
        *UNIT_CODES[1:],
        F("clearance_status", "Tình trạng GPMB", "Site clearance"),
        F("clearance_pct", "Tỷ lệ GPMB", "Cleared", "float", unit="%"),
        F("households_affected", "Hộ bị ảnh hưởng", "Households affected", "int", unit="hộ"),
        F("households_compensated", "Hộ đã chi trả", "Households compensated", "int", unit="hộ"),
        F("construction_status", "Tình trạng thi công", "Construction"),
    ),
    key="seg_id",
    sensitive=("households_affected", "households_compensated"),
    rules=(Rule("at_most", "households_compensated", "households_affected"),),
    editable=(
        "clearance_status",
        "clearance_pct",
        "households_affected",
        "households_compensated",
        "construction_status",
    ),
    paint=Paint(weight=6.0, casing=CASING),
    status_field="clearance_status",
    statuses=CLEARANCE,
    coded=(("construction_status", CONSTRUCTION),),
    tooltip=("seg_id", "clearance_status", "clearance_pct"),
    popup=(
        "seg_id",
        "km_from",
        "km_to",
        "package",
        "cross_section",
        "in_district",
        "unit_code",
        "clearance_status",
        "clearance_pct",
        "households_affected",
        "households_compensated",
        "construction_status",
    ),
    filters=("clearance_status", "package", "unit_code", "in_district", "km_from", "construction_status"),
    z=40,
    item_vi="đoạn",
    item_en="segments",
)

QL4B_STATIONS = LayerSpec(
    id="ql4b_stations",
    vi="QL4B: cọc Km",
    en="QL4B: Km stations",
    theme="roads",
    geometry="Point",
    fields=(F("km", "Lý trình (Km)", "Chainage (Km)", "float"), F("label", "Nhãn", "Label")),
    key="label",
    paint=Paint(color="#7f1d1d", fill="#ffffff", radius=3.0, weight=1.5, fill_opacity=1.0),
    label_field="label",
    tooltip=("label",),
    popup=("label", "km"),
    z=45,
    item_vi="cọc",
    item_en="stations",
)

RESETTLEMENT = LayerSpec(
    id="resettlement_sites",
    vi="Khu tái định cư",
    en="Resettlement sites",
    theme="roads",
    geometry="Point",
    fields=(
        F("site_id", "Mã khu", "Site"),
        F("name", "Tên khu", "Name"),
        *UNIT_CODES,
        F("plots", "Số lô", "Plots", "int"),
        F("status", "Tình trạng", "Status"),
    ),
    key="site_id",
    editable=("status", "plots"),
    paint=Paint(radius=8.0, weight=2.0, fill_opacity=0.9, color="#222222"),
    status_field="status",
    statuses=(
        Status("planned", "Đang lập quy hoạch", "Being planned", "#c6dbef"),
        Status("building", "Đang xây dựng hạ tầng", "Infrastructure under way", "#6baed6"),
        Status("ready", "Sẵn sàng bố trí", "Ready for households", "#08519c"),
    ),
    tooltip=("name", "status"),
    popup=("site_id", "name", "unit_code", "plots", "status"),
    filters=("status", "unit_code"),
    z=60,
    item_vi="khu",
    item_en="sites",
)

#: Where the households of a resettlement site live: the site's boundary, drawn by planners beside the road.
RESETTLEMENT_AREAS = LayerSpec(
    id="resettlement_areas",
    vi="Khu tái định cư (ranh giới)",
    en="Resettlement areas (boundaries)",
    theme="roads",
    geometry="Polygon",
    fields=(
        F("area_id", "Mã khu đất", "Area"),
        F("name", "Tên khu", "Name"),
        *UNIT_CODES,
        F("area_ha", "Diện tích", "Area", "float", unit="ha"),
        F("site_id", "Thuộc khu tái định cư", "Resettlement site", required=False),
        F("status", "Tình trạng", "Status"),
    ),
    key="area_id",
    editable=("status", "name", "site_id"),
    paint=Paint(color="#08306b", weight=2.0, fill_opacity=0.45, dash="6 3"),
    status_field="status",
    statuses=RESETTLEMENT.statuses,  # one stage, one colour: the site and its boundary
    tooltip=("name", "status", "area_ha"),
    popup=("area_id", "name", "unit_code", "area_ha", "site_id", "status"),
    filters=("status", "unit_code"),
    z=28,
    item_vi="khu đất",
    item_en="areas",
)

RURAL_ROADS = LayerSpec(
    id="rural_roads",
    vi="Đường GTNT (chương trình xi măng)",
    en="Rural roads (cement programme)",
    theme="roads",
    geometry="LineString",
    fields=(
        F("road_id", "Mã tuyến", "Road"),
        F("name", "Tên tuyến", "Name"),
        *UNIT_CODES,
        F("length_km", "Chiều dài", "Length", "float", unit="km"),
        F("cement_planned_t", "Xi măng kế hoạch", "Cement planned", "float", unit="tấn"),
        F("cement_delivered_t", "Xi măng đã cấp", "Cement delivered", "float", unit="tấn"),
        F("status", "Tiến độ", "Progress"),
    ),
    key="road_id",
    editable=("status", "cement_delivered_t", "cement_planned_t"),
    paint=Paint(weight=3.0, dash="6 4", casing=CASING),
    status_field="status",
    statuses=(
        Status("late", "Chậm tiến độ", "Behind schedule", "#e6550d"),
        Status("on_track", "Đúng tiến độ", "On schedule", "#2166ac"),
        Status("done", "Hoàn thành", "Completed", "#31a354"),
    ),
    tooltip=("name", "status"),
    popup=("road_id", "name", "unit_code", "length_km", "cement_planned_t", "cement_delivered_t", "status"),
    filters=("status", "unit_code"),
    z=35,
    item_vi="tuyến",
    item_en="roads",
)

ACCIDENTS = LayerSpec(
    id="accidents",
    vi="Điểm tai nạn giao thông",
    en="Traffic accidents",
    theme="roads",
    geometry="Point",
    fields=(
        F("acc_id", "Mã vụ", "Case"),
        F("date", "Ngày", "Date", "date"),
        F("severity", "Mức độ", "Severity"),
        *UNIT_CODES,
        F("road", "Tuyến đường", "Road"),
    ),
    key="acc_id",
    editable=("severity",),
    paint=Paint(radius=5.0, weight=1.0, fill_opacity=0.9, color="#000000"),
    status_field="severity",
    statuses=(
        Status("minor", "Va chạm, thiệt hại nhẹ", "Minor", "#fdae6b"),
        Status("injury", "Có người bị thương", "Injury", "#f16913"),
        Status("fatal", "Có người tử vong", "Fatal", "#7f2704"),
    ),
    tooltip=("date", "severity"),
    popup=("acc_id", "date", "severity", "unit_code", "road"),
    filters=("severity", "unit_code", "date"),
    default_visible=False,
    z=70,
    item_vi="vụ",
    item_en="cases",
)

# -- industrial cluster -----------------------------------------------------
CLUSTER = LayerSpec(
    id="cluster_boundary",
    vi="Cụm công nghiệp Đình Lập (ranh giới)",
    en="Đình Lập industrial cluster (boundary)",
    theme="industry",
    geometry="Polygon",
    fields=(
        F("cluster_id", "Mã", "Id"),
        F("name", "Tên", "Name"),
        *UNIT_CODES,
        F("area_ha", "Diện tích", "Area", "float", unit="ha"),
        F("forest_land_ha", "Trong đó đất rừng sản xuất", "Of which production forest", "float", unit="ha"),
    ),
    key="cluster_id",
    paint=Paint(color="#5b2c6f", fill="#d7bde2", weight=2.5, fill_opacity=0.25),
    tooltip=("name", "area_ha"),
    popup=("name", "unit_code", "area_ha", "forest_land_ha"),
    z=20,
    item_vi="cụm",
    item_en="clusters",
)

CLUSTER_PLOTS = LayerSpec(
    id="cluster_plots",
    vi="Cụm công nghiệp: lô đất",
    en="Industrial cluster: plots",
    theme="industry",
    geometry="Polygon",
    fields=(
        F("plot_id", "Mã lô", "Plot"),
        F("status", "Tình trạng", "Status"),
        F("investor", "Nhà đầu tư", "Investor", required=False),
        F("industry", "Ngành nghề", "Industry", required=False),
        F("area_ha", "Diện tích", "Area", "float", unit="ha"),
        F("resin_plant", "Nhà máy chế biến nhựa thông", "Pine-resin plant", "bool"),
    ),
    key="plot_id",
    editable=("status", "investor", "industry"),
    paint=Paint(color="#4a235a", weight=1.0, fill_opacity=0.75),
    status_field="status",
    statuses=(
        Status("vacant", "Chưa GPMB", "Not yet cleared", "#e0e0e0"),
        Status("cleared", "Đã GPMB, chưa cho thuê", "Cleared, not leased", "#fee391"),
        Status("leased", "Đã cho thuê", "Leased", "#8c6bb1"),
        Status("building", "Đang xây dựng", "Under construction", "#f768a1"),
    ),
    tooltip=("plot_id", "status", "investor"),
    popup=("plot_id", "status", "investor", "industry", "area_ha", "resin_plant"),
    filters=("status", "investor", "area_ha"),
    z=25,
    item_vi="lô",
    item_en="plots",
)

# -- forest land ------------------------------------------------------------
FOREST_PARCELS = LayerSpec(
    id="forest_parcels",
    vi="Đất Công ty Lâm nghiệp bàn giao về địa phương",
    en="Forest-company land handed to the communes",
    theme="forest",
    geometry="Polygon",
    fields=(
        F("parcel_id", "Mã khu đất", "Parcel"),
        *UNIT_CODES,
        F("area_ha", "Diện tích", "Area", "float", unit="ha"),
        F("decision", "Quyết định bàn giao", "Handover decision"),
        F("handover_date", "Ngày bàn giao", "Handover date", "date"),
        F("planned_use", "Phương án sử dụng", "Planned use"),
        F("status", "Tình trạng", "Status"),
    ),
    key="parcel_id",
    editable=("status", "planned_use", "decision", "handover_date"),
    paint=Paint(color="#1b4332", weight=1.0, fill_opacity=0.55),
    status_field="status",
    statuses=(
        Status("handed_over", "Đã bàn giao về địa phương", "Handed over", "#b7e4c7"),
        Status("plan_approved", "Đã duyệt phương án sử dụng", "Use plan approved", "#52b788"),
        Status("allocated", "Đã giao cho hộ/cộng đồng", "Allocated to households", "#1b7f4b"),
        Status("disputed", "Đang tranh chấp", "Disputed", "#c51b7d", hatch=True),
    ),
    tooltip=("parcel_id", "status", "area_ha"),
    popup=("parcel_id", "unit_code", "area_ha", "decision", "handover_date", "planned_use", "status"),
    filters=("status", "unit_code", "area_ha"),
    z=15,
    item_vi="khu đất",
    item_en="parcels",
)

DISPUTES = LayerSpec(
    id="land_disputes",
    vi="Điểm tranh chấp đất đai",
    en="Land disputes",
    theme="forest",
    geometry="Point",
    fields=(
        F("dispute_id", "Mã vụ việc", "Case"),
        *UNIT_CODES,
        F("kind", "Loại tranh chấp", "Kind"),
        F("area_ha", "Diện tích tranh chấp", "Area in dispute", "float", unit="ha"),
        F("status", "Tình trạng", "Status"),
        F("opened", "Ngày phát sinh", "Opened", "date"),
        F("resolved", "Ngày giải quyết xong", "Resolved", "date", required=False),
        F("parties", "Các bên tranh chấp", "Parties", required=False),
    ),
    key="dispute_id",
    sensitive=("parties",),
    editable=("status", "kind", "area_ha", "resolved"),
    rules=(Rule("needs", "status", "resolved", ("resolved",)),),
    paint=Paint(radius=7.0, weight=2.0, fill_opacity=0.95, color="#3d0c02"),
    status_field="status",
    statuses=(
        Status("open", "Mới phát sinh", "Open", "#d62828"),
        Status("mediating", "Đang hòa giải/giải quyết", "Being mediated", "#f77f00"),
        Status("resolved", "Đã giải quyết", "Resolved", "#2a9d8f"),
    ),
    tooltip=("dispute_id", "status", "kind"),
    popup=("dispute_id", "unit_code", "kind", "area_ha", "status", "opened", "resolved", "parties"),
    filters=("status", "unit_code", "kind", "opened"),
    z=80,
    item_vi="vụ việc",
    item_en="cases",
)

# -- cadastral parcels: what land offices mostly deliver ----------------------------------------
#: Where the land-use codes come from (the layer's provenance and its code-list table cite it).
LAND_USE_SOURCE = (
    "Ký hiệu loại đất: Phụ lục số 01 (mục ký hiệu loại đất trên bản đồ địa chính), Thông tư 25/2014/TT-BTNMT "
    "ngày 19/5/2014 của Bộ Tài nguyên và Môi trường quy định về bản đồ địa chính; mã chỉ tiêu thống kê, kiểm kê "
    "đất đai: Phụ lục 01 Thông tư 27/2018/TT-BTNMT ngày 14/12/2018 (giữ các mã của Thông tư 28/2014/TT-BTNMT "
    "ngày 02/6/2014); loại đất theo Điều 9 Luật Đất đai 2024 (Luật số 31/2024/QH15) và mã thống kê, kiểm kê của "
    "Thông tư 08/2024/TT-BTNMT ngày 31/7/2024; ba nhóm đất theo Điều 10 Luật Đất đai 2013 và Điều 9 Luật Đất đai "
    "2024. Cột 'standards' ghi mỗi mã thuộc văn bản nào. Mã theo Thông tư 08/2024 được ghi theo hiểu biết của "
    "nhóm phát triển: đối chiếu văn bản gốc trước khi dùng cho thống kê chính thức."
)
#: The standards a land-use code belongs to, as the code list names them (the ``standards`` column).
LAND_USE_STANDARDS = {
    "TT25/2014": "Thông tư 25/2014/TT-BTNMT (ký hiệu loại đất trên bản đồ địa chính)",
    "TT28/2014": "Thông tư 28/2014/TT-BTNMT (thống kê, kiểm kê đất đai)",
    "TT27/2018": "Thông tư 27/2018/TT-BTNMT (thống kê, kiểm kê đất đai)",
    "LĐĐ2024": "Luật Đất đai 2024, Điều 9 (phân loại đất)",
    "TT08/2024": "Thông tư 08/2024/TT-BTNMT (thống kê, kiểm kê đất đai)",
}
LAND_GROUPS = (
    Status("agricultural", "Nhóm đất nông nghiệp", "Agricultural land", "#a6d96a"),
    Status("non_agricultural", "Nhóm đất phi nông nghiệp", "Non-agricultural land", "#d6604d"),
    Status("unused", "Nhóm đất chưa sử dụng", "Unused land", "#f4f4f4", hatch=True),
)
# Which standards use a code: the cadastral map's symbols (TT 25/2014), the statistics codes (TT 28/2014 and
# TT 27/2018, the same list), the 2024 Land Law's categories and its statistics circular (TT 08/2024).
_MAP = ("TT25/2014",)
_STAT = ("TT28/2014", "TT27/2018")
_NEW = ("LĐĐ2024", "TT08/2024")
_ALL = (*_MAP, *_STAT, *_NEW)
_LAND_USES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    # (code, Vietnamese name as the code list gives it, English, group, standards)
    # -- agricultural land
    ("NNP", "Nhóm đất nông nghiệp", "Agricultural land (group total)", "agricultural", (*_STAT, *_NEW)),
    ("SXN", "Đất sản xuất nông nghiệp", "Farm production land", "agricultural", _STAT),
    ("CHN", "Đất trồng cây hàng năm", "Annual crop land", "agricultural", (*_STAT, *_NEW)),
    ("LUA", "Đất trồng lúa", "Rice land", "agricultural", (*_STAT, *_NEW)),
    ("LUC", "Đất chuyên trồng lúa nước", "Specialised wet-rice land", "agricultural", _ALL),
    ("LUK", "Đất trồng lúa nước còn lại", "Other wet-rice land", "agricultural", _ALL),
    ("LUN", "Đất lúa nương", "Upland rice land", "agricultural", (*_MAP, *_STAT)),
    ("HNK", "Đất trồng cây hàng năm khác", "Other annual crop land", "agricultural", (*_STAT, *_NEW)),
    ("BHK", "Đất bằng trồng cây hàng năm khác", "Flat land, other annual crops", "agricultural", (*_MAP, *_STAT)),
    (
        "NHK",
        "Đất nương rẫy trồng cây hàng năm khác",
        "Shifting cultivation, other annual crops",
        "agricultural",
        (*_MAP, *_STAT),
    ),
    ("CLN", "Đất trồng cây lâu năm", "Perennial crop land", "agricultural", _ALL),
    ("LNP", "Đất lâm nghiệp", "Forestry land", "agricultural", (*_STAT, *_NEW)),
    ("RSX", "Đất rừng sản xuất", "Production forest land", "agricultural", _ALL),
    ("RPH", "Đất rừng phòng hộ", "Protection forest land", "agricultural", _ALL),
    ("RDD", "Đất rừng đặc dụng", "Special-use forest land", "agricultural", _ALL),
    ("NTS", "Đất nuôi trồng thủy sản", "Aquaculture land", "agricultural", _ALL),
    ("CNT", "Đất chăn nuôi tập trung", "Concentrated livestock farming land", "agricultural", _NEW),
    ("LMU", "Đất làm muối", "Salt-making land", "agricultural", _ALL),
    ("NKH", "Đất nông nghiệp khác", "Other agricultural land", "agricultural", _ALL),
    # -- non-agricultural land
    ("PNN", "Nhóm đất phi nông nghiệp", "Non-agricultural land (group total)", "non_agricultural", (*_STAT, *_NEW)),
    ("OCT", "Đất ở", "Residential land", "non_agricultural", (*_STAT, *_NEW)),
    ("ONT", "Đất ở tại nông thôn", "Rural residential land", "non_agricultural", _ALL),
    ("ODT", "Đất ở tại đô thị", "Urban residential land", "non_agricultural", _ALL),
    ("CDG", "Đất chuyên dùng", "Special-use land", "non_agricultural", _STAT),
    ("TSC", "Đất xây dựng trụ sở cơ quan", "Government office land", "non_agricultural", _ALL),
    ("CQP", "Đất quốc phòng", "Defence land", "non_agricultural", _ALL),
    ("CAN", "Đất an ninh", "Security land", "non_agricultural", _ALL),
    ("DSN", "Đất xây dựng công trình sự nghiệp", "Public-service works land", "non_agricultural", (*_STAT, *_NEW)),
    (
        "DTS",
        "Đất xây dựng trụ sở của tổ chức sự nghiệp",
        "Public-service office land",
        "non_agricultural",
        (*_MAP, *_STAT),
    ),
    ("DVH", "Đất xây dựng cơ sở văn hóa", "Cultural facility land", "non_agricultural", _ALL),
    ("DXH", "Đất xây dựng cơ sở dịch vụ xã hội", "Social service facility land", "non_agricultural", _ALL),
    ("DYT", "Đất xây dựng cơ sở y tế", "Health facility land", "non_agricultural", _ALL),
    ("DGD", "Đất xây dựng cơ sở giáo dục và đào tạo", "Education facility land", "non_agricultural", _ALL),
    ("DTT", "Đất xây dựng cơ sở thể dục thể thao", "Sports facility land", "non_agricultural", _ALL),
    (
        "DKH",
        "Đất xây dựng cơ sở khoa học và công nghệ",
        "Science and technology facility land",
        "non_agricultural",
        _ALL,
    ),
    ("DMT", "Đất xây dựng cơ sở môi trường", "Environmental facility land", "non_agricultural", _NEW),
    ("DKT", "Đất xây dựng cơ sở khí tượng thủy văn", "Hydro-meteorological facility land", "non_agricultural", _NEW),
    ("DNG", "Đất xây dựng cơ sở ngoại giao", "Diplomatic facility land", "non_agricultural", _ALL),
    ("DSK", "Đất xây dựng công trình sự nghiệp khác", "Other public-service works land", "non_agricultural", _ALL),
    (
        "CSK",
        "Đất sản xuất, kinh doanh phi nông nghiệp",
        "Non-farm production and business land",
        "non_agricultural",
        (*_STAT, *_NEW),
    ),
    ("SKK", "Đất khu công nghiệp", "Industrial park land", "non_agricultural", _ALL),
    ("SKT", "Đất khu chế xuất", "Export processing zone land", "non_agricultural", (*_MAP, *_STAT)),
    ("SKN", "Đất cụm công nghiệp", "Industrial cluster land", "non_agricultural", _ALL),
    ("TMD", "Đất thương mại, dịch vụ", "Commercial and service land", "non_agricultural", _ALL),
    ("SKC", "Đất cơ sở sản xuất phi nông nghiệp", "Non-farm production land", "non_agricultural", _ALL),
    ("SKS", "Đất sử dụng cho hoạt động khoáng sản", "Mining land", "non_agricultural", _ALL),
    (
        "SKX",
        "Đất sản xuất vật liệu xây dựng, làm đồ gốm",
        "Building material and pottery production land",
        "non_agricultural",
        (*_MAP, *_STAT),
    ),
    ("CCC", "Đất có mục đích công cộng", "Public-purpose land", "non_agricultural", (*_STAT, *_NEW)),
    ("DGT", "Đất giao thông", "Transport land", "non_agricultural", _ALL),
    ("DTL", "Đất thủy lợi", "Irrigation land", "non_agricultural", _ALL),
    ("DDT", "Đất có di tích lịch sử - văn hóa", "Historical and cultural relic land", "non_agricultural", _ALL),
    ("DDL", "Đất danh lam thắng cảnh", "Scenic landscape land", "non_agricultural", (*_MAP, *_STAT)),
    ("DSH", "Đất sinh hoạt cộng đồng", "Community activity land", "non_agricultural", _ALL),
    ("DKV", "Đất khu vui chơi, giải trí công cộng", "Public recreation land", "non_agricultural", _ALL),
    ("DNL", "Đất công trình năng lượng", "Energy works land", "non_agricultural", _ALL),
    ("DBV", "Đất công trình bưu chính, viễn thông", "Post and telecom works land", "non_agricultural", _ALL),
    ("DCH", "Đất chợ", "Market land", "non_agricultural", _ALL),
    ("DRA", "Đất bãi thải, xử lý chất thải", "Waste dump and treatment land", "non_agricultural", _ALL),
    ("DCK", "Đất công trình công cộng khác", "Other public works land", "non_agricultural", _ALL),
    ("TON", "Đất cơ sở tôn giáo", "Religious establishment land", "non_agricultural", _ALL),
    ("TIN", "Đất cơ sở tín ngưỡng", "Belief establishment land", "non_agricultural", _ALL),
    (
        "NTD",
        "Đất làm nghĩa trang, nghĩa địa, nhà tang lễ, nhà hỏa táng",
        "Cemetery and funeral land",
        "non_agricultural",
        _ALL,
    ),
    ("SON", "Đất sông, ngòi, kênh, rạch, suối", "Rivers, canals and streams", "non_agricultural", (*_MAP, *_STAT)),
    ("MNC", "Đất có mặt nước chuyên dùng", "Special-use water surface", "non_agricultural", _ALL),
    ("PNK", "Đất phi nông nghiệp khác", "Other non-agricultural land", "non_agricultural", _ALL),
    # -- unused land
    ("CSD", "Nhóm đất chưa sử dụng", "Unused land (group total)", "unused", (*_STAT, *_NEW)),
    ("BCS", "Đất bằng chưa sử dụng", "Unused flat land", "unused", (*_MAP, *_STAT)),
    ("DCS", "Đất đồi núi chưa sử dụng", "Unused hilly land", "unused", (*_MAP, *_STAT)),
    ("NCS", "Núi đá không có rừng cây", "Bare rocky mountain", "unused", (*_MAP, *_STAT)),
    # -- coastal water surfaces: counted by the statistics, outside the three groups' land
    ("MVB", "Đất mặt nước ven biển", "Coastal water surface", "unused", _STAT),
    ("MVT", "Đất mặt nước ven biển nuôi trồng thủy sản", "Coastal water, aquaculture", "agricultural", _STAT),
    ("MVR", "Đất mặt nước ven biển có rừng", "Coastal water with forest", "agricultural", _STAT),
    ("MVK", "Đất mặt nước ven biển có mục đích khác", "Coastal water, other uses", "non_agricultural", _STAT),
)
#: The national land-use codes (one colour: the map colours parcels by their group, :data:`LAND_GROUPS`).
LAND_USES = tuple(Status(code, vi, en, "#8c8c8c") for code, vi, en, _, _ in _LAND_USES)
#: Land-use code → its group (``agricultural``, ``non_agricultural``, ``unused``).
LAND_USE_GROUP: dict[str, str] = {code: group for code, _, _, group, _ in _LAND_USES}
#: Land-use code → the standards that use it (keys of :data:`LAND_USE_STANDARDS`).
LAND_USE_IN: dict[str, tuple[str, ...]] = {code: std for code, _, _, _, std in _LAND_USES}
CERTIFICATES = (
    Status("issued", "Đã cấp Giấy chứng nhận", "Certificate issued", "#8c8c8c"),
    Status("in_progress", "Đang làm thủ tục cấp Giấy chứng nhận", "Certificate being issued", "#8c8c8c"),
    Status("not_issued", "Chưa cấp Giấy chứng nhận", "No certificate yet", "#8c8c8c"),
    Status("disputed", "Đang tranh chấp", "In dispute", "#8c8c8c"),
)

CADASTRAL = LayerSpec(
    id="cadastral_parcels",
    vi="Thửa đất địa chính",
    en="Cadastral parcels",
    theme="forest",
    geometry="Polygon",
    fields=(
        # Unique in the province: the unit, the map sheet and the parcel's number on it (made at import).
        F("parcel_code", "Mã thửa", "Parcel code", required=False),
        *UNIT_CODES,
        F("sheet_no", "Số tờ bản đồ", "Map sheet no.", "int", plain=True),
        F("parcel_no", "Số thửa", "Parcel no.", "int", plain=True),
        F("area_m2", "Diện tích", "Area", "float", unit="m²"),
        F("area_ha", "Diện tích (ha)", "Area (ha)", "float", derived=True, unit="ha"),
        F("land_use", "Loại đất", "Land use"),
        F("use_group", "Nhóm đất", "Land-use group", derived=True),
        F("cert_status", "Tình trạng cấp Giấy chứng nhận", "Certificate", required=False),
        F("owner", "Người sử dụng đất", "Land user", required=False),
    ),
    key="parcel_code",
    key_from=("unit_code", "sheet_no", "parcel_no"),
    sensitive=("owner",),
    editable=("cert_status", "land_use"),
    paint=Paint(color="#4d4d4d", weight=0.8, fill_opacity=0.6),
    status_field="use_group",
    statuses=LAND_GROUPS,
    coded=(("land_use", LAND_USES), ("cert_status", CERTIFICATES)),
    tooltip=("parcel_code", "land_use", "area_m2"),
    popup=(
        "parcel_code",
        "unit_code",
        "sheet_no",
        "parcel_no",
        "area_m2",
        "area_ha",
        "land_use",
        "use_group",
        "cert_status",
        "owner",
    ),
    filters=("use_group", "land_use", "unit_code", "cert_status", "sheet_no", "area_m2"),
    default_visible=False,
    z=14,
    item_vi="thửa",
    item_en="parcels",
)

LAND_USE_CODES = LayerSpec(
    id="land_use_codes",
    vi="Danh mục loại đất (ký hiệu trên bản đồ địa chính)",
    en="Land-use code list (cadastral map symbols)",
    theme="meta",
    geometry=None,
    fields=(
        F("code", "Ký hiệu", "Code"),
        F("name_vi", "Loại đất", "Land use (vi)"),
        F("name_en", "Loại đất (EN)", "Land use"),
        F("group", "Nhóm đất", "Group"),
        F("standards", "Thuộc văn bản", "Standards", required=False),
        F("source", "Căn cứ", "Legal basis"),
    ),
    key="code",
    item_vi="loại đất",
    item_en="codes",
)

# -- tables (no geometry) ---------------------------------------------------
NTM_COMMUNE = LayerSpec(
    id="ntm_commune",
    vi="Tiêu chí nông thôn mới cấp xã (10 xã × 19)",
    en="New-rural criteria, commune level (10 communes × 19)",
    theme="ntm",
    geometry=None,
    fields=(
        *UNIT_CODES,
        F("criterion", "Tiêu chí số", "Criterion no.", "int", plain=True),
        F("met", "Đạt", "Met", "bool"),
        F("year_met", "Năm đạt", "Year met", "int", required=False, plain=True),
        F("target_year", "Năm phấn đấu", "Target year", "int", required=False, plain=True),
        F("source", "Nguồn", "Source"),
    ),
    key="unit_code,criterion",
    editable=("met", "year_met", "target_year"),
    filters=("unit_code", "criterion", "met"),
    item_vi="tiêu chí",
    item_en="criteria",
)

NTM_DISTRICT = LayerSpec(
    id="ntm_district",
    vi="Tiêu chí huyện nông thôn mới (9)",
    en="New-rural criteria, district level (9)",
    theme="ntm",
    geometry=None,
    fields=(
        F("criterion", "Tiêu chí số", "Criterion no.", "int", plain=True),
        F("name_vi", "Tên tiêu chí", "Criterion (vi)"),
        F("name_en", "Tên tiêu chí (EN)", "Criterion"),
        F("met", "Đạt", "Met", "bool"),
        F("source", "Nguồn", "Source"),
    ),
    key="criterion",
    item_vi="tiêu chí",
    item_en="criteria",
)

INDICATORS = LayerSpec(
    id="indicators",
    vi="Chỉ tiêu theo Thông báo kết luận",
    en="Indicators from the notice",
    theme="indicators",
    geometry=None,
    fields=(
        F("ind_id", "Mã chỉ tiêu", "Indicator"),
        F("name_vi", "Chỉ tiêu", "Indicator (vi)"),
        F("name_en", "Chỉ tiêu (EN)", "Indicator"),
        F("value", "Giá trị", "Value", "float", required=False, unit_from="unit"),
        F("unit", "Đơn vị", "Unit"),
        F("period", "Kỳ", "Period"),
        F("target", "Chỉ tiêu/kế hoạch", "Target", "float", required=False, unit_from="unit"),
        F("target_label_vi", "Mốc so sánh", "Compared with (vi)", required=False),
        F("target_label_en", "Mốc so sánh (EN)", "Compared with", required=False),
        # achieved may pass 100 % (winter crops: 129,7 %), up to 1000 % once the planner confirms it
        F("pct", "Tỷ lệ đạt", "Achieved", "float", required=False, unit="%", high_ok=1000.0),
        F("pct2", "Tỷ lệ đạt (mốc 2)", "Achieved (second target)", "float", required=False, unit="%", high_ok=1000.0),
        F("target2", "Chỉ tiêu mốc 2", "Second target", "float", required=False),
        F("target2_label_vi", "Mốc so sánh 2", "Second target (vi)", required=False),
        F("target2_label_en", "Mốc so sánh 2 (EN)", "Second target", required=False),
        F("change_vi", "So sánh", "Comparison (vi)", required=False),
        F("change_en", "So sánh (EN)", "Comparison", required=False),
        F("section", "Mục trong Thông báo", "Notice section"),
        F("quote", "Trích dẫn", "Quotation"),
        F("headline", "Số liệu chính", "Headline", "bool"),
        F("order", "Thứ tự", "Order", "int", plain=True),
    ),
    key="ind_id",
    # A planner's quarterly update; the card then cites the update, not the notice.
    editable=("value", "period", "target", "pct", "pct2"),
    item_vi="chỉ tiêu",
    item_en="indicators",
)

NTM_CRITERIA = LayerSpec(
    id="ntm_criteria",
    vi="Danh mục tiêu chí nông thôn mới",
    en="New-rural criteria list",
    theme="ntm",
    geometry=None,
    fields=(
        F("level", "Cấp", "Level"),
        F("criterion", "Tiêu chí số", "Criterion no.", "int", plain=True),
        F("name_vi", "Tên tiêu chí", "Criterion (vi)"),
        F("name_en", "Tên tiêu chí (EN)", "Criterion"),
    ),
    key="level,criterion",
    item_vi="tiêu chí",
    item_en="criteria",
)

LAYER_META = LayerSpec(
    id="layer_meta",
    vi="Siêu dữ liệu các lớp",
    en="Layer metadata",
    theme="meta",
    geometry=None,
    fields=(
        F("layer_id", "Lớp", "Layer"),
        F("source", "Nguồn", "Source"),
        F("as_of", "Ngày cập nhật", "As of", "date"),
        F("demo", "Dữ liệu minh họa", "Demo data", "bool"),
        F("licence", "Giấy phép", "Licence"),
    ),
    key="layer_id",
    item_vi="lớp",
    item_en="layers",
)

TASK_STATUSES = (
    Status("not_started", "Chưa triển khai", "Not started", "#bdbdbd"),
    Status("in_progress", "Đang triển khai", "In progress", "#f2a900"),
    Status("ongoing", "Nhiệm vụ thường xuyên", "Standing task", "#08519c"),
    Status("done", "Đã hoàn thành", "Done", "#1a9850"),
)

TASKS = LayerSpec(
    id="tasks",
    vi="Nhiệm vụ theo Thông báo kết luận",
    en="Tasks of the notice",
    theme="meta",
    geometry=None,
    fields=(
        F("task_id", "Mục", "Section"),
        F("short", "Nhiệm vụ", "Task"),
        F("text", "Nguyên văn Thông báo", "The notice's words"),
        F("lead", "Cơ quan chủ trì", "Lead"),
        F("support", "Cơ quan phối hợp", "Supporting", required=False),
        F("deadline", "Thời hạn", "Deadline", "date", required=False),
        F("status", "Tình trạng", "Status"),
        F("progress", "Tiến độ mới nhất", "Latest progress", required=False),
        F("progress_date", "Ngày cập nhật tiến độ", "Progress as of", "date", required=False),
        F("links", "Liên quan", "Concerns", required=False),
    ),
    key="task_id",
    editable=("status", "progress", "progress_date", "deadline", "lead", "support"),
    status_field="status",
    statuses=TASK_STATUSES,
    popup=("task_id", "short", "lead", "support", "deadline", "status", "progress", "progress_date"),
    filters=("status",),
    item_vi="nhiệm vụ",
    item_en="tasks",
)

VIEWS = LayerSpec(
    id="views",
    vi="Khung nhìn đã lưu",
    en="Saved views",
    theme="meta",
    geometry=None,
    fields=(
        F("view_id", "Mã khung nhìn", "View"),
        F("order", "Thứ tự", "Order", "int", plain=True),
        F("title_vi", "Tiêu đề", "Title (vi)"),
        F("title_en", "Tiêu đề (EN)", "Title"),
        F("page", "Trang", "Page", required=False),
        F("layers", "Các lớp", "Layers", required=False),
        F("selected", "Đối tượng chọn", "Selected feature", required=False),
        F("filters", "Bộ lọc (JSON)", "Filters (JSON)", required=False),
        F("note_vi", "Ghi chú", "Note (vi)", required=False),
        F("note_en", "Ghi chú (EN)", "Note", required=False),
        F("task_id", "Nhiệm vụ", "Task", required=False),
        F("as_of", "Dữ liệu tại ngày", "Data as at", "date", required=False),  # empty: today, whenever opened
        # named styles (geo.model.catalog.STYLES); empty: the page's
        F("style", "Cách tô màu", "Colouring", required=False),
        F("bbox_w", "Tây", "West", "float"),
        F("bbox_s", "Nam", "South", "float"),
        F("bbox_e", "Đông", "East", "float"),
        F("bbox_n", "Bắc", "North", "float"),
    ),
    key="view_id",
    item_vi="khung nhìn",
    item_en="views",
)

#: Threads of comments on a feature (``feature:LAYER:KEY``), a task of the notice (``task:ID``) or an indicator
#: (``indicator:ID``): one row per comment, a reply carrying its thread's first comment as ``thread_id``;
#: written through the change log like every table (:mod:`geo.read.comments`), so the time machine reads them back.
COMMENTS = LayerSpec(
    id="comments",
    vi="Trao đổi",
    en="Comments",
    theme="meta",
    geometry=None,
    fields=(
        F("comment_id", "Số", "No."),
        F("thread_id", "Luồng", "Thread"),
        F("target", "Về", "On"),
        F("layer", "Lớp", "Layer", required=False),
        F("text", "Nội dung", "Text"),
        F("author", "Người viết", "Author"),
        F("at", "Thời điểm", "When"),
        F("mentions", "Nhắc đến", "Mentions", required=False),
        F("edited_at", "Sửa lúc", "Edited", required=False),
        F("resolved_at", "Đã xử lý lúc", "Resolved", required=False),
        F("resolved_by", "Người đóng", "Resolved by", required=False),
    ),
    key="comment_id",
    item_vi="ý kiến",
    item_en="comments",
)

#: Settings an admin changes in the app (audited): ``viewers_comment`` = ``1`` lets viewers comment.
SETTINGS = LayerSpec(
    id="settings",
    vi="Thiết lập",
    en="Settings",
    theme="meta",
    geometry=None,
    fields=(F("name", "Thiết lập", "Setting"), F("value", "Giá trị", "Value", required=False)),
    key="name",
    item_vi="thiết lập",
    item_en="settings",
)

AUDIT = LayerSpec(
    id="audit_log",
    vi="Nhật ký thay đổi dữ liệu",
    en="Change log",
    theme="meta",
    geometry=None,
    fields=(
        F("ts", "Thời điểm", "When"),
        F("user", "Người sửa", "Who"),
        F("layer", "Lớp", "Layer"),
        F("feature", "Đối tượng", "Feature"),
        F("field", "Trường", "Field"),
        F("old", "Giá trị cũ", "Old value", required=False),
        F("new", "Giá trị mới", "New value", required=False),
        F("reason", "Lý do, nguồn", "Reason, source", required=False),
    ),
    key="ts,layer,feature,field",
    item_vi="thay đổi",
    item_en="changes",
)


CATALOG = Catalog(
    (
        DISTRICT,
        UNITS,
        COMMUNES_2025,
        UNIT_CROSSWALK,
        QL4B_ROUTE,
        QL4B_SEGMENTS,
        QL4B_STATIONS,
        RESETTLEMENT,
        RESETTLEMENT_AREAS,
        RURAL_ROADS,
        ACCIDENTS,
        CLUSTER,
        CLUSTER_PLOTS,
        FOREST_PARCELS,
        DISPUTES,
        CADASTRAL,
        LAND_USE_CODES,
        NTM_COMMUNE,
        NTM_DISTRICT,
        NTM_CRITERIA,
        INDICATORS,
        INDICATOR_SERIES,
        LAYER_META,
        TASKS,
        VIEWS,
        COMMENTS,
        SETTINGS,
        AUDIT,
    )
)

#: The layers each theme page shows, in drawing order (base layers first).
THEME_LAYERS: dict[Theme, tuple[LayerId, ...]] = {
    "base": ("district", "units"),
    "roads": (
        "district",
        "units",
        "ql4b_route",
        "ql4b_segments",
        "ql4b_stations",
        "resettlement_areas",
        "resettlement_sites",
        "rural_roads",
        "accidents",
    ),
    "industry": ("district", "units", "ql4b_segments", "cluster_boundary", "cluster_plots"),
    "forest": ("district", "units", "cadastral_parcels", "forest_parcels", "land_disputes"),
    "ntm": ("district", "units"),
    "indicators": ("district", "units"),
}

#: The overview shows every theme at once.
OVERVIEW_LAYERS: tuple[LayerId, ...] = (
    "district",
    "units",
    "forest_parcels",
    "cluster_boundary",
    "cluster_plots",
    "ql4b_route",
    "ql4b_segments",
    "ql4b_stations",
    "rural_roads",
    "resettlement_areas",
    "resettlement_sites",
    "land_disputes",
    "accidents",
)


#: The layer whose extent a theme's map opens on (default: the district).
THEME_HOME: dict[str, LayerId] = {"industry": "cluster_boundary"}

#: Views by name: the overview and each theme.
VIEW_NAMES: tuple[str, ...] = ("overview", "roads", "industry", "forest", "ntm")

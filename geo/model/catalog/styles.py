"""Named styles: every thematic colouring the pages, views and exports offer, once."""

from __future__ import annotations

from dataclasses import dataclass

from geo.model.catalog.layers import CATALOG, OVERVIEW_LAYERS, THEME_HOME, THEME_LAYERS
from geo.model.catalog.schema import LayerId, LayerSpec
from geo.model.i18n import Lang


# -- named styles: every thematic colouring the pages offer, once ---------------------------------------------
@dataclass(frozen=True)
class MapStyle:
    """A thematic colouring, named once: the page's map and legend, its saved views, the slides, the exports
    and the meeting pack all draw ``layer`` coloured by the coded field ``field``.

    ``theme``: the built-in view whose default colouring it is ("" for a choice offered beside it). A style
    with a parameter is named ``id:value`` (e.g. ``criterion:17``, one new-rural criterion).
    """

    id: str
    vi: str
    en: str
    layer: LayerId
    field: str
    theme: str = ""

    def title(self, lang: Lang) -> str:
        """The style's name in ``lang``."""
        return self.vi if lang == "vi" else self.en


STYLES: tuple[MapStyle, ...] = (
    MapStyle("clearance", "Tình trạng GPMB", "Site clearance", "ql4b_segments", "clearance_status", "roads"),
    MapStyle("construction", "Tình trạng thi công", "Construction", "ql4b_segments", "construction_status"),
    MapStyle("ntm_met", "Số tiêu chí nông thôn mới đạt", "New-rural criteria met", "units", "ntm_class", "ntm"),
    MapStyle("criterion", "Đạt / chưa đạt một tiêu chí", "One criterion met or not", "units", "criterion_met"),
)

#: The page (url path) of each built-in view's theme.
THEME_PAGES: dict[str, str] = {
    "overview": "",
    "roads": "giao-thong",
    "industry": "cum-cong-nghiep",
    "forest": "dat-lam-nghiep",
    "ntm": "nong-thon-moi",
}


def map_style(name: str) -> tuple[MapStyle, str]:
    """The style named ``name`` (``id`` or ``id:value``) and its parameter ('' if none); ``KeyError`` if unknown."""
    sid, _, param = name.partition(":")
    for s in STYLES:
        if s.id == sid:
            return s, param
    raise KeyError(name)


def theme_styles(theme: str) -> tuple[str, ...]:
    """The styles a built-in view (or the theme page) shows by default."""
    return tuple(s.id for s in STYLES if s.theme == theme)


def page_styles(page: str) -> tuple[str, ...]:
    """The default styles of a page (url path)."""
    theme = next((k for k, v in THEME_PAGES.items() if v == page), None)
    return theme_styles(theme) if theme else ()


def style_color_by(names: tuple[str, ...]) -> tuple[tuple[LayerId, str], ...]:
    """``(layer, coded field)`` pairs of the named styles, for a map state or an export request."""
    out = []
    for name in names:
        try:
            s, _ = map_style(name)
        except KeyError:
            continue  # a style a newer version named: the layer keeps its status colours
        out.append((s.layer, s.field))
    return tuple(out)


def style_criterion(names: tuple[str, ...]) -> int | None:
    """The new-rural criterion a ``criterion:N`` style shows, if any."""
    for name in names:
        sid, _, param = name.partition(":")
        if sid == "criterion" and param.isdigit():
            return int(param)
    return None


def view_layers(name: str) -> tuple[LayerId, ...]:
    """The layers a view shows at first: the overview's or the theme's, those visible by default."""
    layers = OVERVIEW_LAYERS if name == "overview" else THEME_LAYERS[name]  # type: ignore[index]
    return tuple(lid for lid in layers if CATALOG[lid].default_visible)


def view_home(name: str) -> LayerId:
    """The layer whose extent the view opens on."""
    return THEME_HOME.get(name, "district")


def spec(layer_id: LayerId) -> LayerSpec:
    """The catalog record of ``layer_id``; ``KeyError`` for an unknown layer."""
    return CATALOG[layer_id]


def spatial_layers() -> list[LayerSpec]:
    """Every built-in layer that has geometry, in drawing order."""
    return CATALOG.spatial()

"""The app's pages, once: script, title key, icon, url path. ``app.py`` registers them; links use them."""

from __future__ import annotations

from typing import NamedTuple


class PageEntry(NamedTuple):
    """One page of the app."""

    file: str
    nav_key: str
    icon: str
    url: str
    default: bool = False


PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/overview.py", "nav.overview", ":material/dashboard:", "", True),
    PageEntry("pages/giao_thong.py", "nav.roads", ":material/add_road:", "giao-thong"),
    PageEntry("pages/cum_cong_nghiep.py", "nav.industry", ":material/factory:", "cum-cong-nghiep"),
    PageEntry("pages/dat_lam_nghiep.py", "nav.forest", ":material/forest:", "dat-lam-nghiep"),
    PageEntry("pages/nong_thon_moi.py", "nav.ntm", ":material/holiday_village:", "nong-thon-moi"),
    PageEntry("pages/chi_tieu.py", "nav.indicators", ":material/monitoring:", "chi-tieu"),
    PageEntry("pages/giao_ban.py", "nav.meeting", ":material/co_present:", "giao-ban"),
    PageEntry("pages/du_lieu.py", "nav.data", ":material/database:", "du-lieu"),
)

#: url path → page script, for ``st.page_link`` and ``st.switch_page``.
PAGE_FILES: dict[str, str] = {p.url: p.file for p in PAGES}

#: url path → the page's title key.
NAV_KEYS: dict[str, str] = {p.url: p.nav_key for p in PAGES}

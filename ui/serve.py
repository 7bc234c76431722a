"""Start the app: ``python -m ui.serve [streamlit options]`` (what ``make run`` does).

Why not plain ``streamlit run app.py``: with a folder named ``pages/`` beside
``app.py``, Streamlit 1.67 runs the very first script run of a server process
through its legacy pages-directory mode, so the first person to open a page
link (``/giao-thong``) after a restart gets a "Page not found" dialog over the
page. We register our pages with ``st.navigation``; saying so before the
server starts removes that first-run detour. ``streamlit run app.py`` still
works, with that one glitch, but without the vector tiles of big layers: those come from a route
that ``ui/asgi.py`` adds beside the app (``st.App``, Streamlit's own way).
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"
ASGI = Path(__file__).resolve().with_name("asgi.py")  # app.py inside st.App, with the vector-tile route


def main(argv: list[str] | None = None) -> int:
    """Run ``streamlit run ui/asgi.py`` (``app.py`` and the tile route) with ``argv`` as extra options."""
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(ASGI), *(sys.argv[1:] if argv is None else argv)]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main())

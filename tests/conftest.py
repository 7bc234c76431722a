from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "tests" / "artifacts"
sys.path.insert(0, str(ROOT))

from geo.store import DEFAULT_STORE, Store  # noqa: E402


@pytest.fixture(scope="session")
def store() -> Store:
    return Store(DEFAULT_STORE)


@pytest.fixture(scope="session")
def notice_text() -> str:
    """The notice with whitespace folded, so quotations can be matched across its line breaks."""
    path = SHARED / "source" / "inspection-notice-2024-04-dinh-lap.md"
    if not path.is_file():
        pytest.skip("../shared/source is not beside the checkout")
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def facts_units() -> list[dict[str, str]]:
    import csv

    path = SHARED / "facts" / "dinhlap-units-2024.csv"
    if not path.is_file():
        pytest.skip("../shared/facts is not beside the checkout")
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through Playwright, one per browser-test module."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def app_page(page: str, **state: object):
    """The app run with AppTest on ``page`` (a file under pages/), with ``state`` in its session; no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

"""Seconds per test module from a run's JUnit file (``make test`` writes ``tests/artifacts/junit.xml``).

    python tests/module_seconds.py [FILE]          # every module, longest first
    python tests/module_seconds.py --browser       # the real-browser modules, as BROWSER_SECONDS in conftest.py

The browser modules' figures are what ``tests/conftest.py`` shares between its two browser groups: refresh
``BROWSER_SECONDS`` from a full run when modules grow or shrink.
"""

from __future__ import annotations

import collections
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_seconds(junit: Path) -> dict[str, float]:
    """Each module's (file stem's) summed test seconds."""
    seconds: collections.Counter[str] = collections.Counter()
    for case in ET.parse(junit).iter("testcase"):
        seconds[case.get("classname", "").rsplit(".", 1)[-1]] += float(case.get("time") or 0)
    return dict(seconds)


def main(argv: list[str]) -> int:
    browser = "--browser" in argv
    files = [a for a in argv if not a.startswith("--")]
    junit = Path(files[0]) if files else ROOT / "tests" / "artifacts" / "junit.xml"
    if not junit.is_file():
        print(f"{junit}: no such file (run `make test` first)", file=sys.stderr)
        return 2
    rows = sorted(module_seconds(junit).items(), key=lambda kv: -kv[1])
    if browser:
        from tests.conftest import BROWSER_FILES

        print("BROWSER_SECONDS = {")
        for name, secs in rows:
            if name.startswith(BROWSER_FILES):
                print(f'    "{name}": {secs:.0f},')
        print("}")
        return 0
    for name, secs in rows:
        print(f"{secs:8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))

"""``python -m geo``: the command line for planners and scripts.

Exit codes: 0 success, 2 the store or arguments cannot be used (the message
says why, in Vietnamese then English).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from geo.i18n import Lang, fmt_number
from geo.store import DEFAULT_STORE, Store, StoreError


def _cmd_layers(args: argparse.Namespace) -> int:
    store = Store(args.store)
    infos = store.info()
    if args.json:
        json.dump([asdict(i) for i in infos], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    lang: Lang = args.lang
    head = ("id", "title", "theme", "geometry", "features", "crs", "as_of", "demo")
    rows = [
        (
            i.id,
            i.title_vi if lang == "vi" else i.title_en,
            i.theme,
            i.geometry or "—",
            fmt_number(i.features, lang),
            i.crs or "—",
            i.as_of or "—",
            "—" if i.demo is None else ("demo" if i.demo else ""),
        )
        for i in infos
    ]
    widths = [max(len(str(r[k])) for r in [head, *rows]) for k in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())
    return 0


def _cmd_build_demo(args: argparse.Namespace) -> int:
    from geo.demo import build_demo

    out = build_demo(Path(args.out))
    print(out)
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m geo``."""
    p = argparse.ArgumentParser(prog="python -m geo", description="Bản đồ điều hành Đình Lập — Đình Lập operations map")
    sub = p.add_subparsers(dest="cmd", required=True)
    lay = sub.add_parser("layers", help="liệt kê các lớp trong kho / list the layers of a store")
    lay.add_argument("--store", help=f"GeoPackage (mặc định/default: $DINHLAP_STORE or {DEFAULT_STORE.name})")
    lay.add_argument("--json", action="store_true", help="in JSON / print JSON")
    lay.add_argument("--lang", choices=("vi", "en"), default="vi")
    lay.set_defaults(func=_cmd_layers)
    bd = sub.add_parser("build-demo", help="dựng kho dữ liệu minh họa / build the demo store")
    bd.add_argument("--out", default=str(DEFAULT_STORE), help="output .gpkg")
    bd.set_defaults(func=_cmd_build_demo)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args))
    except StoreError as exc:
        print(exc.message("vi"), file=sys.stderr)
        print(exc.message("en"), file=sys.stderr)
        return 2

"""A writer process for tests/store/test_edit.py: edits one segment many times, as planner NAME.

python tests/edit_worker.py STORE NAME SEGMENT COUNT
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from geo.store.edit import edit

    store, name, seg, count = (
        sys.argv[1],
        sys.argv[2],
        sys.argv[3],
        int(sys.argv[4]),
    )  # a file or a postgresql:// address
    # room for every count below: households compensated never exceed those affected (a catalog rule)
    edit(store, "ql4b_segments", seg, {"households_affected": 1_000_000}, user=name, reason="setup")
    for i in range(count):
        edit(
            store,
            "ql4b_segments",
            seg,
            {"clearance_pct": float(i % 100), "households_compensated": i},
            user=name,
            reason=f"edit {i}",
        )
        print(i, flush=True)


if __name__ == "__main__":
    main()

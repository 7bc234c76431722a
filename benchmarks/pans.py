"""What a pan costs: this checkout's Giao thông page against the same page of an earlier commit, in one run.

    make bench-pans                      # against 9935471, the last commit where a pan reran the whole page
    python benchmarks/pans.py --against REV --rounds 3

Both apps serve the demo store (``python -m ui.serve``, as ``make run``), the earlier one from a git worktree of
``--against`` made for the run and removed after it. One headless Debian Chromium opens each page in turn, round
after round, and makes 12 jumps per round (``map.setView``, zoom 12–14, the same random places on both sides). For
each jump it reads, as ``tests/browser.py``'s ``expect_run`` waits: the seconds from the jump to the app idle again
(the map reports its view 250 ms after a move, then a run), and the processor seconds the server's process and
Chromium's processes spent meanwhile (from ``/proc``). The table gives medians and p95 with the ratio this
checkout / the earlier one.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import chromium, free_port, visit  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
STORE = ROOT / "data" / "dinhlap.gpkg"
JUMPS = 12


def tree_cpu(*roots: int) -> float:
    """Processor seconds (user + system) of processes ``roots`` and all their descendants, as ``/proc`` has them."""
    kids: dict[int, list[int]] = {}
    cpu: dict[int, float] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            stat = Path(f"/proc/{d}/stat").read_text()
        except OSError:
            continue
        rest = stat[stat.rindex(")") + 2 :].split()
        kids.setdefault(int(rest[1]), []).append(int(d))
        cpu[int(d)] = (int(rest[11]) + int(rest[12])) / TICK
    total, todo = 0.0, list(roots)
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo += kids.get(pid, [])
    return total


def children() -> list[int]:
    """This process's own children (``/proc/self/task/*/children``)."""
    return [int(c) for task in Path("/proc/self/task").iterdir() for c in (task / "children").read_text().split()]


def serve(tree: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    cmd = [sys.executable, "-m", "ui.serve", "--server.port", str(port), "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1"]
    env = {**os.environ, "DINHLAP_STORE": str(STORE)}
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise SystemExit(f"the app in {tree} did not start: {log}")


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--against", default="9935471", help="the earlier commit (default: the page reran per pan)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="dl-pans-") as tmp:
        old = Path(tmp) / "before"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "-q", "--detach", str(old), args.against], check=True)
        try:
            (old / "node_modules").symlink_to(ROOT / "node_modules")  # the same pinned packages
            sides = {"before": serve(old, Path(tmp) / "before.log"), "now": serve(ROOT, Path(tmp) / "now.log")}
            got: dict[str, dict[str, list[float]]] = {side: {"wall": [], "server": [], "browser": []} for side in sides}
            servers = {proc.pid for proc, _ in sides.values()}

            def browser_cpu() -> float:  # Chromium and Playwright's driver: this process's children but the apps
                return tree_cpu(*(pid for pid in children() if pid not in servers))

            with chromium() as browser:
                for round_no in range(args.rounds):
                    for side, (proc, url) in sides.items():
                        v = visit(browser, f"{url}/giao-thong")
                        frame = v.map_frame(60)
                        v.wait_idle(30)
                        rnd = random.Random(round_no)
                        for _ in range(JUMPS):
                            at = [rnd.uniform(21.45, 21.7), rnd.uniform(107.0, 107.3), rnd.choice([12, 13, 14])]
                            s0, b0, t0 = tree_cpu(proc.pid), browser_cpu(), time.monotonic()
                            with v.expect_run(30):
                                frame.evaluate("([a, o, z]) => window.map.setView([a, o], z, {animate: false})", at)
                            got[side]["wall"].append(time.monotonic() - t0)
                            got[side]["server"].append(tree_cpu(proc.pid) - s0)
                            got[side]["browser"].append(browser_cpu() - b0)
                        v.page.close()
            for proc, _ in sides.values():
                proc.terminate()
                proc.wait(10)
        finally:
            subprocess.run([*git, "remove", "--force", str(old)], check=False)
    n = len(got["now"]["wall"])
    print(f"Giao thông, demo store: {n} jumps per side; before = {args.against}, now = this checkout\n")
    print("| per pan | before | now | now / before |")
    print("|---|---|---|---|")
    names = {"wall": "jump → app idle", "server": "server processor", "browser": "Chromium processor"}
    for key, name in names.items():
        for label, f in (("median", statistics.median), ("p95", p95)):
            b, a = f(got["before"][key]), f(got["now"][key])
            print(f"| {name}, {label} | {b:.3f} s | {a:.3f} s | {a / b:.2f}× |")


if __name__ == "__main__":
    main()

"""Print how well mailbot trims replies on the reply-trimming corpus.

Usage: python bench/trimming.py [CORPUS_DIR] [--failures]

Prints safe, no-leak, no-loss and exact per source and overall (for the 629
target pairs of discourse + talon + erp_family + quagga_asf, talon_html shown
apart), and pairs per second for the trimming call alone.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scoring import Pair, Score, load_pairs, mailbot_trimmer, score

TARGET = ("discourse", "talon", "erp_family", "quagga_asf")
DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "reply-trimming"


def _row(label: str, scores: list[Score], rate: float | None = None) -> str:
    n = len(scores) or 1
    pct = [100 * sum(getattr(s, k) for s in scores) / n for k in ("safe", "no_leak", "no_loss", "exact")]
    cells = " | ".join(f"{p:5.1f}" for p in pct)
    rate_cell = f"{rate:,.0f}" if rate is not None else ""
    return f"| {label:<22} | {len(scores):5} | {cells} | {rate_cell:>8} |"


def main(argv: list[str]) -> int:
    show = "--failures" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = Path(args[0]) if args else DEFAULT
    if not root.is_dir():
        print(f"corpus not found: {root}", file=sys.stderr)
        return 2
    by_source: dict[str, list[Score]] = {}
    timing: dict[str, tuple[int, float]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        pairs: list[Pair] = list(load_pairs(folder))
        if not pairs:
            continue
        t0 = time.perf_counter()
        outputs = [mailbot_trimmer(p) for p in pairs]
        timing[folder.name] = (len(pairs), time.perf_counter() - t0)
        by_source[folder.name] = [score(p, o) for p, o in zip(pairs, outputs, strict=True)]
        if show:
            for p, s in zip(pairs, by_source[folder.name], strict=True):
                if not s.safe:
                    print(f"FAIL {folder.name}/{p.name} leaked={list(s.leaked)[:2]} lost={list(s.lost)[:2]}")
    print("| source                 | pairs |  safe | noleak | noloss | exact | pairs/s  |")
    print("|------------------------|-------|-------|--------|--------|-------|----------|")
    for name, scores in by_source.items():
        n, secs = timing[name]
        print(_row(name, scores, n / secs if secs else None))
    target = [s for name in TARGET for s in by_source.get(name, [])]
    n = sum(timing[name][0] for name in TARGET if name in timing)
    secs = sum(timing[name][1] for name in TARGET if name in timing)
    print(_row("TARGET (629 pairs)", target, n / secs if secs else None))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

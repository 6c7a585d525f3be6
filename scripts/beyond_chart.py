#!/usr/bin/env python3
"""Draw docs/img/beyond-accuracy.svg: test accuracy after each epoch, the book's
network against the best recipe beyond the book, from `mnn train --json` output.

    python3 scripts/beyond_chart.py OUT.svg BOOK.json RECIPE_SEED1.json [RECIPE_SEED2.json ...]

Each JSON file is the last line `mnn train --json` printed (its "curve" holds the
per-epoch test accuracy, as `mnn train` reports it). The recipe's seeds are drawn
as thin lines with their median as a thick one. Standard library only.
"""

import json
import statistics
import sys
from pathlib import Path

WIDTH, HEIGHT = 800, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 40, 50
LOW, HIGH = 0.95, 1.0


def curve(path):
    lines = Path(path).read_text().strip().splitlines()
    return json.loads(lines[-1])["curve"]["accuracy"]


def main():
    out, book_file, *recipe_files = sys.argv[1:]
    book = curve(book_file)
    seeds = [curve(f) for f in recipe_files]
    epochs = max(len(c) for c in [book, *seeds])
    median = [statistics.median(c[e] for c in seeds if len(c) > e) for e in range(epochs) if any(len(c) > e for c in seeds)]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(epoch):  # epoch from 1
        return LEFT + (epoch - 1) / max(epochs - 1, 1) * plot_w

    def y(acc):
        acc = min(max(acc, LOW), HIGH)
        return TOP + (HIGH - acc) / (HIGH - LOW) * plot_h

    def polyline(values, colour, width, dash=""):
        points = " ".join(f"{x(i + 1):.1f},{y(v):.1f}" for i, v in enumerate(values))
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        return f'<polyline fill="none" stroke="{colour}" stroke-width="{width}"{extra} points="{points}"/>'

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{LEFT}" y="22" font-size="14">Test accuracy after each epoch (MNIST, 10,000 test records)</text>',
    ]
    for tick in [0.95, 0.96, 0.97, 0.98, 0.99, 1.0]:
        parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.2f}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(0.99):.1f}" y2="{y(0.99):.1f}" stroke="#c33" stroke-dasharray="4 3"/>')
    for e in range(1, epochs + 1):
        if e == 1 or e % 5 == 0:
            parts.append(f'<text x="{x(e):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{e}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle">epoch</text>')
    for s in seeds:
        parts.append(polyline(s, "#9ecae1", 1))
    parts.append(polyline(median, "#08519c", 3))
    parts.append(polyline(book, "#e6550d", 3))
    legend = [
        ("#e6550d", 3, f"the book's 784-200-10 ({book[-1]:.4f})"),
        ("#08519c", 3, f"recipe, median of {len(seeds)} ({median[-1]:.4f})"),
        ("#9ecae1", 1, "recipe, each seed"),
        ("#c33", 1, "99%"),
    ]
    for i, (colour, width, label) in enumerate(legend):
        ly = TOP + 10 + i * 20
        parts.append(f'<line x1="{LEFT + plot_w + 12}" x2="{LEFT + plot_w + 36}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="{width}"/>')
        parts.append(f'<text x="{LEFT + plot_w + 42}" y="{ly + 4}">{label}</text>')
    parts.append("</svg>")
    Path(out).write_text("\n".join(parts) + "\n")
    print(f"wrote {out}: book {book}, recipe median {median}")


if __name__ == "__main__":
    main()

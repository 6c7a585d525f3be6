#!/usr/bin/env python3
"""Draw the handwriting fixtures of `mnn query`: the digits 0-9, twice each.

Each digit is a few pen strokes (lines and arcs) in a unit box, bent by a random
slant, turn and squash, with every point jittered a little, then drawn with a
round pen of some width, dark on light, at some size and somewhere off-centre on
a sheet of some size. The sheets are written in many PNG colour types and bit
depths by the small PNG encoder below (so any odd variant can be made exactly;
Pillow cannot write interlaced PNGs or 2/4-bit grey, for instance).

Only numpy is needed. The output is deterministic (fixed seed):

    python3 crates/mnn-cli/tests/data/handwriting/make_handwriting.py

writes `<digit>_<variant>.png` next to this script. The file name starts with
the digit drawn: that is the label the tests expect.
"""

import math
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
RNG = np.random.default_rng(20240601)


# --- the digits, as pen strokes in a box 1 wide and 1.6 high (y down) ---------


def arc(cx, cy, rx, ry, start, end, n=40):
    """Points on an ellipse from angle `start` to `end` (degrees, anticlockwise
    as displayed, 0 = right, 90 = up)."""
    t = np.radians(np.linspace(start, end, n))
    return list(zip(cx + rx * np.cos(t), cy - ry * np.sin(t)))


STROKES = {
    0: [arc(0.5, 0.8, 0.4, 0.75, 95, 95 + 365)],
    1: [[(0.3, 0.35), (0.58, 0.05), (0.55, 1.55)]],
    2: [arc(0.5, 0.45, 0.38, 0.38, 160, -40) + [(0.1, 1.55), (0.92, 1.55)]],
    3: [arc(0.48, 0.42, 0.34, 0.36, 160, -90) + arc(0.45, 1.13, 0.42, 0.42, 90, -150)],
    4: [[(0.68, 1.55), (0.68, 0.05), (0.06, 1.08), (0.95, 1.08)]],
    5: [[(0.88, 0.05), (0.22, 0.05), (0.16, 0.72)] + arc(0.5, 1.08, 0.42, 0.45, 140, -150)],
    6: [[(0.82, 0.1), (0.45, 0.3)] + arc(0.55, 1.15, 0.42, 0.85, 140, 180) + arc(0.5, 1.15, 0.37, 0.38, 180, -180)],
    7: [[(0.08, 0.05), (0.92, 0.05), (0.38, 1.55)]],
    8: [arc(0.5, 0.4, 0.3, 0.34, -90, 270), arc(0.5, 1.15, 0.4, 0.41, 90, 450)],
    9: [arc(0.5, 0.45, 0.38, 0.4, -10, 355), [(0.88, 0.4), (0.72, 1.55)]],
}


def transform(strokes, slant, turn, squash, jitter):
    """Slant, turn and squash the strokes about the box centre, and let them wobble."""
    c, s = math.cos(math.radians(turn)), math.sin(math.radians(turn))
    out = []
    for stroke in strokes:
        # A slow wobble along the stroke, as a hand makes, not per-point noise.
        t = np.linspace(0, 1, len(stroke))
        wobble = [
            jitter * np.sin(2 * np.pi * (RNG.uniform(0.5, 1.5) * t + RNG.uniform(0, 1)))
            for _ in range(2)
        ]
        pts = []
        for (x, y), wx, wy in zip(stroke, *wobble):
            x, y = x - 0.5, y - 0.8
            x = (x - slant * y) * squash
            x, y = c * x + s * y, -s * x + c * y
            pts.append((x + wx, y + wy))
        out.append(pts)
    return out


def draw(strokes, width, height, cx, cy, size, pen):
    """Ink coverage 0..1 of a round pen of diameter `pen` drawn along `strokes`
    scaled to `size` pixels high and centred at (cx, cy), anti-aliased."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64) + 0.5
    distance = np.full((height, width), np.inf)
    scale = size / 1.6
    for stroke in strokes:
        pts = [(cx + x * scale, cy + y * scale) for x, y in stroke]
        for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
            dx, dy = x1 - x0, y1 - y0
            length2 = dx * dx + dy * dy or 1e-12
            t = np.clip(((xs - x0) * dx + (ys - y0) * dy) / length2, 0, 1)
            d = np.hypot(xs - (x0 + t * dx), ys - (y0 + t * dy))
            distance = np.minimum(distance, d)
    return np.clip(pen / 2 - distance + 0.5, 0, 1)


# --- a small PNG encoder: every colour type, bit depth and Adam7 --------------

ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def pack_rows(samples, depth):
    """Rows of integer samples (h, w*channels) as bytes, each with filter byte 0."""
    rows = []
    for row in samples:
        if depth == 16:
            data = row.astype(">u2").tobytes()
        elif depth == 8:
            data = row.astype(np.uint8).tobytes()
        else:
            per_byte = 8 // depth
            padded = np.zeros(-(-len(row) // per_byte) * per_byte, dtype=np.uint8)
            padded[: len(row)] = row
            groups = padded.reshape(-1, per_byte)
            shifts = np.arange(per_byte - 1, -1, -1) * depth
            data = (groups << shifts).sum(axis=1).astype(np.uint8).tobytes()
        rows.append(b"\0" + data)
    return b"".join(rows)


def write_png(path, samples, color_type, depth, palette=None, trns=None, interlace=False):
    """`samples`: integer array (h, w, channels) of the stored values."""
    h, w, ch = samples.shape
    assert ch == CHANNELS[color_type]
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = samples[y0::dy, x0::dx]
            if sub.shape[0] and sub.shape[1]:
                raw += pack_rows(sub.reshape(sub.shape[0], -1), depth)
    else:
        raw = pack_rows(samples.reshape(h, -1), depth)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color_type, 0, 0, int(interlace)))
    if palette is not None:
        png += chunk(b"PLTE", bytes(np.asarray(palette, dtype=np.uint8).ravel()))
    if trns is not None:
        png += chunk(b"tRNS", trns)
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    path.write_bytes(png)


# --- the encodings: ink coverage 0..1 -> stored samples ------------------------


def grey(ink, depth, paper=1.0, dark=0.0):
    top = (1 << depth) - 1
    level = paper + (dark - paper) * ink
    return np.rint(level * top).astype(np.int64)[..., None]


def enc_grey8(path, ink):
    write_png(path, grey(ink, 8, paper=0.97, dark=0.1), 0, 8)


def enc_grey1(path, ink):
    write_png(path, (ink < 0.5).astype(np.int64)[..., None], 0, 1)


def enc_grey2(path, ink):
    write_png(path, grey(ink, 2), 0, 2)


def enc_grey4_interlaced(path, ink):
    write_png(path, grey(ink, 4, paper=0.95), 0, 4, interlace=True)


def enc_grey16(path, ink):
    write_png(path, grey(ink, 16, paper=0.93, dark=0.05), 0, 16)


def enc_rgb(path, ink):
    paper, pen = np.array([250, 246, 235]), np.array([20, 35, 140])  # blue ink on cream
    rgb = paper + (pen - paper) * ink[..., None]
    write_png(path, np.rint(rgb).astype(np.int64), 2, 8)


def enc_rgb16_interlaced(path, ink):
    paper, pen = np.array([0.99, 0.99, 0.99]), np.array([0.05, 0.05, 0.1])
    rgb = (paper + (pen - paper) * ink[..., None]) * 65535
    write_png(path, np.rint(rgb).astype(np.int64), 2, 16, interlace=True)


def enc_rgba(path, ink):
    # Black ink whose opacity is the coverage; the transparent paper's colour
    # is black too, so only alpha tells paper from ink.
    rgba = np.zeros(ink.shape + (4,), dtype=np.int64)
    rgba[..., 3] = np.rint(ink * 255)
    write_png(path, rgba, 6, 8)


def enc_grey_alpha(path, ink):
    ga = np.zeros(ink.shape + (2,), dtype=np.int64)
    ga[..., 0] = 30
    ga[..., 1] = np.rint(ink * 255)
    write_png(path, ga, 4, 8)


def enc_palette(path, ink):
    # Four shades from paper to ink, in a palette written darkest first.
    levels = np.array([[15, 15, 60], [90, 90, 120], [170, 170, 190], [255, 255, 255]])
    index = 3 - np.rint(ink * 3).astype(np.int64)
    write_png(path, index[..., None], 3, 2, palette=levels)


def enc_palette_trns(path, ink):
    # Palette entry 0 is fully transparent (and black): the paper.
    levels = np.array([[0, 0, 0]] + [[v, v, v] for v in np.linspace(200, 10, 15)])
    index = np.rint(ink * 15).astype(np.int64)
    write_png(path, index[..., None], 3, 4, palette=levels, trns=bytes([0]))


ENCODINGS = {
    "grey8": enc_grey8,
    "grey1": enc_grey1,
    "grey2": enc_grey2,
    "grey4i": enc_grey4_interlaced,
    "grey16": enc_grey16,
    "rgb": enc_rgb,
    "rgb16i": enc_rgb16_interlaced,
    "rgba": enc_rgba,
    "greyalpha": enc_grey_alpha,
    "palette": enc_palette,
    "palettetrns": enc_palette_trns,
}


def main():
    for old in HERE.glob("*.png"):
        old.unlink()
    names = list(ENCODINGS)
    for digit in range(10):
        for k in range(2):
            encoding = names[(2 * digit + k) % len(names)]
            # A sheet of some size and aspect, the digit 35-75 % of its height,
            # somewhere away from the centre, with a pen of 6-12 % of its size.
            width = int(RNG.integers(40, 220))
            height = int(RNG.integers(40, 220))
            size = RNG.uniform(0.35, 0.75) * min(height, width * 1.4)
            pen = max(1.5, RNG.uniform(0.07, 0.13) * size)
            half_w, half_h = size / 3.2 + pen, size / 2 + pen
            cx = RNG.uniform(half_w, width - half_w)
            cy = RNG.uniform(half_h, height - half_h)
            strokes = transform(
                STROKES[digit],
                slant=RNG.uniform(-0.1, 0.3),
                turn=RNG.uniform(-8, 8),
                squash=RNG.uniform(0.8, 1.15),
                jitter=0.04,
            )
            ink = draw(strokes, width, height, cx, cy, size, pen)
            path = HERE / f"{digit}_{encoding}.png"
            ENCODINGS[encoding](path, ink)
            print(f"{path.name}: {width}x{height}, digit {size:.0f} px high, pen {pen:.1f} px")
    return 0


if __name__ == "__main__":
    sys.exit(main())

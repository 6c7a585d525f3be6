"""Regenerate distort.json: `python3 make_distort.py > distort.json` (numpy, scipy >= 1.6).

Golden values for the distortions beyond the book, each for a FIXED draw, on the
first MNIST test digit (the input of rotate.json):

* "smooth": a fixed field of float32 uniforms in -1..1, smoothed with
  gaussian_filter(field, sigma, mode='constant', cval=0) (sigma 4 and 1.5);
* "elastic": Simard et al. 2003 with that field: both directions smoothed with
  sigma=4, scaled by alpha=34, then map_coordinates(image, [rows + d_rows,
  cols + d_cols], order=1, mode='constant', cval=0.01);
* "affine": affine_transform(image, M, offset, order=1, mode='constant',
  cval=0.01) with M = R(degrees) / scale, offset = centre - M.centre - shift
  (R as scipy.ndimage.rotate builds it, in (row, col)), for a few fixed draws;
* "shift": ndimage.shift(image, (rows, cols), order=1, mode='constant', cval=0.01);
* "combined": an affine draw and the elastic field at once, through map_coordinates.
"""

import json
from pathlib import Path

import numpy as np
import scipy
from scipy import ndimage

HERE = Path(__file__).resolve().parent
SIZE = 28
FILL = 0.01
SIGMA, ALPHA = 4.0, 34.0

image = np.array(json.loads((HERE / "rotate.json").read_text())["input"], dtype=np.float64).reshape(SIZE, SIZE)
rng = np.random.default_rng(2003)
# float32 values, stored exactly, so the Rust side reads the same field.
raw_rows = rng.uniform(-1.0, 1.0, size=(SIZE, SIZE)).astype(np.float32).astype(np.float64)
raw_cols = rng.uniform(-1.0, 1.0, size=(SIZE, SIZE)).astype(np.float32).astype(np.float64)

smooth = {
    str(sigma): ndimage.gaussian_filter(raw_rows, sigma, mode="constant", cval=0.0).ravel().tolist()
    for sigma in (SIGMA, 1.5)
}

d_rows = ndimage.gaussian_filter(raw_rows, SIGMA, mode="constant", cval=0.0) * ALPHA
d_cols = ndimage.gaussian_filter(raw_cols, SIGMA, mode="constant", cval=0.0) * ALPHA
grid_rows, grid_cols = np.meshgrid(np.arange(SIZE), np.arange(SIZE), indexing="ij")


def affine_matrix(degrees, scale, shift_rows, shift_cols):
    theta = np.deg2rad(degrees)
    c, s = np.cos(theta), np.sin(theta)
    m = np.array([[c, s], [-s, c]]) / scale
    centre = np.array([(SIZE - 1) / 2.0, (SIZE - 1) / 2.0])
    offset = centre - m @ centre - np.array([shift_rows, shift_cols])
    return m, offset


elastic = ndimage.map_coordinates(image, [grid_rows + d_rows, grid_cols + d_cols], order=1, mode="constant", cval=FILL)

AFFINE_DRAWS = [
    {"degrees": 12.5, "scale": 1.0, "shift_rows": 0.0, "shift_cols": 0.0},
    {"degrees": 0.0, "scale": 1.12, "shift_rows": 0.0, "shift_cols": 0.0},
    {"degrees": 0.0, "scale": 0.87, "shift_rows": 0.0, "shift_cols": 0.0},
    {"degrees": -7.25, "scale": 0.93, "shift_rows": 2.0, "shift_cols": -1.0},
    {"degrees": 15.0, "scale": 1.08, "shift_rows": -2.0, "shift_cols": 3.0},
]
affine = []
for draw in AFFINE_DRAWS:
    m, offset = affine_matrix(**draw)
    out = ndimage.affine_transform(image, m, offset=offset, order=1, mode="constant", cval=FILL)
    affine.append({**draw, "output": out.ravel().tolist()})

shift = []
for rows, cols in [(2, 0), (0, -2), (-1, 1), (3, -3)]:
    out = ndimage.shift(image, (rows, cols), order=1, mode="constant", cval=FILL)
    shift.append({"shift_rows": rows, "shift_cols": cols, "output": out.ravel().tolist()})

combined_draw = {"degrees": -9.0, "scale": 1.05, "shift_rows": 1.0, "shift_cols": -2.0}
m, offset = affine_matrix(**combined_draw)
source_rows = m[0, 0] * grid_rows + m[0, 1] * grid_cols + offset[0] + d_rows
source_cols = m[1, 0] * grid_rows + m[1, 1] * grid_cols + offset[1] + d_cols
combined = ndimage.map_coordinates(image, [source_rows, source_cols], order=1, mode="constant", cval=FILL)

def rounded(value):
    """Outputs to 8 decimals (the test allows 1e-4); inputs stay exact float32 values."""
    if isinstance(value, float):
        return round(value, 8)
    if isinstance(value, list):
        return [rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in ("input", "raw_rows", "raw_cols") else rounded(v) for k, v in value.items()}
    return value


print(
    json.dumps(rounded(
        {
            "about": f"scipy {scipy.__version__}; see make_distort.py",
            "size": SIZE,
            "fill": FILL,
            "sigma": SIGMA,
            "alpha": ALPHA,
            "input": image.ravel().tolist(),
            "raw_rows": raw_rows.ravel().tolist(),
            "raw_cols": raw_cols.ravel().tolist(),
            "smooth": smooth,
            "elastic": elastic.ravel().tolist(),
            "affine": affine,
            "shift": shift,
            "combined": {**combined_draw, "output": combined.ravel().tolist()},
        }
    ))
)

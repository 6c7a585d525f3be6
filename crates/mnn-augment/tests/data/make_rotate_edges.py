"""Regenerate rotate_edges.json: `python3 make_rotate_edges.py > rotate_edges.json` (numpy, scipy >= 1.6).

A non-square image whose border is bright, so the edge rule matters: with
mode='constant' a sample that falls outside the input grid is `cval` outright,
while mode='grid-constant' would blend it with the edge pixels. The Rust crate
must match 'constant'.
"""

import json

import numpy as np
import scipy
from scipy import ndimage

HEIGHT, WIDTH = 5, 7
CVAL = 0.5
ANGLES = ["10", "-25", "33.5", "90", "180", "-135"]

rng = np.random.default_rng(2024)
# float32 values, stored exactly, so the Rust side reads the same input.
image = rng.uniform(0.0, 1.0, size=(HEIGHT, WIDTH)).astype(np.float32).astype(np.float64)

rotated = {
    angle: ndimage.rotate(image, float(angle), order=1, mode="constant", cval=CVAL, reshape=False)
    .ravel()
    .tolist()
    for angle in ANGLES
}
print(
    json.dumps(
        {
            "about": f"scipy {scipy.__version__} ndimage.rotate(img, angle, order=1, mode='constant', "
            f"cval={CVAL}, reshape=False) of a random {HEIGHT}x{WIDTH} (height x width) image; "
            "see make_rotate_edges.py",
            "height": HEIGHT,
            "width": WIDTH,
            "cval": CVAL,
            "input": image.ravel().tolist(),
            "rotated": rotated,
        },
        indent=1,
    )
)

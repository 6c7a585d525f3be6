#!/usr/bin/env python3
"""Check that a model saved by `mnn train --save` (the book's network or a deeper
one) loads in Python and answers like `mnn` does.

    python3 scripts/check_model.py MODEL [--mnn PATH] [IMAGE.png ...]

1. Loads MODEL with `safetensors.numpy.load_file` and checks its tensors
   (`weights_input_hidden` [hidden, inputs], `weights_hidden_output`
   [outputs, hidden], float32) and its metadata (format, version, activation,
   layer sizes, learning rate). A network beyond the book (metadata
   `layer_sizes`, format version 2) has `weights_input_hidden1`,
   `weights_hidden1_hidden2`, ... `weights_hiddenN_output` (the book's two
   names with one hidden layer) and `bias_*` tensors if `bias` is true, and
   its `activation` (hidden layers), `loss` and `output` (sigmoid or softmax).
2. Runs `mnn query --json --save-input DIR` on the images (by default the
   handwriting fixtures in crates/mnn-cli/tests/data/handwriting), once
   MNIST-style and once with `--raw`, so `mnn` writes the 28x28 image the
   network saw for each of them.
3. Reads those 28x28 images back and queries the network with numpy exactly
   as the book does (`255 - pixels`, `/ 255 * 0.99 + 0.01`,
   `sigmoid(W_ho . sigmoid(W_ih . x))`; for a deeper network every layer's
   `f(W . a + b)`, softmax at the output for cross-entropy), and compares the
   ten outputs with mnn's to 1e-5, and the labels.

Exits 0 when everything agrees, 1 otherwise. Needs numpy and safetensors
(`pip install safetensors numpy`) and an mnn binary: --mnn, or $MNN_BIN, or
target/release/mnn, or target/debug/mnn.
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "crates/mnn-cli/tests/data/handwriting"
TOLERANCE = 1e-5


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


# --- the model file -------------------------------------------------------------


def layer_names(layers):
    """Tensor names of a network with `layers` layers of weights, as mnn writes them."""

    def name(i):
        if i == 0:
            return "input"
        if i == layers:
            return "output"
        return "hidden" if layers == 2 else f"hidden{i}"

    return [(f"weights_{name(l - 1)}_{name(l)}", f"bias_{name(l)}") for l in range(1, layers + 1)]


def load_deep_model(path, tensors, meta):
    """A network beyond the book: its layers [(W, b or None)] and metadata, checked."""
    sizes = [int(n) for n in meta["layer_sizes"].split(",")]
    bias = meta.get("bias") == "true"
    check(int(meta.get("format_version", "0")) == 2, f"{path}: format_version {meta.get('format_version')}, expected 2")
    check(meta.get("activation") in ("sigmoid", "tanh", "relu"), f"{path}: activation {meta.get('activation')!r}")
    check(
        (meta.get("loss"), meta.get("output")) in (("squared", "sigmoid"), ("cross-entropy", "softmax")),
        f"{path}: loss {meta.get('loss')!r} with output {meta.get('output')!r}",
    )
    names = layer_names(len(sizes) - 1)
    expected = {w for w, _ in names} | ({b for _, b in names} if bias else set())
    check(set(tensors) == expected, f"{path}: tensors {sorted(tensors)}, expected {sorted(expected)}")
    layers = []
    for l, (w_name, b_name) in enumerate(names):
        w = tensors[w_name]
        check(w.dtype == np.float32 and np.isfinite(w).all(), f"{path}: {w_name} is not finite float32")
        check(w.shape == (sizes[l + 1], sizes[l]), f"{path}: {w_name} is {w.shape}, expected {(sizes[l + 1], sizes[l])}")
        b = tensors[b_name] if bias else None
        if b is not None:
            check(b.shape == (sizes[l + 1],), f"{path}: {b_name} is {b.shape}, expected ({sizes[l + 1]},)")
        layers.append((w, b))
    check(float(meta.get("learning_rate", "nan")) > 0, f"{path}: learning_rate {meta.get('learning_rate')!r}")
    check((sizes[0], sizes[-1]) == (784, 10), f"{path}: a {meta['layer_sizes']} network cannot read MNIST digits")
    return layers, meta


def deep_query(layers, meta, inputs):
    """Every layer's f(W . a + b) in float64; softmax or sigmoid at the output."""
    hidden = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0.0)}[meta["activation"]]
    a = inputs
    for l, (w, b) in enumerate(layers):
        z = np.dot(w.astype(np.float64), a) + (0.0 if b is None else b.astype(np.float64))
        if l + 1 < len(layers):
            a = hidden(z)
        elif meta["output"] == "softmax":
            e = np.exp(z - z.max())
            a = e / e.sum()
        else:
            a = sigmoid(z)
    return a


def load_model(path):
    """A query function for the network and its metadata, checked."""
    tensors = load_file(str(path))
    with safe_open(str(path), framework="numpy") as f:
        meta = f.metadata() or {}
    check(meta.get("format") == "mnn", f"{path}: metadata format is {meta.get('format')!r}, expected 'mnn'")
    if "layer_sizes" in meta:
        layers, meta = load_deep_model(path, tensors, meta)
        return (lambda inputs: deep_query(layers, meta, inputs)), meta["layer_sizes"].replace(",", "-"), meta
    w_ih, w_ho, meta = load_book_model(path, tensors, meta)
    sizes = f"{w_ih.shape[1]}-{w_ih.shape[0]}-{w_ho.shape[0]}"
    return (lambda inputs: book_query(w_ih, w_ho, inputs)), sizes, meta


def load_book_model(path, tensors, meta):
    """The book's two weight matrices and the metadata, checked."""
    check(
        set(tensors) == {"weights_input_hidden", "weights_hidden_output"},
        f"{path}: tensors {sorted(tensors)}, expected weights_input_hidden and weights_hidden_output",
    )
    w_ih, w_ho = tensors["weights_input_hidden"], tensors["weights_hidden_output"]
    for name, w in (("weights_input_hidden", w_ih), ("weights_hidden_output", w_ho)):
        check(w.dtype == np.float32, f"{path}: {name} is {w.dtype}, expected float32")
        check(w.ndim == 2, f"{path}: {name} has shape {w.shape}, expected 2 dimensions")
        check(np.isfinite(w).all(), f"{path}: {name} has non-finite weights")
    hidden, inputs = w_ih.shape
    outputs = w_ho.shape[0]
    check(
        w_ho.shape == (outputs, hidden),
        f"{path}: weights_hidden_output is {w_ho.shape}, expected ({outputs}, {hidden})",
    )
    check(meta.get("format") == "mnn", f"{path}: metadata format is {meta.get('format')!r}, expected 'mnn'")
    check(int(meta.get("format_version", "0")) >= 1, f"{path}: no format_version in metadata")
    check(meta.get("activation") == "sigmoid", f"{path}: activation {meta.get('activation')!r}")
    for key, nodes in (("input_nodes", inputs), ("hidden_nodes", hidden), ("output_nodes", outputs)):
        check(int(meta.get(key, -1)) == nodes, f"{path}: metadata {key}={meta.get(key)} but the weights have {nodes}")
    check(float(meta.get("learning_rate", "nan")) > 0, f"{path}: learning_rate {meta.get('learning_rate')!r}")
    check((inputs, outputs) == (784, 10), f"{path}: a {inputs}-{hidden}-{outputs} network cannot read MNIST digits")
    return w_ih, w_ho, meta


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def book_query(w_ih, w_ho, inputs):
    """The book's `query`, in float64 as numpy does it there."""
    hidden_outputs = sigmoid(np.dot(w_ih.astype(np.float64), inputs))
    return sigmoid(np.dot(w_ho.astype(np.float64), hidden_outputs))


# --- the 8-bit grey PNGs mnn writes ---------------------------------------------


def read_grey_png(path):
    """An 8-bit greyscale, non-interlaced PNG (what `mnn` writes) as a uint8 array."""
    data = Path(path).read_bytes()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    width, height, depth, color, _, _, interlace = header
    check((depth, color, interlace) == (8, 0, 0), f"{path}: not 8-bit grey non-interlaced")
    raw = zlib.decompress(idat)
    rows, previous = [], bytearray(width)
    for y in range(height):
        line = raw[y * (width + 1) : (y + 1) * (width + 1)]
        kind, row = line[0], bytearray(line[1:])
        for x in range(width):
            a = row[x - 1] if x else 0
            b = previous[x]
            c = previous[x - 1] if x else 0
            if kind == 1:
                row[x] = (row[x] + a) & 255
            elif kind == 2:
                row[x] = (row[x] + b) & 255
            elif kind == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                row[x] = (row[x] + predictor) & 255
        rows.append(bytes(row))
        previous = row
    return np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width)


# --- comparing with mnn ----------------------------------------------------------


def find_mnn(given):
    for candidate in (given, os.environ.get("MNN_BIN"), ROOT / "target/release/mnn", ROOT / "target/debug/mnn"):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    raise CheckFailed("no mnn binary: build it (cargo build -p mnn-cli) or pass --mnn PATH")


def compare(mnn, model, query, images, raw, workdir):
    """Queries the images with mnn and with numpy; returns the largest difference."""
    seen = Path(workdir) / ("raw" if raw else "mnist")
    command = [mnn, "query", "--json", "--model", str(model), "--save-input", str(seen)]
    command += ["--raw"] if raw else []
    result = subprocess.run(command + [str(i) for i in images], capture_output=True, text=True)
    check(result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}")
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    check(len(answers) == len(images), f"mnn answered {len(answers)} of {len(images)} images:\n{result.stderr}")
    worst = 0.0
    for answer in answers:
        pixels = read_grey_png(answer["input"])
        check(pixels.shape == (28, 28), f"{answer['input']}: {pixels.shape}, expected 28x28")
        # The book: img_data = 255.0 - img_array.reshape(784); (img_data / 255.0 * 0.99) + 0.01
        inputs = (255.0 - pixels.reshape(784).astype(np.float64)) / 255.0 * 0.99 + 0.01
        outputs = query(inputs)
        theirs = np.array(answer["outputs"], dtype=np.float64)
        difference = float(np.abs(outputs - theirs).max())
        worst = max(worst, difference)
        check(
            difference <= TOLERANCE,
            f"{answer['file']}: numpy {outputs.round(6)} vs mnn {theirs.round(6)}, differ by {difference:.2e}",
        )
        top_two = np.sort(outputs)[-2:]
        if top_two[1] - top_two[0] > TOLERANCE:
            check(int(np.argmax(outputs)) == answer["label"], f"{answer['file']}: numpy says {np.argmax(outputs)}, mnn {answer['label']}")
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model", type=Path, help="a .safetensors file written by `mnn train --save`")
    parser.add_argument("images", nargs="*", type=Path, help="PNG images [default: the handwriting fixtures]")
    parser.add_argument("--mnn", help="the mnn binary [default: $MNN_BIN, target/release/mnn, target/debug/mnn]")
    args = parser.parse_args()
    try:
        query, sizes, meta = load_model(args.model)
        print(
            f"{args.model}: loads with safetensors.numpy: {sizes}, "
            f"{meta['activation']}, {meta.get('loss', 'squared')} loss, learning rate {meta['learning_rate']}, "
            f"test accuracy {meta.get('test_accuracy', 'not recorded')}"
        )
        images = args.images or sorted(FIXTURES.glob("*.png"))
        check(images, "no images to query")
        mnn = find_mnn(args.mnn)
        with tempfile.TemporaryDirectory() as workdir:
            for raw in (False, True):
                worst = compare(mnn, args.model, query, images, raw, workdir)
                way = "the book's raw way" if raw else "MNIST-style"
                print(f"{len(images)} images prepared {way}: numpy's query and mnn's agree (max difference {worst:.1e})")
    except Exception as e:  # noqa: BLE001 - any failure is a failed check, said in one line
        print(f"check_model: FAILED: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

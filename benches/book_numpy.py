#!/usr/bin/env python3
"""The book's final code (Make Your Own Neural Network, part 2), timed.

The neuralNetwork class and the training and test loops are the book's, line
for line in spirit: one sample per update, numpy.dot for every matrix product,
scipy.special.expit as the sigmoid, and the records parsed from CSV text in
the loop as the book does. Only two things differ: the records come from the
MNIST IDX files in data/mnist (turned into the book's CSV lines in memory,
before the clock starts), and numpy.asfarray, gone in numpy 2, is
numpy.asarray(..., dtype=float).

    python3 benches/book_numpy.py --epochs 1

Prints the time per training sample and per epoch, the accuracy, and the
query time for the test set, then one JSON line.

It can also replay an mnn run with the book's code, from the same start:

    mnn train --hidden 200 --lr 0.01 --epochs 0 --seed 1 --save init.safetensors
    mnn train --hidden 200 --lr 0.01 --epochs 10 --rotate 10 --seed 1 --save m.safetensors
    python3 benches/book_numpy.py --init init.safetensors --lr 0.01 --epochs 10 \
        --rotate 10 --each-epoch --compare m.safetensors

--init starts from mnn's initial weights instead of numpy's own draw, --rotate
trains as the book's part 3 notebook does (each record, then copies rotated
+DEG and -DEG by scipy.ndimage.rotate, order 1, cval 0.01; needs scipy), and
--compare prints how far the book's final weights and accuracy are from an mnn
model trained with the same settings, and exits 1 when a weight differs by
more than --tolerance. OpenBLAS settings change the
speed of numpy.dot: run it with the environment you want to measure (see
docs/benchmarks.md).
"""

import argparse
import gzip
import json
import struct
import time
from pathlib import Path

import numpy
import scipy.special


class neuralNetwork:
    """The book's three-layer network."""

    def __init__(self, inputnodes, hiddennodes, outputnodes, learningrate):
        self.inodes = inputnodes
        self.hnodes = hiddennodes
        self.onodes = outputnodes
        # weights drawn from Normal(0, 1/sqrt(incoming links))
        self.wih = numpy.random.normal(0.0, pow(self.inodes, -0.5), (self.hnodes, self.inodes))
        self.who = numpy.random.normal(0.0, pow(self.hnodes, -0.5), (self.onodes, self.hnodes))
        self.lr = learningrate
        self.activation_function = lambda x: scipy.special.expit(x)

    def train(self, inputs_list, targets_list):
        inputs = numpy.array(inputs_list, ndmin=2).T
        targets = numpy.array(targets_list, ndmin=2).T
        hidden_inputs = numpy.dot(self.wih, inputs)
        hidden_outputs = self.activation_function(hidden_inputs)
        final_inputs = numpy.dot(self.who, hidden_outputs)
        final_outputs = self.activation_function(final_inputs)
        output_errors = targets - final_outputs
        hidden_errors = numpy.dot(self.who.T, output_errors)
        self.who += self.lr * numpy.dot(
            (output_errors * final_outputs * (1.0 - final_outputs)), numpy.transpose(hidden_outputs)
        )
        self.wih += self.lr * numpy.dot(
            (hidden_errors * hidden_outputs * (1.0 - hidden_outputs)), numpy.transpose(inputs)
        )

    def query(self, inputs_list):
        inputs = numpy.array(inputs_list, ndmin=2).T
        hidden_outputs = self.activation_function(numpy.dot(self.wih, inputs))
        return self.activation_function(numpy.dot(self.who, hidden_outputs))


def idx(path):
    """The array in a (gzipped) IDX file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return numpy.frombuffer(data, dtype=numpy.uint8, offset=4 + 4 * dims).reshape(shape)


def csv_lines(directory, kind, limit):
    """The book's CSV lines ("label,p0,...,p783") for the train or t10k set."""

    def find(name):
        for candidate in (directory / (name + ".gz"), directory / name):
            if candidate.exists():
                return candidate
        raise SystemExit(f"{directory}: no {name}[.gz] (get MNIST with `cargo xtask download`)")

    images = idx(find(f"{kind}-images-idx3-ubyte"))[:limit]
    labels = idx(find(f"{kind}-labels-idx1-ubyte"))[:limit]
    return [
        ",".join([str(label)] + [str(p) for p in image.reshape(-1)])
        for label, image in zip(labels, images)
    ]


def scorecard_accuracy(n, test_data_list, dtype):
    """The book's scorecard: the share of test records whose largest output is the label."""
    scorecard = []
    for record in test_data_list:
        all_values = record.split(",")
        correct_label = int(all_values[0])
        inputs = ((numpy.asarray(all_values[1:], dtype=float) / 255.0 * 0.99) + 0.01).astype(dtype)
        outputs = n.query(inputs)
        scorecard.append(1 if numpy.argmax(outputs) == correct_label else 0)
    return sum(scorecard) / len(scorecard)


def mnn_model(path):
    """W_ih (hidden, inputs), W_ho (outputs, hidden) and the metadata of a model saved by `mnn train --save`."""
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as f:
        return f.get_tensor("weights_input_hidden"), f.get_tensor("weights_hidden_output"), f.metadata() or {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("data/mnist"))
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N records only")
    parser.add_argument(
        "--float32",
        action="store_true",
        help="the same initial weights, then every array in 32-bit floats (as mnn computes)",
    )
    parser.add_argument("--init", type=Path, help="start from the weights of this mnn model (--hidden is taken from it)")
    parser.add_argument("--rotate", type=float, help="also train on every record rotated by +DEG and -DEG (scipy)")
    parser.add_argument("--each-epoch", action="store_true", help="print the accuracy after every epoch")
    parser.add_argument("--compare", type=Path, help="an mnn model trained with the same settings to compare with")
    parser.add_argument("--tolerance", type=float, default=1e-4, help="largest weight difference --compare accepts")
    args = parser.parse_args()

    numpy.random.seed(args.seed)
    training_data_list = csv_lines(args.data, "train", args.limit)
    test_data_list = csv_lines(args.data, "t10k", None)
    input_nodes, output_nodes = 784, 10
    if args.init:
        start_ih, start_ho, _ = mnn_model(args.init)
        args.hidden = start_ih.shape[0]
    n = neuralNetwork(input_nodes, args.hidden, output_nodes, args.lr)
    if args.init:
        n.wih, n.who = start_ih, start_ho
    dtype = numpy.float32 if args.float32 else numpy.float64
    n.wih, n.who = n.wih.astype(dtype), n.who.astype(dtype)
    if args.rotate is not None:
        import scipy.ndimage

    train_seconds, samples = 0.0, 0
    for e in range(args.epochs):
        started = time.perf_counter()
        for record in training_data_list:
            all_values = record.split(",")
            inputs = ((numpy.asarray(all_values[1:], dtype=float) / 255.0 * 0.99) + 0.01).astype(dtype)
            targets = numpy.zeros(output_nodes, dtype=dtype) + 0.01
            targets[int(all_values[0])] = 0.99
            n.train(inputs, targets)
            samples += 1
            if args.rotate is not None:
                # The book's part 3: rotated anticlockwise, then clockwise, by DEG degrees
                for degrees in (args.rotate, -args.rotate):
                    rotated = scipy.ndimage.rotate(inputs.reshape(28, 28), degrees, cval=0.01, order=1, reshape=False)
                    n.train(rotated.reshape(784), targets)
                    samples += 1
        train_seconds += time.perf_counter() - started
        if args.each_epoch:
            print(f"epoch {e + 1}: accuracy {scorecard_accuracy(n, test_data_list, dtype):.4f}", flush=True)

    started = time.perf_counter()
    accuracy = scorecard_accuracy(n, test_data_list, dtype)
    test_seconds = time.perf_counter() - started

    per_sample = train_seconds / max(samples, 1)
    print(
        f"book numpy: 784-{args.hidden}-10, {samples} samples in {train_seconds:.1f} s: "
        f"{per_sample * 1e6:.0f} µs/sample, {per_sample * 60000:.1f} s per 60,000-sample epoch; "
        f"accuracy {accuracy:.4f}; query {len(test_data_list)} in {test_seconds * 1e3:.0f} ms"
    )
    report = {
        "us_per_sample": per_sample * 1e6,
        "seconds_per_epoch": per_sample * 60000,
        "train_seconds": train_seconds,
        "samples": samples,
        "accuracy": accuracy,
        "test_seconds": test_seconds,
        "numpy": numpy.__version__,
        "dtype": numpy.dtype(dtype).name,
    }
    if args.compare:
        their_ih, their_ho, meta = mnn_model(args.compare)
        difference = max(float(numpy.abs(n.wih - their_ih).max()), float(numpy.abs(n.who - their_ho).max()))
        their_accuracy = float(meta.get("test_accuracy", "nan"))
        print(
            f"compared with {args.compare}: largest weight difference {difference:.1e} "
            f"(tolerance {args.tolerance:.0e}); accuracy book {accuracy:.4f}, mnn {their_accuracy:.4f}"
        )
        report.update(weight_difference=difference, mnn_accuracy=their_accuracy)
    print(json.dumps(report))
    if args.compare and not difference <= args.tolerance:
        raise SystemExit(f"{args.compare}: weights differ from the book's by {difference:.1e} > {args.tolerance:.0e}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Cuts the Fashion-MNIST slice that Lanes ships in its jar.

Takes the first TRAIN training and TEST test images (and their labels) from the full data set,
unchanged, and writes them as gzipped IDX files with fixed headers (no name, time 0), so that the
output depends only on the input. Standard library only.

    python3 tools/data/cut_fashion_mnist_slice.py [SOURCE_DIR] [OUT_DIR]

SOURCE_DIR defaults to /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist);
OUT_DIR to src/main/resources/dev/lanes/data/fashion-mnist-slice. The counts must match
FashionMnist.SLICE_TRAIN and SLICE_TEST.
"""

import gzip
import os
import struct
import sys

TRAIN = 2000
TEST = 500
SOURCE = "/usr/share/datasets/fashion-mnist"
OUT = "src/main/resources/dev/lanes/data/fashion-mnist-slice"


def read_idx(path):
    """Returns (magic bytes, dims, data bytes) of a raw or gzipped unsigned-byte IDX file."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0:3] != b"\x00\x00\x08":
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    rank = raw[3]
    dims = list(struct.unpack(f">{rank}I", raw[4:4 + 4 * rank]))
    data = raw[4 + 4 * rank:]
    count = 1
    for d in dims:
        count *= d
    if len(data) != count:
        raise SystemExit(f"{path}: {len(data)} data bytes, dims {dims} need {count}")
    return raw[:4], dims, data


def write_first(source, out, n):
    magic, dims, data = read_idx(source)
    if dims[0] < n:
        raise SystemExit(f"{source}: only {dims[0]} items, {n} wanted")
    per_item = len(data) // dims[0]
    body = magic + struct.pack(f">{len(dims)}I", n, *dims[1:]) + data[:n * per_item]
    with open(out, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as gz:
            gz.write(body)
    print(f"{out}: {n} of {dims[0]}, {os.path.getsize(out)} bytes")


def find(directory, name):
    for candidate in (name, name + ".gz"):
        path = os.path.join(directory, candidate)
        if os.path.isfile(path):
            return path
    raise SystemExit(f"neither {name} nor {name}.gz in {directory}")


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else SOURCE
    out = sys.argv[2] if len(sys.argv) > 2 else OUT
    os.makedirs(out, exist_ok=True)
    for prefix, n in (("train", TRAIN), ("t10k", TEST)):
        for kind in ("images-idx3-ubyte", "labels-idx1-ubyte"):
            name = f"{prefix}-{kind}"
            write_first(find(source, name), os.path.join(out, name + ".gz"), n)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turn wgjail's QR codes into images zbarimg reads (PBM), for the tests.

  qr_decode.py term  IN OUT.pbm   the terminal form: UTF-8 half blocks, light
                                  modules drawn (full block, upper half, lower
                                  half, space = both dark)
  qr_decode.py svg   IN OUT.pbm   the SVG form: its path of unit squares
                                  ("Mx yhNv1h-Nz") on a white background

Only what the image says is used: the blocks as printed, the path as
written; each module becomes a 4x4 pixel square."""
import re
import sys

SCALE = 4


def write_pbm(rows, out):
    w = len(rows[0])
    with open(out, "w") as f:
        f.write("P1\n%d %d\n" % (w * SCALE, len(rows) * SCALE))
        for r in rows:
            line = " ".join(str(v) for v in r for _ in range(SCALE))
            for _ in range(SCALE):
                f.write(line + "\n")


def term(text):
    cells = {"\u2588": (0, 0), "\u2580": (0, 1), "\u2584": (1, 0), " ": (1, 1)}
    lines = [l for l in text.split("\n") if l]
    if len({len(l) for l in lines}) != 1:
        raise SystemExit("ragged lines")
    rows = []
    for l in lines:
        top, bot = [], []
        for ch in l:
            if ch not in cells:
                raise SystemExit("unexpected character %r" % ch)
            t, b = cells[ch]
            top.append(t)
            bot.append(b)
        rows += [top, bot]
    return rows


def svg(text):
    m = re.search(r'viewBox="0 0 (\d+) (\d+)"', text)
    w, h = int(m.group(1)), int(m.group(2))
    rows = [[0] * w for _ in range(h)]
    d = re.search(r'<path[^>]* d="([^"]*)"', text).group(1)
    for x, y, n in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", d):
        for i in range(int(n)):
            rows[int(y)][int(x) + i] = 1
    return rows


if __name__ == "__main__":
    kind, src, out = sys.argv[1:4]
    text = open(src, encoding="utf-8").read()
    write_pbm(term(text) if kind == "term" else svg(text), out)

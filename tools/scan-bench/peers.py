#!/usr/bin/env python3
"""Measures QR decoders on a corpus written by `tatami-qr-corpus`, in one run.

For every frame and decoder: did it read exactly the manifest's text (or,
on a frame without a code, nothing), did it read anything else (a false
read), did it panic, and how long the decode took, the image already in
memory. Prints Markdown tables: success per family and level, then false
reads, panics and p50/p99 milliseconds per frame.

Run it pinned to one core, as the door's budget is per core:

    taskset -c 0 tools/scan-bench/.venv/bin/python tools/scan-bench/peers.py --corpus DIR

A decoder is one entry in DECODERS: an in-process Python binding, or a bin
printing one JSON line per frame like `tatami-qr-decode`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    payloads: list[str]
    ms: float
    panicked: bool = False
    error: str | None = None


def load_gray(path: Path):
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        return np.ascontiguousarray(np.asarray(image.convert("L")))


class InProcess:
    """A Python binding, timed around the decode call alone."""

    def __init__(self, name: str, prepare: Callable[[Any], Any], decode: Callable[[Any], list[str]]):
        self.name = name
        self.prepare = prepare
        self.decode = decode

    def run(self, corpus: Path, files: list[str], repeat: int) -> dict[str, Outcome]:
        outcomes = {}
        for file in files:
            image = self.prepare(load_gray(corpus / file))
            fastest, payloads = math.inf, []
            for _ in range(repeat):
                start = time.perf_counter_ns()
                payloads = self.decode(image)
                fastest = min(fastest, (time.perf_counter_ns() - start) / 1e6)
            outcomes[file] = Outcome(payloads, fastest)
        return outcomes


class JsonLinesBin:
    """A program that decodes the whole corpus and prints one JSON line per
    frame: file, payloads, error, ms, panicked (see tatami-qr-decode)."""

    def __init__(self, name: str, command: list[str]):
        self.name = name
        self.command = command

    def run(self, corpus: Path, files: list[str], repeat: int) -> dict[str, Outcome]:
        if not Path(self.command[0]).exists():
            sys.exit(f"{self.command[0]} is missing: build it first (see README.md)")
        args = [*self.command, "--corpus", str(corpus), "--repeat", str(repeat)]
        done = subprocess.run(args, check=True, capture_output=True, text=True)
        outcomes = {}
        for line in done.stdout.splitlines():
            row = json.loads(line)
            outcomes[row["file"]] = Outcome(row["payloads"], row["ms"], row["panicked"], row["error"])
        return {f: outcomes[f] for f in files}


def zbar(_args) -> InProcess:
    from pyzbar import pyzbar

    def prepare(image):
        height, width = image.shape
        return (image.tobytes(), width, height)

    def decode(image) -> list[str]:
        found = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
        return [s.data.decode("utf-8", "replace") for s in found]

    return InProcess("zbar", prepare, decode)


def zxing_cpp(_args) -> InProcess:
    import zxingcpp

    def decode(image) -> list[str]:
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        return [b.text for b in found]

    return InProcess("zxing-cpp", lambda image: image, decode)


def rqrr(args) -> JsonLinesBin:
    return JsonLinesBin("rqrr", [str(args.decode_bin)])


def pipeline(args) -> JsonLinesBin:
    """The engine's pipeline as the scanner runs it: 30 ms a frame at most."""
    return JsonLinesBin("pipeline", [str(args.decode_bin), "--pipeline", "--budget-ms", "30"])


def pipeline_unbounded(args) -> JsonLinesBin:
    """The same, every view tried whatever the time."""
    return JsonLinesBin("pipeline-unbounded", [str(args.decode_bin), "--pipeline"])


# Name -> constructor, in table order.
DECODERS: dict[str, Callable[[argparse.Namespace], Any]] = {
    "zbar": zbar,
    "zxing-cpp": zxing_cpp,
    "rqrr": rqrr,
    "pipeline": pipeline,
    "pipeline-unbounded": pipeline_unbounded,
}


def judge(expected: str | None, outcome: Outcome) -> tuple[bool, bool]:
    """(success, false read): the exact text and nothing else."""
    wrong = any(p != expected for p in outcome.payloads)
    if expected is None:
        return not outcome.payloads, wrong
    return expected in outcome.payloads, wrong


def percentile(values: list[float], q: float) -> float:
    """Nearest rank."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def pct(hits: int, total: int) -> str:
    return f"{100 * hits / total:.0f}%" if total else "-"


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def report(manifest: dict, results: dict[str, dict[str, Outcome]]) -> str:
    frames = manifest["frames"]
    families = list(dict.fromkeys(f["family"] for f in frames.values()))
    names = list(results)
    verdicts = {
        name: {file: judge(frames[file]["expected"], outcome) for file, outcome in outcomes.items()}
        for name, outcomes in results.items()
    }
    out = []

    rows = []
    for family in [*families, None]:
        files = [f for f, spec in frames.items() if family is None or spec["family"] == family]
        row = [family or "**overall**", str(len(files))]
        row += [pct(sum(verdicts[n][f][0] for f in files), len(files)) for n in names]
        rows.append(row)
    out.append("Success (exact text read; no code: nothing read)\n")
    out.append(table(["family", "frames", *names], rows))

    rows = []
    for family in families:
        files = [f for f, spec in frames.items() if spec["family"] == family]
        cells = []
        for n in names:
            parts = []
            for lo, hi in ((0, 1 / 3), (1 / 3, 2 / 3), (2 / 3, 1.01)):
                band = [f for f in files if lo <= frames[f]["level"] < hi]
                parts.append(pct(sum(verdicts[n][f][0] for f in band), len(band)))
            cells.append(" / ".join(parts))
        rows.append([family, *cells])
    out.append("\nSuccess by level (easy / medium / hard thirds)\n")
    out.append(table(["family", *names], rows))

    rows = []
    for n in names:
        outcomes = results[n]
        row = [n, pct(sum(v[0] for v in verdicts[n].values()), len(frames))]
        row.append(str(sum(v[1] for v in verdicts[n].values())))
        row.append(str(sum(o.panicked for o in outcomes.values())))
        for width in (1280, 640):
            ms = [o.ms for f, o in outcomes.items() if frames[f]["width"] == width]
            row.append(f"{percentile(ms, 50):.1f} / {percentile(ms, 99):.1f}")
        rows.append(row)
    out.append("\nOverall\n")
    out.append(table(["decoder", "success", "false reads", "panics", "ms p50 / p99 (1280x720)", "ms p50 / p99 (640x480)"], rows))

    for n in names:
        wrong = sorted(f for f, v in verdicts[n].items() if v[1])
        panicked = sorted(f for f, o in results[n].items() if o.panicked)
        if wrong:
            out.append(f"\n{n} false reads: {', '.join(wrong)}")
        if panicked:
            out.append(f"\n{n} panicked on: {', '.join(panicked)}")
    return "\n".join(out)


def main() -> None:
    default_bin = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")) / "release" / "tatami-qr-decode"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True, help="directory written by tatami-qr-corpus")
    parser.add_argument("--decoders", default=",".join(DECODERS), help="comma-separated, from: " + ", ".join(DECODERS))
    parser.add_argument("--decode-bin", type=Path, default=default_bin, help="the tatami-qr-decode bin")
    parser.add_argument("--repeat", type=int, default=1, help="decode each frame N times, keep the fastest")
    parser.add_argument("--json", type=Path, help="also write every frame's outcome here")
    args = parser.parse_args()

    cpus = os.sched_getaffinity(0)
    if len(cpus) > 1:
        print(f"warning: running on cores {sorted(cpus)}; run under `taskset -c 0`", file=sys.stderr)
    manifest = json.loads((args.corpus / "manifest.json").read_text())
    files = sorted(manifest["frames"])
    results = {}
    for name in args.decoders.split(","):
        if name not in DECODERS:
            sys.exit(f"unknown decoder {name!r}; known: {', '.join(DECODERS)}")
        print(f"decoding {len(files)} frames with {name}...", file=sys.stderr)
        results[name] = DECODERS[name](args).run(args.corpus, files, args.repeat)

    print(f"Corpus: {len(files)} frames, seed {manifest['seed']}; cores {sorted(cpus)}; fastest of {args.repeat}\n")
    print(report(manifest, results))
    if args.json:
        rows = {
            name: {f: {**vars(o), "success": judge(manifest["frames"][f]["expected"], o)[0]} for f, o in outcomes.items()}
            for name, outcomes in results.items()
        }
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

"""Decode rate and false positives per corpus: ours (the scanner CLI) vs
zxing-cpp vs zbar, in the same run.

usage: python compare.py SCANNER_BIN [--live LIVE_RATE_BIN] [--still STILL_TIME_BIN] CORPUS_DIR...
(a dir whose name starts with "falsepositives" counts any result as a false
positive). With --live, a second table: the share of pictures a fresh live
Scanner reads within 1, 3 and 10 frames (examples/live_rate.rs: the same frame
repeated, and a sequence with small shifts, scale and exposure changes) next to
zxing-cpp's and zbar's single-call rates from the same run, and the ratios.
With --still, a table of the still path's time per picture (examples/still_time.rs:
scan_still, native, release, picture decoding not counted) against its 50 ms
median target, next to zxing-cpp's time per read_barcodes call in the same run
(also without decoding the picture file)."""
import json
import subprocess
import sys
import time
from pathlib import Path

STILL_TARGET_MS = 50.0

import zxingcpp
from PIL import Image
from pyzbar import pyzbar

PICTURES = {".png", ".jpg", ".jpeg", ".webp"}


def ours(binary, files):
    out = subprocess.run([binary, *map(str, files)], capture_output=True, text=True, check=True).stdout
    found = {str(f): [] for f in files}
    for line in out.splitlines():
        name, _, text = line.partition("\t")
        if text:
            found[name].append(json.loads(text))
    return [found[str(f)] for f in files]


ZXING_MS = {}


def zxing(files):
    """Each picture's texts; each call's milliseconds go to ZXING_MS[file]."""
    results = []
    for f in files:
        image = Image.open(f).convert("L")
        image.load()
        start = time.perf_counter()
        barcodes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        ZXING_MS[str(Path(f).resolve())] = (time.perf_counter() - start) * 1000
        results.append([b.text for b in barcodes])
    return results


def zbar(files):
    results = []
    for f in files:
        image = Image.open(f).convert("L")
        symbols = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
        results.append([s.data.decode("utf-8", "replace") for s in symbols])
    return results


def live(binary, directory):
    out = subprocess.run([binary, str(directory)], capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, round((len(values) - 1) * q))] if values else float("nan")


def main():
    args = sys.argv[1:]
    binary = args.pop(0)
    live_binary = still_binary = None
    while args[:1] in (["--live"], ["--still"]):
        if args[0] == "--live":
            live_binary = args[1]
        else:
            still_binary = args[1]
        args = args[2:]
    dirs = list(map(Path, args))
    single = {}
    print("| corpus | pictures | ours (scan_still) | zxing-cpp | zbar |")
    print("|---|---|---|---|---|")
    for d in dirs:
        files = sorted(p for p in d.iterdir() if p.suffix.lower() in PICTURES)
        readers = {"ours": ours(binary, files), "zxing": zxing(files), "zbar": zbar(files)}
        cells = []
        for name, results in readers.items():
            if d.name.startswith("falsepositives"):
                fp = sum(1 for r in results if r)
                single[(d, name)] = fp
                cells.append(f"{fp} false positives")
            else:
                ok = 0
                for f, texts in zip(files, results):
                    expected = f.with_suffix(".txt").read_bytes().decode("utf-8")  # keep CR LF as is
                    ok += expected in texts
                single[(d, name)] = ok / len(files)
                cells.append(f"{100 * ok / len(files):.1f} % ({ok}/{len(files)})")
        print(f"| {d.parent.name}/{d.name} | {len(files)} | " + " | ".join(cells) + " |")
    if still_binary:
        still_table(still_binary, dirs, single)
    if not live_binary:
        return
    print()
    print("Live Scanner (8 ms budget, fresh per picture): share read within 1 / 3 / 10 frames")
    print()
    print("| corpus | pictures | same frame 1 / 3 / 10 | moving 1 / 3 / 10 | zxing-cpp 1 call | zbar 1 call "
          "| 3 frames ÷ zxing | 1 frame ÷ zxing | ms per frame p50 / p95 / max | scan_still ms p50 / p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for d in dirs:
        rows = live(live_binary, d)
        ms = [t for r in rows for t in r["ms"]]
        still_ms = [r["scan_still_ms"] for r in rows]
        timing = (f"{percentile(ms, 0.5):.1f} / {percentile(ms, 0.95):.1f} / {max(ms, default=float('nan')):.1f} | "
                  f"{percentile(still_ms, 0.5):.1f} / {percentile(still_ms, 0.95):.1f}")
        if d.name.startswith("falsepositives"):
            fp = sum(1 for r in rows if r["others"])
            print(f"| {d.parent.name}/{d.name} | {len(rows)} | {fp} false positives | | "
                  f"{single[(d, 'zxing')]} false positives | {single[(d, 'zbar')]} false positives | | | {timing} |")
            continue
        rows = [r for r in rows if r["expected"] is not None]
        n = max(1, len(rows))

        def within(key, k):
            return sum(1 for r in rows if r[key] is not None and r[key] <= k) / n

        fp = sum(1 for r in rows if r["others"])
        zx = single[(d, "zxing")]
        ratio = lambda x: f"{x / zx:.2f}" if zx else "–"
        still = " / ".join(f"{100 * within('still', k):.1f} %" for k in (1, 3, 10))
        moving = " / ".join(f"{100 * within('moving', k):.1f} %" for k in (1, 3, 10))
        note = f" ({fp} with another text)" if fp else ""
        print(f"| {d.parent.name}/{d.name} | {len(rows)}{note} | {still} | {moving} | {100 * zx:.1f} % "
              f"| {100 * single[(d, 'zbar')]:.1f} % | {ratio(within('still', 3))} | {ratio(within('still', 1))} "
              f"| {timing} |")


def still_table(binary, dirs, single):
    print()
    print(f"Still path (scan_still, native, release): ms per picture vs its {STILL_TARGET_MS:.0f} ms median target, "
          "and zxing-cpp's ms per call in the same run")
    print()
    print("| corpus | pictures | ours (scan_still) | ours ms p50 / p95 | ours p50 ÷ 50 ms | zxing-cpp | "
          "zxing-cpp ms p50 / p95 | ours p50 ÷ zxing-cpp p50 |")
    print("|---|---|---|---|---|---|---|---|")
    for d in dirs:
        out = subprocess.run([binary, str(d)], capture_output=True, text=True, check=True).stdout
        rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        ours_ms = [r["ms"] for r in rows]
        zx_ms = [ZXING_MS[k] for k in (str(Path(r["file"]).resolve()) for r in rows) if k in ZXING_MS]
        if d.name.startswith("falsepositives"):
            ours_rate = f"{sum(1 for r in rows if r['other'])} false positives"
            zx_rate = f"{single.get((d, 'zxing'), '?')} false positives"
        else:
            with_text = [r for r in rows if r["expected"] is not None]
            read = sum(1 for r in with_text if r["read"])
            ours_rate = f"{100 * read / max(1, len(with_text)):.1f} % ({read}/{len(with_text)})"
            zx = single.get((d, "zxing"))
            zx_rate = f"{100 * zx:.1f} %" if zx is not None else "?"
        p50, zx_p50 = percentile(ours_ms, 0.5), percentile(zx_ms, 0.5)
        ratio = f"{p50 / zx_p50:.1f}" if zx_p50 and zx_p50 == zx_p50 else "–"
        print(f"| {d.parent.name}/{d.name} | {len(rows)} | {ours_rate} | {p50:.1f} / {percentile(ours_ms, 0.95):.1f} "
              f"| {p50 / STILL_TARGET_MS:.2f} | {zx_rate} | {zx_p50:.1f} / {percentile(zx_ms, 0.95):.1f} | {ratio} |")


if __name__ == "__main__":
    main()

"""Decode rate and false positives per corpus: ours (the scanner CLI) vs
zxing-cpp vs zbar, in the same run.

usage: python compare.py SCANNER_BIN CORPUS_DIR... (a dir whose name starts
with "falsepositives" counts any result as a false positive)."""
import json
import subprocess
import sys
from pathlib import Path

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


def zxing(files):
    results = []
    for f in files:
        image = Image.open(f).convert("L")
        results.append([b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)])
    return results


def zbar(files):
    results = []
    for f in files:
        image = Image.open(f).convert("L")
        symbols = pyzbar.decode(image, symbols=[pyzbar.ZBarSymbol.QRCODE])
        results.append([s.data.decode("utf-8", "replace") for s in symbols])
    return results


def main():
    binary, dirs = sys.argv[1], sys.argv[2:]
    print("| corpus | pictures | ours | zxing-cpp | zbar |")
    print("|---|---|---|---|---|")
    for d in map(Path, dirs):
        files = sorted(p for p in d.iterdir() if p.suffix.lower() in PICTURES)
        readers = {"ours": ours(binary, files), "zxing": zxing(files), "zbar": zbar(files)}
        cells = []
        for name, results in readers.items():
            if d.name.startswith("falsepositives"):
                fp = sum(1 for r in results if r)
                cells.append(f"{fp} false positives")
            else:
                ok = 0
                for f, texts in zip(files, results):
                    expected = f.with_suffix(".txt").read_bytes().decode("utf-8")  # keep CR LF as is
                    ok += expected in texts
                cells.append(f"{100 * ok / len(files):.1f} % ({ok}/{len(files)})")
        print(f"| {d.parent.name}/{d.name} | {len(files)} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The scanner benchmark: decode rates and false positives of ours vs zxing-cpp
# vs zbar per corpus, the still path's native ms per picture (scan_still) vs its
# 50 ms median target and zxing-cpp's ms per call, native and Chromium-wasm
# (Web Worker) ms per frame, and the scanner's wasm size. Not part of `cargo test`.
#
#   scanner/bench/run.sh            # from anywhere; installs what it needs
#   TESSERA_QR_CORPUS=DIR scanner/bench/run.sh
set -euo pipefail
bench="$(cd "$(dirname "$0")" && pwd)"
scanner="$(dirname "$bench")"
repo="$(dirname "$scanner")"
corpus="${TESSERA_QR_CORPUS:-$scanner/corpus/real}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
out="$bench/out"
mkdir -p "$out"

# Reference readers: zbar needs the system library; both live in a local venv.
if ! ldconfig -p | grep -q libzbar.so.0; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libzbar0 >/dev/null; else echo "install libzbar0" >&2; exit 1; fi
fi
if [ ! -x "$bench/.venv/bin/python" ]; then
  python3 -m venv "$bench/.venv"
  "$bench/.venv/bin/pip" install -q zxing-cpp pyzbar pillow
fi

echo "== decode rates (ours: cargo run --release -p scanner -- FILE...)"
cargo build -q --release -p scanner --bin scanner --example bench_native --example live_rate --example still_time
"$bench/.venv/bin/python" "$bench/compare.py" "$CARGO_TARGET_DIR/release/scanner" \
  --live "$CARGO_TARGET_DIR/release/examples/live_rate" --still "$CARGO_TARGET_DIR/release/examples/still_time" \
  "$corpus/qrcode-2" "$corpus/falsepositives-1" "$scanner/corpus/phone" "$scanner/corpus/phone-hard"

echo "== native ms per frame (phone corpus frames, p50)"
rm -rf "$out/frames"
"$CARGO_TARGET_DIR/release/examples/bench_native" "$out/frames"

echo "== wasm (opt-level 3, LTO, wasm-opt -O3 --low-memory-unused, as the register's decoder), Chromium Web Worker ms per frame (p50)"
rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
(cd "$bench/wasm-probe" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/scanner-probe" cargo build -q --release --target wasm32-unknown-unknown)
"$repo/node_modules/.bin/wasm-opt" -O3 --low-memory-unused --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals "$CARGO_TARGET_DIR/scanner-probe/wasm32-unknown-unknown/release/scanner_wasm_probe.wasm" -o "$out/scanner.wasm"
echo "scanner wasm: $(wc -c <"$out/scanner.wasm") bytes, $(gzip -9 -c "$out/scanner.wasm" | wc -c) bytes gzip"
node "$bench/chromium.mjs" "$out/scanner.wasm" "$out/frames" 2> >(grep -v "Failed to load resource" >&2)

echo "== the register's decoder bundle (web-decoder, live Scanner), Chromium Web Worker ms per frame"
pkg="$(ls -d "$repo"/dist/register/v/*/pkg 2>/dev/null | head -n 1)"
if [ -z "$pkg" ] || [ ! -f "$pkg/web_decoder_bg.wasm" ]; then
  (cd "$repo" && cargo xtask build >/dev/null)
  pkg="$(ls -d "$repo"/dist/register/v/*/pkg | head -n 1)"
fi
echo "decoder wasm: $(wc -c <"$pkg/web_decoder_bg.wasm") bytes, $(gzip -9 -c "$pkg/web_decoder_bg.wasm" | wc -c) bytes gzip"
node "$bench/chromium-live.mjs" "$pkg" "$out/frames" 10 2> >(grep -v "Failed to load resource" >&2)

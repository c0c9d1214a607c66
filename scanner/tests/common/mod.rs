//! Shared by the integration tests: finding and reading the picture corpora.
// Test code (clippy.toml lets tests unwrap, expect, panic and index).
#![cfg(test)]
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The real photos committed under `scanner/corpus/real/` (from zxing-cpp's
/// test samples, Apache-2.0: see its NOTICE), or `$TESSERA_QR_CORPUS`.
pub fn real_corpus() -> PathBuf {
    match std::env::var_os("TESSERA_QR_CORPUS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/real"),
    }
}

/// The scanner's own generated corpus, committed under `scanner/corpus/`.
pub fn own_corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

pub fn load(path: &Path) -> scanner::GrayFrame {
    let luma = image::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).to_luma8();
    let (w, h) = (luma.width() as usize, luma.height() as usize);
    scanner::GrayFrame::new(w, h, luma.into_raw()).expect("non-empty picture")
}

/// Picture files (PNG/JPEG/WebP) in a directory, sorted.
pub fn pictures(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("png" | "jpg" | "jpeg" | "webp")))
        .collect();
    files.sort();
    files
}

/// Outcome of scanning a corpus whose pictures each have an `N.txt` beside them.
pub struct Rate {
    pub decoded: usize,
    pub total: usize,
    pub misses: Vec<String>,
}

impl Rate {
    pub fn fraction(&self) -> f64 {
        self.decoded as f64 / self.total.max(1) as f64
    }
}

pub fn decode_rate(dir: &Path) -> Rate {
    let mut rate = Rate { decoded: 0, total: 0, misses: Vec::new() };
    for picture in pictures(dir) {
        let Ok(expected) = std::fs::read_to_string(picture.with_extension("txt")) else { continue };
        rate.total += 1;
        let found = scanner::scan_still(&load(&picture));
        if found.iter().any(|d| d.text == expected) {
            rate.decoded += 1;
        } else {
            rate.misses.push(picture.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
        }
    }
    rate
}

//! `scanner FILE...`: prints `FILE<TAB>"text as JSON"` per decoded code, or
//! `FILE<TAB>` when a file holds none (or cannot be read). Always exits 0.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for path in std::env::args_os().skip(1) {
        let shown = path.to_string_lossy().into_owned();
        let texts = decode_file(std::path::Path::new(&path));
        let result = if texts.is_empty() {
            writeln!(out, "{shown}\t")
        } else {
            texts.iter().try_for_each(|text| writeln!(out, "{shown}\t{}", json_string(text)))
        };
        if result.is_err() {
            return; // stdout closed (e.g. piped into `head`): nothing left to do.
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn decode_file(path: &std::path::Path) -> Vec<String> {
    let Ok(picture) = image::open(path) else {
        eprintln!("{}: not a readable PNG/JPEG/WebP image", path.display());
        return Vec::new();
    };
    let luma = picture.to_luma8();
    let (width, height) = (luma.width() as usize, luma.height() as usize);
    match scanner::GrayFrame::new(width, height, luma.into_raw()) {
        Some(frame) => scanner::scan_still(&frame).into_iter().map(|d| d.text).collect(),
        None => Vec::new(),
    }
}

/// Quotes text as a JSON string (RFC 8259 escapes).
#[cfg(not(target_arch = "wasm32"))]
fn json_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            c if (c as u32) < 0x20 => quoted.push_str(&format!("\\u{:04x}", c as u32)),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(target_arch = "wasm32")]
fn main() {}

//! Decodes QR codes from camera frames. (Baseline: plain rqrr on the luma plane;
//! the pre-processing pipeline is issue 3.)

/// Decodes every QR code in an RGBA frame (as from canvas `getImageData`).
/// Returns the decoded texts; an empty list when there is none or the frame is malformed.
pub fn scan_rgba(width: u32, height: u32, rgba: &[u8]) -> Vec<String> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || rgba.len() != w.saturating_mul(h).saturating_mul(4) {
        return Vec::new();
    }
    let luma: Vec<u8> = rgba
        .chunks_exact(4)
        .map(|p| ((77 * p[0] as u32 + 150 * p[1] as u32 + 29 * p[2] as u32) >> 8) as u8)
        .collect();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}

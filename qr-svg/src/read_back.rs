//! Reading an SVG made by [`svg`](crate::svg) back into modules and text, so
//! tests (this crate's, and the API tests of what the worker draws) can check
//! that a drawn code says what it should. Only for tests: feature `read-back`.

use scanner::GrayFrame;

/// The modules the SVG paints dark, read back from its path: `size` rows of
/// `size`; `None` if it is not one of ours (or runs overlap or overflow).
pub fn painted(svg: &str) -> Option<(usize, Vec<Vec<bool>>)> {
    let view_box = svg.split("viewBox=\"0 0 ").nth(1)?;
    let size: usize = view_box.split(' ').next()?.parse().ok()?;
    let data = svg.split(" d=\"").nth(1)?.split('"').next()?;
    let mut grid = vec![vec![false; size]; size];
    for rect in data.split('z').filter(|r| !r.is_empty()) {
        // M{x} {y}h{run}v1h-{run}
        let (x, rest) = rect.strip_prefix('M')?.split_once(' ')?;
        let (y, rest) = rest.split_once('h')?;
        let (run, back) = rest.split_once("v1h-")?;
        let (x, y, run): (usize, usize, usize) = (x.parse().ok()?, y.parse().ok()?, run.parse().ok()?);
        if run == 0 || back != run.to_string() {
            return None;
        }
        for cell in grid.get_mut(y)?.get_mut(x..x.checked_add(run)?)? {
            if *cell {
                return None;
            }
            *cell = true;
        }
    }
    Some((size, grid))
}

/// The painted modules as a picture, `scale` pixels per module, black on white.
pub fn picture(size: usize, grid: &[Vec<bool>], scale: usize) -> Option<GrayFrame> {
    let side = size.checked_mul(scale)?;
    let dark =
        |i: usize| grid.get(i / side / scale).and_then(|row| row.get(i % side / scale)).copied().unwrap_or(false);
    let pixels = (0..side.checked_mul(side)?).map(|i| if dark(i) { 0 } else { 255 }).collect();
    GrayFrame::new(side, side, pixels)
}

/// The texts the scanner reads in the SVG drawn at 6 pixels per module (none if it is not ours).
pub fn decoded(svg: &str) -> Vec<String> {
    let Some(frame) = painted(svg).and_then(|(size, grid)| picture(size, &grid, 6)) else { return Vec::new() };
    scanner::scan_still(&frame).into_iter().map(|found| found.text).collect()
}

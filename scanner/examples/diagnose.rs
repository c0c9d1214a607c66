//! Development tool: what rqrr sees in each image (grids found, decode errors).
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it
fn main() {
    for f in std::env::args().skip(1) {
        let img = image::open(&f).unwrap().to_luma8();
        let (w, h) = (img.width() as usize, img.height() as usize);
        for up in [1usize, 2] {
            let frame = scanner::GrayFrame::new(w, h, img.as_raw().clone()).unwrap();
            let frame =
                if up > 1 { scanner::resample::resize_bilinear(&frame, w * up, h * up).unwrap() } else { frame };
            let bm = scanner::binarize::hybrid(&frame, scanner::binarize::BlockLevel::Mean);
            let mut p = rqrr::PreparedImage::prepare_from_bitmap(bm.width, bm.height, |x, y| bm.dark[y * bm.width + x]);
            let grids = p.detect_grids();
            let res: Vec<String> = grids
                .iter()
                .map(|g| {
                    use rqrr::BitGrid;
                    format!(
                        "size {} {:?} {:?}",
                        g.grid.size(),
                        g.bounds.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>(),
                        g.decode().map(|r| r.1.chars().take(20).collect::<String>())
                    )
                })
                .collect();
            println!("{f} up{up}: {} grids {:?}", grids.len(), res);
        }
    }
}

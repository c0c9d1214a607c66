//! Development tool: writes the hybrid-threshold bitmap of a picture, shrunk by
//! the given factor, as a PNG, and prints what rqrr finds in it.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a development tool: a bad file or argument may stop it
fn main() {
    let mut args = std::env::args().skip(1);
    let (f, factor, out) = (args.next().unwrap(), args.next().unwrap().parse::<usize>().unwrap(), args.next().unwrap());
    let img = image::open(&f).unwrap().to_luma8();
    let frame = scanner::GrayFrame::new(img.width() as usize, img.height() as usize, img.into_raw()).unwrap();
    let small = scanner::resample::downscale(&frame, factor).unwrap();
    let bm = scanner::binarize::hybrid(&small, scanner::binarize::BlockLevel::Midpoint);
    let px: Vec<u8> = bm.dark.iter().map(|&d| if d { 0 } else { 255 }).collect();
    image::GrayImage::from_raw(bm.width as u32, bm.height as u32, px).unwrap().save(&out).unwrap();
    let mut p = rqrr::PreparedImage::prepare_from_bitmap(bm.width, bm.height, |x, y| bm.dark[y * bm.width + x]);
    for g in p.detect_grids() {
        use rqrr::BitGrid;
        println!("size {} {:?} {:?}", g.grid.size(), g.bounds, g.decode().map(|r| r.1));
    }
}

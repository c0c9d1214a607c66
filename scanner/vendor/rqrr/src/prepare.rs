use std::cmp;

use crate::identify::match_capstones::CapStoneGroup;
use crate::identify::Point;

/// An black-and-white image that can be mutated on search for QR codes
///
/// During search for QR codes, some black zones will be recolored in
/// 'different' shades of black. This is done to speed up the search and
/// mitigate the impact of a huge zones.
pub struct PreparedImage<S> {
    buffer: S,
    cache: RegionCache,
}

impl<S> Clone for PreparedImage<S>
where
    S: Clone,
{
    fn clone(&self) -> Self {
        PreparedImage {
            buffer: self.buffer.clone(),
            cache: self.cache.clone(),
        }
    }
}

/// The regions coloured so far, by colour index (`0..REGION_CACHE_SIZE`),
/// forgetting the least recently used one when full: the `lru::LruCache`
/// upstream used, as arrays indexed by the colour (no hash map, a smaller Wasm).
#[derive(Clone)]
struct RegionCache {
    regions: Vec<Option<ColoredRegion>>,
    /// A doubly linked list of the cached colours, most recently used first.
    newer: Vec<u8>,
    older: Vec<u8>,
    newest: u8,
    oldest: u8,
    len: usize,
}

/// No colour: the end of the list (not a colour index: they are below `REGION_CACHE_SIZE`).
const NO_COLOR: u8 = u8::MAX;

impl RegionCache {
    fn new() -> Self {
        RegionCache {
            regions: vec![None; REGION_CACHE_SIZE],
            newer: vec![NO_COLOR; REGION_CACHE_SIZE],
            older: vec![NO_COLOR; REGION_CACHE_SIZE],
            newest: NO_COLOR,
            oldest: NO_COLOR,
            len: 0,
        }
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_full(&self) -> bool {
        self.len >= REGION_CACHE_SIZE
    }

    fn unlink(&mut self, key: u8) {
        let newer = self.newer.get(usize::from(key)).copied().unwrap_or(NO_COLOR);
        let older = self.older.get(usize::from(key)).copied().unwrap_or(NO_COLOR);
        match self.older.get_mut(usize::from(newer)) {
            Some(slot) => *slot = older,
            None => self.newest = older,
        }
        match self.newer.get_mut(usize::from(older)) {
            Some(slot) => *slot = newer,
            None => self.oldest = newer,
        }
    }

    fn link_newest(&mut self, key: u8) {
        let previous = self.newest;
        if let Some(slot) = self.newer.get_mut(usize::from(key)) {
            *slot = NO_COLOR;
        }
        if let Some(slot) = self.older.get_mut(usize::from(key)) {
            *slot = previous;
        }
        match self.newer.get_mut(usize::from(previous)) {
            Some(slot) => *slot = key,
            None => self.oldest = key,
        }
        self.newest = key;
    }

    /// The region of colour `key`, now the most recently used.
    fn get(&mut self, key: u8) -> Option<ColoredRegion> {
        let region = (*self.regions.get(usize::from(key))?)?;
        if self.newest != key {
            self.unlink(key);
            self.link_newest(key);
        }
        Some(region)
    }

    /// Caches `region` as colour `key` (below `REGION_CACHE_SIZE`), the most recently used.
    fn put(&mut self, key: u8, region: ColoredRegion) {
        let Some(slot) = self.regions.get_mut(usize::from(key)) else {
            return;
        };
        let was_cached = slot.replace(region).is_some();
        if was_cached {
            self.unlink(key);
        } else {
            self.len += 1;
        }
        self.link_newest(key);
    }

    /// Forgets the least recently used region and gives its colour.
    fn pop_lru(&mut self) -> Option<(u8, ColoredRegion)> {
        let key = self.oldest;
        let region = self.regions.get_mut(usize::from(key))?.take()?;
        self.unlink(key);
        self.len -= 1;
        Some((key, region))
    }
}

pub trait ImageBuffer {
    fn width(&self) -> usize;
    fn height(&self) -> usize;

    fn get_pixel(&self, x: usize, y: usize) -> u8;
    fn set_pixel(&mut self, x: usize, y: usize, val: u8);
}

#[cfg(feature = "img")]
impl<
        T: image::GenericImage<Pixel = image::Luma<u8>>
            + image::GenericImageView<Pixel = image::Luma<u8>>,
    > ImageBuffer for T
{
    fn width(&self) -> usize {
        self.width() as usize
    }

    fn height(&self) -> usize {
        self.height() as usize
    }

    fn get_pixel(&self, x: usize, y: usize) -> u8 {
        self.get_pixel(x as u32, y as u32).0[0]
    }

    fn set_pixel(&mut self, x: usize, y: usize, val: u8) {
        let pixel = image::Luma::<u8>::from([val; 1]);

        self.put_pixel(x as u32, y as u32, pixel);
    }
}

#[derive(Clone, Debug)]
pub struct BasicImageBuffer {
    w: usize,
    h: usize,
    pixels: Box<[u8]>,
}

impl ImageBuffer for BasicImageBuffer {
    fn width(&self) -> usize {
        self.w
    }

    fn height(&self) -> usize {
        self.h
    }

    /// White (0) outside the image.
    fn get_pixel(&self, x: usize, y: usize) -> u8 {
        self.index(x, y)
            .and_then(|i| self.pixels.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Ignored outside the image.
    fn set_pixel(&mut self, x: usize, y: usize, val: u8) {
        if let Some(pixel) = self.index(x, y).and_then(|i| self.pixels.get_mut(i)) {
            *pixel = val
        }
    }
}

impl BasicImageBuffer {
    fn index(&self, x: usize, y: usize) -> Option<usize> {
        if x < self.w && y < self.h {
            Some(y * self.w + x)
        } else {
            None
        }
    }
}

/// Capacity of the region cache: one colour per region, as the pixel values
/// 5..=255 (`PixelColor::Discarded`) allow.
const REGION_CACHE_SIZE: usize = 251;

#[derive(Debug, Clone, Copy, Eq, PartialEq)]
pub struct Row {
    pub left: usize,
    pub right: usize,
    pub y: usize,
}

#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum PixelColor {
    White,
    Black,
    CapStone,
    Alignment,
    Tmp1,
    Discarded(u8),
}

#[derive(Copy, Clone, Debug, Eq, PartialEq)]
pub enum ColoredRegion {
    Unclaimed {
        color: PixelColor,
        src_x: usize,
        src_y: usize,
        pixel_count: usize,
    },
    CapStone,
    Alignment,
    Tmp1,
}

impl From<u8> for PixelColor {
    fn from(x: u8) -> Self {
        match x {
            0 => PixelColor::White,
            1 => PixelColor::Black,
            2 => PixelColor::CapStone,
            3 => PixelColor::Alignment,
            4 => PixelColor::Tmp1,
            x => PixelColor::Discarded(x - 5),
        }
    }
}

impl From<PixelColor> for u8 {
    fn from(c: PixelColor) -> Self {
        match c {
            PixelColor::White => 0,
            PixelColor::Black => 1,
            PixelColor::CapStone => 2,
            PixelColor::Alignment => 3,
            PixelColor::Tmp1 => 4,
            PixelColor::Discarded(x) => x + 5,
        }
    }
}

impl PartialEq<u8> for PixelColor {
    fn eq(&self, other: &u8) -> bool {
        let rep: u8 = (*self).into();
        rep == *other
    }
}

pub trait AreaFiller {
    fn update(&mut self, row: Row);
}

impl<F> AreaFiller for F
where
    F: FnMut(Row),
{
    fn update(&mut self, row: Row) {
        self(row)
    }
}

struct AreaCounter(usize);

impl AreaFiller for AreaCounter {
    fn update(&mut self, row: Row) {
        self.0 += row.right.saturating_sub(row.left) + 1;
    }
}

impl<S> PreparedImage<S>
where
    S: ImageBuffer,
{
    pub fn prepare(mut buf: S) -> Self {
        let w = buf.width();
        let h = buf.height();
        let mut row_average = vec![0; w];
        let mut avg_v = 0;
        let mut avg_u = 0;

        let threshold_s = cmp::max(w / 8, 1);

        for y in 0..h {
            row_average.fill(0);

            for x in 0..w {
                let (v, u) = if y % 2 == 0 {
                    (w - 1 - x, x)
                } else {
                    (x, w - 1 - x)
                };
                avg_v = avg_v * (threshold_s - 1) / threshold_s + buf.get_pixel(v, y) as usize;
                avg_u = avg_u * (threshold_s - 1) / threshold_s + buf.get_pixel(u, y) as usize;
                if let Some(sum) = row_average.get_mut(v) {
                    *sum += avg_v;
                }
                if let Some(sum) = row_average.get_mut(u) {
                    *sum += avg_u;
                }
            }

            for (x, &average) in row_average.iter().enumerate() {
                let fill = if (buf.get_pixel(x, y) as usize)
                    < average * (100 - 5) / (200 * threshold_s)
                {
                    PixelColor::Black
                } else {
                    PixelColor::White
                };
                buf.set_pixel(x, y, fill.into());
            }
        }

        PreparedImage {
            buffer: buf,
            cache: RegionCache::new(),
        }
    }

    /// Group [CapStones](struct.CapStone.html) into [Grids](struct.Grid.html)
    /// that are likely QR codes
    ///
    /// Return a vector of Grids
    pub fn detect_grids<'a>(
        &'a mut self,
    ) -> Vec<crate::Grid<crate::identify::grid::RefGridImage<'a, S>>>
    where
        S: Clone,
    {
        self.detect_grids_and_capstones().0
    }

    /// [`detect_grids`](Self::detect_grids), also returning the corners of
    /// every capstone found, grouped or not: where finder patterns were seen
    /// even when no grid could be formed from them.
    pub fn detect_grids_and_capstones<'a>(
        &'a mut self,
    ) -> (
        Vec<crate::Grid<crate::identify::grid::RefGridImage<'a, S>>>,
        Vec<[Point; 4]>,
    )
    where
        S: Clone,
    {
        let (grids, outlines) = self.detect_grids_and_capstones_unrefined();
        (grids.iter().map(|grid| grid.refined()).collect(), outlines)
    }

    /// [`detect_grids_and_capstones`](Self::detect_grids_and_capstones)
    /// without refining each grid's perspective: most grids of a sharp code
    /// already decode, and the refinement costs more than the detection.
    /// Refine a grid that does not decode with
    /// [`Grid::refined`](crate::Grid::refined).
    pub fn detect_grids_and_capstones_unrefined<'a>(
        &'a mut self,
    ) -> (
        Vec<crate::Grid<crate::identify::grid::RefGridImage<'a, S>>>,
        Vec<[Point; 4]>,
    )
    where
        S: Clone,
    {
        let stones = crate::capstones_from_image(self);
        let outlines: Vec<[Point; 4]> = stones.iter().map(|stone| stone.corners).collect();
        let groups = self.find_groupings(stones);
        let locations: Vec<_> = groups
            .into_iter()
            .filter_map(|v| crate::SkewedGridLocation::from_group_unrefined(self, v))
            .collect();
        let this: &'a Self = self;
        let grids = locations
            .into_iter()
            .map(|location| {
                let bounds = location.bounds();
                crate::Grid {
                    grid: location.into_grid_image(this),
                    bounds,
                }
            })
            .collect();
        (grids, outlines)
    }

    /// Find CapStones that form a grid
    ///
    /// By trying to match up the relative perspective of 3
    /// [CapStones](struct.CapStone.html) along with other criteria we can find the
    /// CapStones that corner the same QR code.
    fn find_groupings(&mut self, capstones: Vec<crate::CapStone>) -> Vec<CapStoneGroup>
    where
        S: Clone,
    {
        let mut used_capstones = Vec::new();
        let mut groups = Vec::new();
        for idx in 0..capstones.len() {
            if used_capstones.contains(&idx) {
                continue;
            }
            let pairs = crate::identify::find_and_rank_possible_neighbors(&capstones, idx);
            for pair in pairs {
                if used_capstones.contains(&pair.0) || used_capstones.contains(&pair.1) {
                    continue;
                }
                let (Some(first), Some(corner), Some(last)) = (
                    capstones.get(pair.0),
                    capstones.get(idx),
                    capstones.get(pair.1),
                ) else {
                    continue;
                };
                let group_under_test = CapStoneGroup(first.clone(), corner.clone(), last.clone());
                // Confirm that this group has the other requirements of a QR code.
                // A copy of the input image is used to not contaminate the
                // original on an incorrect set of CapStones
                // (unrefined: the refinement never rejects a group).
                let mut image_copy = self.clone();
                if crate::SkewedGridLocation::from_group_unrefined(
                    &mut image_copy,
                    group_under_test.clone(),
                )
                    .is_none()
                {
                    continue;
                }
                // This is a viable set, save this grouping
                groups.push(group_under_test);
                used_capstones.push(pair.0);
                used_capstones.push(idx);
                used_capstones.push(pair.1);
            }
        }
        groups
    }

    /// `buf` holds 0 (white) and 1 (black); any other value counts as black
    /// (upstream asserts instead).
    pub fn without_preparation(mut buf: S) -> Self {
        for y in 0..buf.height() {
            for x in 0..buf.width() {
                if buf.get_pixel(x, y) > 1 {
                    buf.set_pixel(x, y, PixelColor::Black.into());
                }
            }
        }

        PreparedImage {
            buffer: buf,
            cache: RegionCache::new(),
        }
    }

    /// Return the width of the image
    pub fn width(&self) -> usize {
        self.buffer.width()
    }

    /// Return the height of the image
    pub fn height(&self) -> usize {
        self.buffer.height()
    }

    /// The region of connected pixels of the colour at (x, y); `None` for a
    /// white pixel (no region) or a region colour missing from the cache.
    pub(crate) fn get_region(&mut self, (x, y): (usize, usize)) -> Option<ColoredRegion> {
        let color: PixelColor = self.buffer.get_pixel(x, y).into();
        match color {
            PixelColor::Discarded(r) => self.cache.get(r),
            PixelColor::Black => {
                let cache_fill = self.cache.len();
                let reg_idx = if self.cache.is_full() {
                    let (c, reg) = self.cache.pop_lru()?;
                    if let ColoredRegion::Unclaimed {
                        src_x,
                        src_y,
                        color,
                        ..
                    } = reg
                    {
                        let _ = self.flood_fill(
                            src_x,
                            src_y,
                            color.into(),
                            PixelColor::Black.into(),
                            |_| (),
                        );
                    }
                    c
                } else {
                    u8::try_from(cache_fill).ok()?
                };
                let next_reg_color = PixelColor::Discarded(reg_idx);
                let counter = self.repaint_and_apply((x, y), next_reg_color, AreaCounter(0));
                let new_reg = ColoredRegion::Unclaimed {
                    color: next_reg_color,
                    src_x: x,
                    src_y: y,
                    pixel_count: counter.0,
                };
                self.cache.put(reg_idx, new_reg);
                Some(new_reg)
            }
            PixelColor::Tmp1 => Some(ColoredRegion::Tmp1),
            PixelColor::Alignment => Some(ColoredRegion::Alignment),
            PixelColor::CapStone => Some(ColoredRegion::CapStone),
            PixelColor::White => None,
        }
    }

    pub(crate) fn repaint_and_apply<F>(
        &mut self,
        (x, y): (usize, usize),
        target_color: PixelColor,
        fill: F,
    ) -> F
    where
        F: AreaFiller,
    {
        // White is the background, not a region; repainting a region with
        // its own colour would never end. Neither is done (upstream panics).
        let src = self.buffer.get_pixel(x, y);
        if PixelColor::White == src || target_color == src {
            return fill;
        }

        self.flood_fill(x, y, src, target_color.into(), fill)
    }

    pub fn get_pixel_at_point(&self, p: Point) -> PixelColor {
        let last_x = i32::try_from(self.width().saturating_sub(1)).unwrap_or(i32::MAX);
        let last_y = i32::try_from(self.height().saturating_sub(1)).unwrap_or(i32::MAX);
        let x = cmp::max(0, cmp::min(last_x, p.x));
        let y = cmp::max(0, cmp::min(last_y, p.y));
        self.buffer.get_pixel(x as usize, y as usize).into()
    }

    pub fn get_pixel_at(&self, x: usize, y: usize) -> PixelColor {
        self.buffer.get_pixel(x, y).into()
    }

    #[cfg(feature = "img")]
    pub fn write_state_to(&self, p: &str) {
        let mut dyn_img = image::RgbImage::new(self.width() as u32, self.height() as u32);
        const COLORS: [[u8; 3]; 8] = [
            [255, 0, 0],
            [0, 255, 0],
            [0, 0, 255],
            [255, 255, 0],
            [255, 0, 255],
            [0, 255, 255],
            [128, 128, 128],
            [128, 0, 128],
        ];
        for y in 0..self.height() {
            for x in 0..self.width() {
                let px = self.buffer.get_pixel(x, y);
                dyn_img.get_pixel_mut(x as u32, y as u32).0 = if px == 0 {
                    [255, 255, 255]
                } else if px == 1 {
                    [0, 0, 0]
                } else {
                    let i = self.buffer.get_pixel(x, y) - 2;
                    COLORS[(i % 8) as usize]
                }
            }
        }
        // A debugging aid: an image that cannot be written is not worth stopping for.
        let _ = dyn_img.save(p);
    }

    fn flood_fill<F>(&mut self, x: usize, y: usize, from: u8, to: u8, mut fill: F) -> F
    where
        F: AreaFiller,
    {
        if from == to {
            return fill;
        }
        let w = self.width();
        let h = self.height();
        let mut queue = Vec::new();
        queue.push((x, y));

        while let Some((x, y)) = queue.pop() {
            // Bail early in case there is nothing to fill
            if self.buffer.get_pixel(x, y) == to || self.buffer.get_pixel(x, y) != from {
                continue;
            }

            let mut left = x;
            let mut right = x;

            while left > 0 && self.buffer.get_pixel(left - 1, y) == from {
                left -= 1;
            }
            while right + 1 < w && self.buffer.get_pixel(right + 1, y) == from {
                right += 1
            }

            /* Fill the extent */
            for idx in left..=right {
                self.buffer.set_pixel(idx, y, to);
            }

            fill.update(Row { left, right, y });

            /* Seed new flood-fills */
            if y > 0 {
                let mut seeded_previous = false;
                for x in left..=right {
                    let p = self.buffer.get_pixel(x, y - 1);
                    if p == from {
                        if !seeded_previous {
                            queue.push((x, y - 1));
                        }
                        seeded_previous = true;
                    } else {
                        seeded_previous = false;
                    }
                }
            }
            if y + 1 < h {
                let mut seeded_previous = false;
                for x in left..=right {
                    let p = self.buffer.get_pixel(x, y + 1);
                    if p == from {
                        if !seeded_previous {
                            queue.push((x, y + 1));
                        }
                        seeded_previous = true;
                    } else {
                        seeded_previous = false;
                    }
                }
            }
        }
        fill
    }
}

impl PreparedImage<BasicImageBuffer> {
    /// Given a function with binary output, generate a searchable image
    ///
    /// If the given function returns `true` the matching pixel will be 'black'.
    pub fn prepare_from_bitmap<F>(w: usize, h: usize, mut fill: F) -> Self
    where
        F: FnMut(usize, usize) -> bool,
    {
        // A size whose pixel count overflows is an empty image.
        let (w, h) = if w.checked_mul(h).is_some() { (w, h) } else { (0, 0) };
        let mut pixels = Vec::with_capacity(w * h);

        for y in 0..h {
            for x in 0..w {
                let col = if fill(x, y) {
                    PixelColor::Black
                } else {
                    PixelColor::White
                };
                pixels.push(col.into())
            }
        }
        let pixels = pixels.into_boxed_slice();
        let buffer = BasicImageBuffer { w, h, pixels };
        PreparedImage::without_preparation(buffer)
    }

    /// Given a byte valued function, generate a searchable image
    ///
    /// The values returned by the function are interpreted as luminance. i.e. a
    /// value of 0 is black, 255 is white.
    pub fn prepare_from_greyscale<F>(w: usize, h: usize, mut fill: F) -> Self
    where
        F: FnMut(usize, usize) -> u8,
    {
        // A size whose pixel count overflows is an empty image.
        let (w, h) = if w.checked_mul(h).is_some() { (w, h) } else { (0, 0) };
        let mut data = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                data.push(fill(x, y));
            }
        }
        let pixels = data.into_boxed_slice();
        let buffer = BasicImageBuffer { w, h, pixels };
        PreparedImage::prepare(buffer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img_from_array(array: [[u8; 3]; 3]) -> PreparedImage<BasicImageBuffer> {
        let mut pixels = Vec::new();
        for col in array.iter() {
            for item in col.iter() {
                if *item == 0 {
                    pixels.push(0)
                } else {
                    pixels.push(1)
                }
            }
        }
        let buffer = BasicImageBuffer {
            w: 3,
            h: 3,
            pixels: pixels.into_boxed_slice(),
        };

        PreparedImage {
            buffer,
            cache: RegionCache::new(),
        }
    }

    #[test]
    fn test_flood_fill_full() {
        let mut test_full = img_from_array([[1, 1, 1], [1, 1, 1], [1, 1, 1]]);

        test_full.flood_fill(0, 0, 1, 2, &mut |_| ());

        for x in 0..3 {
            for y in 0..3 {
                assert_eq!(test_full.get_pixel_at(x, y), 2);
            }
        }
    }

    #[test]
    fn test_flood_fill_single() {
        let mut test_single = img_from_array([[1, 0, 1], [0, 1, 0], [1, 0, 1]]);

        test_single.flood_fill(1, 1, 1, 2, &mut |_| ());

        for x in 0..3 {
            for y in 0..3 {
                if x == 1 && y == 1 {
                    assert_eq!(test_single.get_pixel_at(x, y), 2);
                } else {
                    let col = if (x + y) % 2 == 0 { 1 } else { 0 };
                    assert_eq!(test_single.get_pixel_at(x, y), col);
                }
            }
        }
    }

    #[test]
    fn test_flood_fill_ring() {
        let mut test_ring = img_from_array([[1, 1, 1], [1, 0, 1], [1, 1, 1]]);

        test_ring.flood_fill(0, 0, 1, 2, &mut |_| ());

        for x in 0..3 {
            for y in 0..3 {
                if x == 1 && y == 1 {
                    assert_eq!(test_ring.get_pixel_at(x, y), 0);
                } else {
                    assert_eq!(test_ring.get_pixel_at(x, y), 2);
                }
            }
        }
    }

    #[test]
    fn test_flood_fill_u() {
        let mut test_u = img_from_array([[1, 0, 1], [1, 0, 1], [1, 1, 1]]);

        test_u.flood_fill(0, 0, 1, 2, &mut |_| ());

        for x in 0..3 {
            for y in 0..3 {
                if x == 1 && (y == 0 || y == 1) {
                    assert_eq!(test_u.get_pixel_at(x, y), 0);
                } else {
                    assert_eq!(test_u.get_pixel_at(x, y), 2);
                }
            }
        }
    }

    #[test]
    fn test_flood_fill_empty() {
        let mut test_empty = img_from_array([[0, 0, 0], [0, 0, 0], [0, 0, 0]]);

        test_empty.flood_fill(1, 1, 1, 2, &mut |_| ());

        for x in 0..3 {
            for y in 0..3 {
                assert_eq!(test_empty.get_pixel_at(x, y), 0)
            }
        }
    }

    #[test]
    fn test_get_region() {
        let mut test_u = img_from_array([[1, 0, 1], [1, 0, 1], [1, 1, 1]]);

        let reg = test_u.get_region((0, 0));
        let (color, src_x, src_y, pixel_count) = match reg {
            Some(ColoredRegion::Unclaimed {
                color,
                src_x,
                src_y,
                pixel_count,
            }) => (color, src_x, src_y, pixel_count),
            x => panic!("Expected Region::Unclaimed, got {:?}", x),
        };
        assert_eq!(0, src_x);
        assert_eq!(0, src_y);
        assert_eq!(7, pixel_count);
        for x in 0..3 {
            for y in 0..3 {
                if x == 1 && (y == 0 || y == 1) {
                    assert_eq!(PixelColor::White, test_u.get_pixel_at(x, y));
                } else {
                    assert_eq!(color, test_u.get_pixel_at(x, y));
                }
            }
        }
    }

    #[test]
    fn test_no_region_on_white_and_no_repaint_of_white() {
        let mut test_u = img_from_array([[1, 0, 1], [1, 0, 1], [1, 1, 1]]);
        assert_eq!(None, test_u.get_region((1, 0)));
        let counter = test_u.repaint_and_apply((1, 0), PixelColor::Tmp1, AreaCounter(0));
        assert_eq!(0, counter.0);
        assert_eq!(PixelColor::White, test_u.get_pixel_at(1, 0));
        // Outside the image: white, and nothing to repaint.
        assert_eq!(PixelColor::White, test_u.get_pixel_at(3, 0));
        assert_eq!(None, test_u.get_region((0, 7)));
    }

    #[test]
    fn test_unprepared_values_above_one_are_black() {
        let img = PreparedImage::prepare_from_greyscale(0, 5, |_, _| 0);
        assert_eq!(0, img.width());
        let buffer = BasicImageBuffer {
            w: 2,
            h: 1,
            pixels: Box::new([0, 7]),
        };
        let img = PreparedImage::without_preparation(buffer);
        assert_eq!(PixelColor::White, img.get_pixel_at(0, 0));
        assert_eq!(PixelColor::Black, img.get_pixel_at(1, 0));
        assert_eq!(PixelColor::White, img.get_pixel_at_point(Point { x: -5, y: 9 }));
    }
}

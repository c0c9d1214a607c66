//! Projective maps of the plane (3×3 homographies), built from four point
//! correspondences. Computed in `f64`: module coordinates of a version-40
//! code and pixel positions in a large photo would lose precision in `f32`.

/// A projective map `(u, v) ↦ ((a·u + b·v + c) / w, (d·u + e·v + f) / w)`
/// with `w = g·u + h·v + i`; every coefficient is finite.
#[derive(Clone, Debug, PartialEq)]
pub struct Homography([f64; 9]);

impl Homography {
    /// The map from the unit square (corners (0,0), (1,0), (1,1), (0,1))
    /// onto the quadrilateral `q` (same order), after Heckbert. `None` when `q`
    /// is degenerate or not finite.
    pub fn square_to_quad(q: [(f32, f32); 4]) -> Option<Self> {
        let [(x0, y0), (x1, y1), (x2, y2), (x3, y3)] = q.map(|(x, y)| (f64::from(x), f64::from(y)));
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let det = dx1 * dy2 - dx2 * dy1;
        if !det.is_finite() || det.abs() < 1e-9 {
            return None;
        }
        let g = (dx3 * dy2 - dx2 * dy3) / det;
        let h = (dx1 * dy3 - dx3 * dy1) / det;
        Self::checked([x1 - x0 + g * x1, x3 - x0 + h * x3, x0, y1 - y0 + g * y1, y3 - y0 + h * y3, y0, g, h, 1.0])
    }

    /// The map taking each of the four points `from` onto the matching point
    /// of `to` (both in the order top-left, top-right, bottom-right, bottom-left).
    pub fn quad_to_quad(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> Option<Self> {
        let square_to_from = Self::square_to_quad(from)?;
        let square_to_to = Self::square_to_quad(to)?;
        square_to_from.inverse()?.then(&square_to_to)
    }

    /// The map taking the axis-aligned rectangle `[x0, x1] × [y0, y1]` onto
    /// the quadrilateral `to` (top-left, top-right, bottom-right, bottom-left).
    pub fn rect_to_quad((x0, x1): (f32, f32), (y0, y1): (f32, f32), to: [(f32, f32); 4]) -> Option<Self> {
        Self::quad_to_quad([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], to)
    }

    /// Image of `(u, v)`; non-finite (which every sampler treats as outside
    /// the picture) on the map's line at infinity.
    pub fn map(&self, u: f32, v: f32) -> (f32, f32) {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        let (u, v) = (f64::from(u), f64::from(v));
        let w = g * u + h * v + i;
        (((a * u + b * v + c) / w) as f32, ((d * u + e * v + f) / w) as f32)
    }

    /// The inverse map (adjugate over determinant); `None` when singular.
    pub fn inverse(&self) -> Option<Self> {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if !det.is_finite() || det.abs() < 1e-12 {
            return None;
        }
        let adj = [
            e * i - f * h,
            c * h - b * i,
            b * f - c * e,
            f * g - d * i,
            a * i - c * g,
            c * d - a * f,
            d * h - e * g,
            b * g - a * h,
            a * e - b * d,
        ];
        Self::checked(adj.map(|v| v / det))
    }

    /// `self` followed by `next`.
    fn then(&self, next: &Self) -> Option<Self> {
        let (p, q) = (&next.0, &self.0);
        let at = |m: &[f64; 9], r: usize, c: usize| m.get(r * 3 + c).copied().unwrap_or(0.0);
        let mut m = [0.0; 9];
        for (k, out) in m.iter_mut().enumerate() {
            let (r, c) = (k / 3, k % 3);
            *out = (0..3).map(|j| at(p, r, j) * at(q, j, c)).sum();
        }
        Self::checked(m)
    }

    /// Scales so that the last coefficient is one when it can be; `None`
    /// unless every coefficient is finite.
    fn checked(m: [f64; 9]) -> Option<Self> {
        let scale = if m[8].abs() > 1e-12 { m[8] } else { 1.0 };
        let m = m.map(|v| v / scale);
        m.iter().all(|v| v.is_finite()).then_some(Self(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 1e-3 && (a.1 - b.1).abs() < 1e-3
    }

    #[test]
    fn four_points_map_onto_their_images() {
        let from = [(3.5, 3.5), (37.5, 3.5), (34.5, 34.5), (3.5, 37.5)];
        let to = [(102.0, 95.0), (480.0, 120.0), (455.0, 470.0), (90.0, 430.0)];
        let map = Homography::quad_to_quad(from, to).expect("map");
        for (f, t) in from.into_iter().zip(to) {
            assert!(close(map.map(f.0, f.1), t), "{f:?} ↦ {:?}, not {t:?}", map.map(f.0, f.1));
        }
        let rect = Homography::rect_to_quad((0.0, 2.0), (0.0, 3.0), to).expect("map");
        assert!(close(rect.map(2.0, 3.0), to[2]));
    }

    #[test]
    fn degenerate_quads_have_no_map() {
        let line = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0)];
        assert!(Homography::square_to_quad(line).is_none());
        assert!(Homography::square_to_quad([(f32::NAN, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]).is_none());
        assert!(Homography::quad_to_quad([(0.0, 0.0); 4], [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]).is_none());
        let inf = [(0.0, 0.0), (f32::INFINITY, 0.0), (1.0, 1.0), (0.0, 1.0)];
        assert!(Homography::quad_to_quad(inf, inf).is_none());
    }
}

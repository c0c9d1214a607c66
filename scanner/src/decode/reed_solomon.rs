//! Reed–Solomon error correction over GF(256) with the QR polynomial
//! x^8 + x^4 + x^3 + x^2 + 1 (0x11d): syndromes, Berlekamp–Massey for the
//! error locator, Chien search for its roots and Forney for the magnitudes.
//!
//! QR's generator polynomial has the roots α^0 .. α^(n-1) for n error
//! correction codewords, and a block's first codeword is its highest-degree
//! coefficient. Plain log/antilog tables (768 bytes, built at compile time).

use super::DecodeError;

struct Tables {
    /// α^i for i in 0..510, so that a product needs no reduction modulo 255.
    exp: [u8; 510],
    /// log_α(x) for x in 1..=255 (index 0 unused).
    log: [u8; 256],
}

const fn tables() -> Tables {
    let mut exp = [0u8; 510];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    // Const evaluation: an index out of range fails the build, never a run.
    #[allow(clippy::indexing_slicing)]
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    Tables { exp, log }
}

static GF: Tables = tables();

fn exp(power: usize) -> u8 {
    GF.exp.get(power % 255).copied().unwrap_or(0)
}

fn log(x: u8) -> usize {
    // A u8 always indexes the 256-entry table.
    usize::from(GF.log.get(usize::from(x)).copied().unwrap_or(0))
}

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        // log < 255, so the sum indexes the doubled table.
        GF.exp.get(log(a) + log(b)).copied().unwrap_or(0)
    }
}

/// a / b; `b` must not be zero (0 is returned if it is).
fn div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        0
    } else {
        GF.exp.get(log(a) + 255 - log(b)).copied().unwrap_or(0)
    }
}

/// p(x) with p[i] the coefficient of x^i.
fn eval(p: &[u8], x: u8) -> u8 {
    p.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// S_i = r(α^i) for i in 0..ec_len, r(x) having block[0] as its highest coefficient.
fn syndromes(block: &[u8], ec_len: usize) -> Vec<u8> {
    (0..ec_len).map(|i| block.iter().fold(0, |acc, &c| mul(acc, exp(i)) ^ c)).collect()
}

/// Corrects `block` (data then `ec_len` error correction codewords) in
/// place if it has at most `max_errors` errors, and returns how many it
/// corrected. Fails, leaving the block as it was, when the errors cannot be
/// located consistently or the corrected block does not check out.
pub fn correct(block: &mut [u8], ec_len: usize, max_errors: usize) -> Result<usize, DecodeError> {
    let n = block.len();
    if ec_len == 0 || ec_len >= n || n > 255 {
        return Err(DecodeError::TooManyErrors);
    }
    let s = syndromes(block, ec_len);
    if s.iter().all(|&x| x == 0) {
        return Ok(0);
    }
    let sigma = berlekamp_massey(&s);
    let errors = sigma.len() - 1;
    if errors == 0 || errors > max_errors || 2 * errors > ec_len {
        return Err(DecodeError::TooManyErrors);
    }
    // Ω(x) = S(x) σ(x) mod x^ec_len.
    let mut omega = vec![0u8; ec_len];
    for (i, &si) in s.iter().enumerate() {
        for (j, &sj) in sigma.iter().enumerate() {
            if let Some(o) = omega.get_mut(i + j) {
                *o ^= mul(si, sj);
            }
        }
    }
    // σ'(x): in characteristic 2 only the odd powers survive.
    let derivative: Vec<u8> = sigma.iter().enumerate().skip(1).map(|(i, &c)| if i % 2 == 1 { c } else { 0 }).collect();
    let mut fixes = Vec::with_capacity(errors);
    for position in 0..n {
        // The error at x^position is a root at X^-1 = α^-position.
        let x_inv = exp(255 - position % 255);
        if eval(&sigma, x_inv) != 0 {
            continue;
        }
        let denominator = eval(&derivative, x_inv);
        if denominator == 0 {
            return Err(DecodeError::TooManyErrors);
        }
        // Forney with first root α^0: e = X Ω(X^-1) / σ'(X^-1).
        let magnitude = mul(exp(position), div(eval(&omega, x_inv), denominator));
        fixes.push((n - 1 - position, magnitude));
    }
    // Every root must be a position inside the block.
    if fixes.len() != errors {
        return Err(DecodeError::TooManyErrors);
    }
    let mut corrected = block.to_vec();
    for &(index, magnitude) in &fixes {
        if let Some(c) = corrected.get_mut(index) {
            *c ^= magnitude;
        }
    }
    if syndromes(&corrected, ec_len).iter().any(|&x| x != 0) {
        return Err(DecodeError::TooManyErrors);
    }
    block.copy_from_slice(&corrected);
    Ok(errors)
}

/// The shortest error locator σ(x) (σ[0] = 1, trimmed to its degree) that
/// generates the syndromes.
fn berlekamp_massey(s: &[u8]) -> Vec<u8> {
    let mut sigma = vec![1u8];
    let mut previous = vec![1u8];
    let mut degree = 0usize;
    let mut shift = 1usize;
    let mut previous_discrepancy = 1u8;
    for n in 0..s.len() {
        let discrepancy = (0..=degree).fold(0u8, |d, i| {
            let c = sigma.get(i).copied().unwrap_or(0);
            let syndrome = n.checked_sub(i).and_then(|k| s.get(k)).copied().unwrap_or(0);
            d ^ mul(c, syndrome)
        });
        if discrepancy == 0 {
            shift += 1;
            continue;
        }
        let factor = div(discrepancy, previous_discrepancy);
        let before = sigma.clone();
        if sigma.len() < previous.len() + shift {
            sigma.resize(previous.len() + shift, 0);
        }
        for (i, &p) in previous.iter().enumerate() {
            if let Some(c) = sigma.get_mut(i + shift) {
                *c ^= mul(factor, p);
            }
        }
        if 2 * degree <= n {
            degree = n + 1 - degree;
            previous = before;
            previous_discrepancy = discrepancy;
            shift = 1;
        } else {
            shift += 1;
        }
    }
    sigma.resize(degree + 1, 0);
    // A locator whose true degree is below its register length has no full set of roots.
    while sigma.len() > 1 && sigma.last() == Some(&0) {
        sigma.pop();
    }
    sigma
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Systematic encoder: `data` followed by its `ec_len` codewords.
    pub fn encode(data: &[u8], ec_len: usize) -> Vec<u8> {
        // g(x) = Π (x - α^i), highest coefficient first.
        let mut generator = vec![1u8];
        for i in 0..ec_len {
            let mut next = vec![0u8; generator.len() + 1];
            for (j, &g) in generator.iter().enumerate() {
                next[j] ^= g;
                next[j + 1] ^= mul(g, exp(i));
            }
            generator = next;
        }
        let mut remainder: Vec<u8> = data.iter().copied().chain(std::iter::repeat_n(0, ec_len)).collect();
        for i in 0..data.len() {
            let c = remainder[i];
            if c != 0 {
                for (j, &g) in generator.iter().enumerate() {
                    remainder[i + j] ^= mul(g, c);
                }
            }
        }
        data.iter().copied().chain(remainder[data.len()..].iter().copied()).collect()
    }

    /// A small deterministic generator (SplitMix64) for seeded trials.
    pub struct Rng(pub u64);

    impl Rng {
        pub fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }

        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// `count` distinct positions below `n`.
    fn positions(rng: &mut Rng, n: usize, count: usize) -> Vec<usize> {
        let mut chosen = Vec::new();
        while chosen.len() < count {
            let p = rng.below(n);
            if !chosen.contains(&p) {
                chosen.push(p);
            }
        }
        chosen
    }

    fn damage(rng: &mut Rng, block: &mut [u8], count: usize) {
        for p in positions(rng, block.len(), count) {
            block[p] ^= 1 + rng.below(255) as u8;
        }
    }

    fn random_codeword(rng: &mut Rng, n: usize, ec_len: usize) -> Vec<u8> {
        let data: Vec<u8> = (0..n - ec_len).map(|_| rng.next() as u8).collect();
        encode(&data, ec_len)
    }

    /// Block shapes QR uses: (block length, error correction codewords).
    const SHAPES: [(usize, usize); 8] =
        [(26, 7), (26, 10), (26, 13), (26, 17), (44, 28), (67, 18), (122, 30), (153, 30)];

    #[test]
    fn field_tables_are_consistent() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, div(1, a)), 1, "inverse of {a}");
            assert_eq!(exp(log(a)), a);
        }
        assert_eq!(exp(8), 0x1d);
    }

    #[test]
    fn clean_blocks_pass_untouched() {
        let mut rng = Rng(1);
        for (n, ec) in SHAPES {
            let codeword = random_codeword(&mut rng, n, ec);
            let mut block = codeword.clone();
            assert_eq!(correct(&mut block, ec, ec / 2), Ok(0));
            assert_eq!(block, codeword);
        }
    }

    #[test]
    fn corrects_up_to_half_the_error_correction_codewords() {
        let mut rng = Rng(2);
        for (n, ec) in SHAPES {
            let t = ec / 2;
            for trial in 0..200 {
                let codeword = random_codeword(&mut rng, n, ec);
                let errors = 1 + trial % t;
                let mut block = codeword.clone();
                damage(&mut rng, &mut block, errors);
                assert_eq!(correct(&mut block, ec, t), Ok(errors), "({n}, {ec}) with {errors} errors, trial {trial}");
                assert_eq!(block, codeword);
            }
        }
    }

    #[test]
    fn refuses_one_error_more_than_it_may_correct() {
        // Bounded-distance decoding: t + 1 errors must give an error, never a
        // "corrected" block. (A received word can in principle land within t
        // of another codeword; for these shapes that is rarer than 1 in 10^4
        // and none of these seeded trials does.)
        let mut rng = Rng(3);
        for (n, ec) in SHAPES {
            for max_errors in [ec / 2, ec.saturating_sub(3) / 2] {
                for trial in 0..300 {
                    let codeword = random_codeword(&mut rng, n, ec);
                    let mut block = codeword.clone();
                    damage(&mut rng, &mut block, max_errors + 1);
                    let received = block.clone();
                    assert_eq!(
                        correct(&mut block, ec, max_errors),
                        Err(DecodeError::TooManyErrors),
                        "({n}, {ec}) limit {max_errors}, trial {trial}"
                    );
                    assert_eq!(block, received, "a refused block is left as it was");
                }
            }
        }
    }

    #[test]
    fn refuses_random_blocks() {
        let mut rng = Rng(4);
        for (n, ec) in SHAPES {
            for _ in 0..300 {
                let mut block: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                assert_eq!(correct(&mut block, ec, ec / 2), Err(DecodeError::TooManyErrors));
            }
        }
    }

    #[test]
    fn odd_shapes_are_errors_not_panics() {
        assert!(correct(&mut [], 0, 0).is_err());
        assert!(correct(&mut [1, 2, 3], 3, 1).is_err());
        assert!(correct(&mut [1, 2, 3], 0, 1).is_err());
        assert!(correct(&mut [0; 300], 10, 5).is_err());
        assert_eq!(correct(&mut [0; 255], 254, 127), Ok(0));
    }
}

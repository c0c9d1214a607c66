//! Our own QR decoder, from a grid of modules to text.
//!
//! rqrr locates the grid; this reads it: the format information
//! ([`format`]), the codewords in zigzag order ([`codewords`]), the
//! Reed–Solomon blocks ([`blocks`], [`reed_solomon`]), the segments of the
//! bit stream ([`segments`]) and finally the text ([`charset`]). Unlike
//! rqrr's decoder it reads ECI designators, FNC1 (GS1) and structured
//! append headers.
//!
//! A text is only returned when every Reed–Solomon block corrects and checks
//! out, and nothing here panics or indexes out of range on any grid.

mod blocks;
mod charset;
mod codewords;
mod format;
mod reed_solomon;
mod segments;

pub(crate) use codewords::alignment_centres;

use rqrr::BitGrid;

/// Error correction level of a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EcLevel {
    L,
    M,
    Q,
    H,
}

/// The structured append header: this symbol is `index` (from 0) of `total`
/// symbols whose data together carry one message; `parity` is the XOR of
/// the whole message's bytes, the same in every symbol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StructuredAppend {
    pub index: u8,
    pub total: u8,
    pub parity: u8,
}

/// A decoded symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub version: u8,
    pub ec_level: EcLevel,
    /// The grid read transposed (the code seen from behind, or sampled so).
    pub mirrored: bool,
    /// FNC1 in first position: the data are GS1 element strings, with GS
    /// (0x1D) between variable-length fields.
    pub gs1: bool,
    /// Set when the symbol is one of several; `text` is this symbol's part only.
    pub structured_append: Option<StructuredAppend>,
}

/// Why a grid did not decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The grid's side is not 17 + 4 × version for a version from 1 to 40.
    InvalidSize,
    /// Neither copy of the format information is within 3 bits of a valid one.
    FormatInfo,
    /// A Reed–Solomon block holds more errors than it can correct.
    TooManyErrors,
    /// The corrected data are not a valid sequence of segments.
    InvalidData,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::InvalidSize => "grid size is not that of a QR code version 1 to 40",
            Self::FormatInfo => "format information unreadable",
            Self::TooManyErrors => "too many errors to correct",
            Self::InvalidData => "invalid data segments",
        })
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a grid of modules (`true` = dark), as is and, when that fails,
/// transposed. Returns the first attempt's error when both fail.
pub fn decode_grid(grid: &dyn BitGrid) -> Result<Decoded, DecodeError> {
    let mut modules = Modules::read(grid)?;
    match decode_modules(&modules) {
        Ok(decoded) => Ok(decoded),
        Err(error) => {
            modules.transposed = true;
            decode_modules(&modules).map_err(|_| error)
        }
    }
}

fn decode_modules(modules: &Modules) -> Result<Decoded, DecodeError> {
    let version = modules.version;
    let format = format::read(modules)?;
    let raw = codewords::read(modules, format.mask)?;
    let level = format.ec_level;
    let ec_len = blocks::ec_per_block(version, level);
    let mut data = Vec::with_capacity(raw.len());
    let mut most_errors = 0;
    for mut block in blocks::deinterleave(&raw, version, level)? {
        let errors = reed_solomon::correct(&mut block, ec_len, blocks::correctable(version, level))?;
        most_errors = most_errors.max(errors);
        data.extend_from_slice(block.get(..block.len().saturating_sub(ec_len)).unwrap_or_default());
    }
    let parsed = segments::parse(&data, version)?;
    // Correcting into the misdecode protection of a small symbol gives up
    // that many codewords of checking; intact padding after the terminator
    // (known bits, as unlikely in a misdecode) makes up for them.
    let protection = blocks::misdecode_protection(version, level);
    if most_errors > ec_len.saturating_sub(protection) / 2 && parsed.padding < protection {
        return Err(DecodeError::TooManyErrors);
    }
    let segments = parsed.segments;
    let mut structured_append = None;
    let mut gs1 = false;
    for segment in &segments {
        match segment {
            segments::Segment::Fnc1First => gs1 = true,
            segments::Segment::StructuredAppend(header) => structured_append = Some(*header),
            _ => {}
        }
    }
    Ok(Decoded {
        text: charset::text(&segments),
        version,
        ec_level: level,
        mirrored: modules.transposed,
        gs1,
        structured_append,
    })
}

/// The grid's modules, read once (a located grid maps every read through a
/// perspective transform), with its version.
pub(crate) struct Modules {
    size: usize,
    version: u8,
    dark: Vec<bool>,
    /// Read `bit(y, x)` as `bit(x, y)`.
    transposed: bool,
}

impl Modules {
    fn read(grid: &dyn BitGrid) -> Result<Self, DecodeError> {
        let size = grid.size();
        let version = version_for_size(size).ok_or(DecodeError::InvalidSize)?;
        let dark = (0..size * size).map(|i| grid.bit(i / size, i % size)).collect();
        Ok(Self { size, version, dark, transposed: false })
    }

    /// Whether the module in row `y`, column `x` is dark; light outside the grid.
    fn bit(&self, y: usize, x: usize) -> bool {
        let (y, x) = if self.transposed { (x, y) } else { (y, x) };
        y < self.size && x < self.size && self.dark.get(y * self.size + x).copied().unwrap_or(false)
    }
}

/// The version whose side is `size` modules.
fn version_for_size(size: usize) -> Option<u8> {
    let version = size.checked_sub(17)? / 4;
    ((1..=40).contains(&version) && version * 4 + 17 == size).then_some(version as u8)
}

/// The side of a version's grid in modules.
fn size_of(version: u8) -> usize {
    usize::from(version) * 4 + 17
}

#[cfg(test)]
mod tests;

//! A camera's frame bytes to gray. Only brightness matters to a QR code,
//! so colour is never built: YUYV and NV12 carry it as their Y samples, and
//! JPEG is decoded straight to its luma.

use std::io::Cursor;

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use super::{GrayFrame, SourceError};

/// How a camera packs a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixelFormat {
    /// One byte a pixel.
    Gray,
    /// Y0 U Y1 V: two pixels in four bytes.
    Yuyv,
    /// A plane of Y, then interleaved U and V at a quarter resolution.
    Nv12,
    /// Each frame a JPEG image (Motion JPEG).
    Mjpeg,
    Rgb,
    Bgr,
}

/// The gray frame in `bytes`, which a camera sent as `format` at
/// `width` × `height`. A short buffer or a broken JPEG is a
/// [`SourceError::BadFrame`].
pub fn to_gray(
    format: PixelFormat,
    width: usize,
    height: usize,
    bytes: &[u8],
) -> Result<GrayFrame, SourceError> {
    let pixels = width * height;
    let short = || {
        SourceError::BadFrame(format!(
            "{format:?} frame of {} bytes is short for {width}x{height}",
            bytes.len()
        ))
    };
    let gray = match format {
        PixelFormat::Gray | PixelFormat::Nv12 => bytes.get(..pixels).ok_or_else(short)?.to_vec(),
        PixelFormat::Yuyv => bytes
            .get(..2 * pixels)
            .ok_or_else(short)?
            .iter()
            .step_by(2)
            .copied()
            .collect(),
        PixelFormat::Rgb | PixelFormat::Bgr => {
            let (r, b) = if format == PixelFormat::Rgb {
                (0, 2)
            } else {
                (2, 0)
            };
            bytes
                .get(..3 * pixels)
                .ok_or_else(short)?
                .chunks_exact(3)
                .map(|p| luma(p[r], p[1], p[b]))
                .collect()
        }
        PixelFormat::Mjpeg => return jpeg_luma(bytes, width, height),
    };
    GrayFrame::new(width, height, gray)
        .ok_or_else(|| SourceError::BadFrame(format!("a {width}x{height} frame")))
}

/// BT.601 luma, in integers.
fn luma(r: u8, g: u8, b: u8) -> u8 {
    let y = (77 * u32::from(r) + 150 * u32::from(g) + 29 * u32::from(b)) >> 8;
    u8::try_from(y).unwrap_or(u8::MAX)
}

/// A JPEG's luma plane, which must be `width` × `height`.
fn jpeg_luma(bytes: &[u8], width: usize, height: usize) -> Result<GrayFrame, SourceError> {
    // A frame cut short in transit is refused, not decoded with its rest in
    // gray: it must end at its end-of-image marker (some cameras pad after).
    let end = bytes.iter().rposition(|&b| b != 0).unwrap_or(0);
    if end < 1 || bytes[end - 1..=end] != [0xFF, 0xD9] {
        return Err(SourceError::BadFrame("a JPEG frame cut short".into()));
    }
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::Luma)
        .set_max_width(4096)
        .set_max_height(4096);
    let mut decoder = JpegDecoder::new_with_options(Cursor::new(bytes), options);
    let gray = decoder
        .decode()
        .map_err(|e| SourceError::BadFrame(format!("JPEG: {e}")))?;
    let info = decoder
        .info()
        .ok_or_else(|| SourceError::BadFrame("JPEG without a size".into()))?;
    let size = (usize::from(info.width), usize::from(info.height));
    if size != (width, height) {
        return Err(SourceError::BadFrame(format!(
            "JPEG of {}x{} where the camera said {width}x{height}",
            size.0, size.1
        )));
    }
    GrayFrame::new(width, height, gray)
        .ok_or_else(|| SourceError::BadFrame("JPEG luma of the wrong size".into()))
}

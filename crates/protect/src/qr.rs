//! The enrollment QR code read from a screenshot (PNG).

use std::path::Path;

use crate::Error;

/// Largest screenshot accepted, in pixels (a 4K screen is 8.3 M): a bound
/// on the memory a strange file can make us allocate.
const MAX_PIXELS: u64 = 40_000_000;

/// The text of the first QR code in the PNG at `path`.
pub fn decode_file(path: &Path) -> Result<String, Error> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Qr(format!("Cannot read the image {}: {e}", path.display())))?;
    decode_png(&bytes).map_err(|why| Error::Qr(format!("{}: {why}", path.display())))
}

/// The text of the first QR code in a PNG image.
pub fn decode_png(bytes: &[u8]) -> Result<String, String> {
    let (width, height, grey) = greyscale(bytes)?;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| grey[y * width + x]);
    let grids = image.detect_grids();
    if grids.is_empty() {
        return Err(
            "no QR code found in this image (a screenshot of the whole code, \
                    not cut off, works best)"
                .to_string(),
        );
    }
    let mut last_error = String::new();
    for grid in grids {
        match grid.decode() {
            Ok((_, text)) => return Ok(text),
            Err(e) => last_error = e.to_string(),
        }
    }
    Err(format!("the QR code could not be read ({last_error})"))
}

/// One pixel (grey, grey + alpha, RGB or RGBA) as luma, Rec. 601 weights;
/// a transparent pixel counts as what it is drawn over: a white page.
fn luma(px: &[u8]) -> u8 {
    let wide = |i: usize| u32::from(px.get(i).copied().unwrap_or(255));
    let (value, alpha) = match px.len() {
        1 => (wide(0), 255),
        2 => (wide(0), wide(1)),
        3 => ((299 * wide(0) + 587 * wide(1) + 114 * wide(2)) / 1000, 255),
        _ => (
            (299 * wide(0) + 587 * wide(1) + 114 * wide(2)) / 1000,
            wide(3),
        ),
    };
    let over_white = (value * alpha + 255 * (255 - alpha)) / 255;
    u8::try_from(over_white).unwrap_or(u8::MAX)
}

/// The PNG as one luma byte per pixel, whatever its colour type and depth.
fn greyscale(bytes: &[u8]) -> Result<(usize, usize, Vec<u8>), String> {
    let not_png = |e: png::DecodingError| format!("not a readable PNG image ({e})");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    // 16-bit to 8, palettes and low bit depths to plain bytes.
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let header = decoder.read_header_info().map_err(not_png)?;
    if u64::from(header.width) * u64::from(header.height) > MAX_PIXELS {
        return Err("the image is too large".to_string());
    }
    let mut reader = decoder.read_info().map_err(not_png)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| "the image is too large".to_string())?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(not_png)?;
    let (width, height) = (frame.width as usize, frame.height as usize);
    let channels = frame.color_type.samples();
    let line = frame.line_size;
    let mut grey = Vec::with_capacity(width * height);
    for y in 0..height {
        let row = &buf[y * line..y * line + width * channels];
        grey.extend(row.chunks_exact(channels).map(luma));
    }
    Ok((width, height, grey))
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A PNG of `text` as a QR code: `scale` pixels a module, a quiet zone
    /// of four modules, RGB or RGBA.
    pub fn qr_png(text: &str, scale: usize, alpha: bool) -> Vec<u8> {
        let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let size = (n + 8) * scale;
        let channels = if alpha { 4 } else { 3 };
        let mut pixels = vec![255u8; size * size * channels];
        for y in 0..size {
            for x in 0..size {
                let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
                let dark = mx < n && my < n && colors[my * n + mx] == qrcode::Color::Dark;
                let px = &mut pixels[(y * size + x) * channels..][..channels];
                if dark {
                    px[..3].fill(0);
                }
            }
        }
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, size as u32, size as u32);
        enc.set_color(if alpha {
            png::ColorType::Rgba
        } else {
            png::ColorType::Rgb
        });
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&pixels).unwrap();
        w.finish().unwrap();
        out
    }

    #[test]
    fn reads_the_link_back_from_a_png() {
        let link = "portcullis-protect://enroll?portal=http%3A%2F%2Flocalhost%3A8080&token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
        for alpha in [false, true] {
            assert_eq!(decode_png(&qr_png(link, 4, alpha)).unwrap(), link);
        }
    }

    #[test]
    fn says_why_when_there_is_nothing_to_read() {
        assert!(decode_png(b"GIF89a")
            .unwrap_err()
            .contains("not a readable PNG"));
        let mut blank = Vec::new();
        let mut enc = png::Encoder::new(&mut blank, 64, 64);
        enc.set_color(png::ColorType::Grayscale);
        let mut w = enc.write_header().unwrap();
        w.write_image_data(&[255u8; 64 * 64]).unwrap();
        w.finish().unwrap();
        assert!(decode_png(&blank).unwrap_err().contains("no QR code found"));
    }
}

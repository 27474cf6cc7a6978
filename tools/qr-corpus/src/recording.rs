//! Recordings for the scanner's tests: frames written as a YUV4MPEG2 video,
//! the plain format every video tool reads and writes.

use std::io::{BufWriter, Write};
use std::path::Path;

/// Writes `frames`, each `width` × `height` gray bytes, as a 4:2:0 video at
/// 30 frames a second with neutral colour planes.
pub fn write_y4m(path: &Path, width: usize, height: usize, frames: &[&[u8]]) -> std::io::Result<()> {
    let mut file = BufWriter::new(std::fs::File::create(path)?);
    writeln!(file, "YUV4MPEG2 W{width} H{height} F30:1 Ip A1:1 C420jpeg")?;
    let colour = vec![128; 2 * width.div_ceil(2) * height.div_ceil(2)];
    for frame in frames {
        file.write_all(b"FRAME\n")?;
        file.write_all(frame)?;
        file.write_all(&colour)?;
    }
    file.flush()
}

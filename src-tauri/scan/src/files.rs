//! Recorded frames: one image, a folder of images read in name order, or
//! a YUV4MPEG2 (`.y4m`) video, the plain format any video tool writes
//! (`ffmpeg -i door.mp4 -pix_fmt gray door.y4m`).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{FrameSource, GrayFrame, Pace, SourceError};

/// Opens `path` as a video when it ends in `.y4m`, else as an image or a
/// folder of images. Every frame is read, in order, unless
/// [`Recording::played_at`] plays them as a camera would.
pub fn open_recording(path: &Path) -> Result<Recording, SourceError> {
    let frames = if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("y4m")) {
        Frames::Video(Y4m::open(path)?)
    } else {
        Frames::Images(images(path)?)
    };
    Ok(Recording {
        frames,
        pace: Pace::Every,
    })
}

/// Frames from files.
#[derive(Debug)]
pub struct Recording {
    frames: Frames,
    pace: Pace,
}

#[derive(Debug)]
enum Frames {
    Images(VecDeque<PathBuf>),
    Video(Y4m),
}

impl Recording {
    /// Plays the frames at `per_second`, as a camera: the scanner skips
    /// frames it has no time for.
    #[must_use]
    pub fn played_at(mut self, per_second: u32) -> Self {
        self.pace = Pace::Played(Duration::from_secs(1) / per_second.max(1));
        self
    }
}

impl FrameSource for Recording {
    fn next_frame(&mut self) -> Result<Option<GrayFrame>, SourceError> {
        match &mut self.frames {
            Frames::Images(paths) => paths.pop_front().map(|path| image(&path)).transpose(),
            Frames::Video(video) => video.next_frame(),
        }
    }

    fn pace(&self) -> Pace {
        self.pace
    }
}

fn unreadable(path: &Path, reason: impl std::fmt::Display) -> SourceError {
    SourceError::Recording {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The image files at `path`: itself, or a folder's images in name order.
fn images(path: &Path) -> Result<VecDeque<PathBuf>, SourceError> {
    if !path.is_dir() {
        return if path.is_file() {
            Ok(VecDeque::from([path.to_owned()]))
        } else {
            Err(unreadable(path, "no such file or folder"))
        };
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| unreadable(path, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| image::ImageFormat::from_path(p).is_ok_and(|f| f.reading_enabled()))
        .collect();
    if found.is_empty() {
        return Err(unreadable(path, "the folder holds no PNG or JPEG image"));
    }
    found.sort();
    Ok(found.into())
}

/// One image file; a broken one spoils that frame only.
fn image(path: &Path) -> Result<GrayFrame, SourceError> {
    let gray = image::open(path)
        .map_err(|e| SourceError::BadFrame(format!("{}: {e}", path.display())))?
        .into_luma8();
    let (width, height) = (gray.width() as usize, gray.height() as usize);
    GrayFrame::new(width, height, gray.into_raw())
        .ok_or_else(|| SourceError::BadFrame(format!("{}: {width}x{height} is too large", path.display())))
}

/// A YUV4MPEG2 video: a header line, then each frame a `FRAME` line, the
/// Y plane (our gray frame) and the colour planes, skipped.
#[derive(Debug)]
struct Y4m {
    path: PathBuf,
    reader: BufReader<File>,
    width: usize,
    height: usize,
    colour_bytes: u64,
}

impl Y4m {
    fn open(path: &Path) -> Result<Self, SourceError> {
        let mut reader = BufReader::new(File::open(path).map_err(|e| unreadable(path, e))?);
        let header = line(&mut reader, path)?.ok_or_else(|| unreadable(path, "empty file"))?;
        let mut fields = header.split_ascii_whitespace();
        if fields.next() != Some("YUV4MPEG2") {
            return Err(unreadable(path, "not a YUV4MPEG2 video"));
        }
        let (mut width, mut height, mut colour) = (0usize, 0usize, "420");
        for field in fields {
            let (tag, value) = field.split_at(1);
            match tag {
                "W" => width = value.parse().map_err(|_| unreadable(path, "bad width"))?,
                "H" => height = value.parse().map_err(|_| unreadable(path, "bad height"))?,
                "C" => colour = value,
                _ => {}
            }
        }
        if width == 0 || height == 0 || width * height > 1 << 24 {
            return Err(unreadable(path, format!("a frame of {width}x{height}")));
        }
        let (half_w, half_h) = (width.div_ceil(2), height.div_ceil(2));
        let colour_bytes = match colour {
            "420" | "420jpeg" | "420paldv" | "420mpeg2" => 2 * half_w * half_h,
            "422" => 2 * half_w * height,
            "444" => 2 * width * height,
            "mono" => 0,
            other => return Err(unreadable(path, format!("colour layout C{other} is not read"))),
        };
        Ok(Self {
            path: path.to_owned(),
            reader,
            width,
            height,
            colour_bytes: colour_bytes as u64,
        })
    }

    fn next_frame(&mut self) -> Result<Option<GrayFrame>, SourceError> {
        let Some(marker) = line(&mut self.reader, &self.path)? else {
            return Ok(None);
        };
        if !marker.starts_with("FRAME") {
            return Err(unreadable(&self.path, "a frame without its FRAME line"));
        }
        let mut pixels = vec![0; self.width * self.height];
        let cut = |e| unreadable(&self.path, format!("the video ends inside a frame ({e})"));
        self.reader.read_exact(&mut pixels).map_err(cut)?;
        let skipped = std::io::copy(
            &mut (&mut self.reader).take(self.colour_bytes),
            &mut std::io::sink(),
        )
        .map_err(cut)?;
        if skipped < self.colour_bytes {
            return Err(unreadable(&self.path, "the video ends inside a frame"));
        }
        Ok(GrayFrame::new(self.width, self.height, pixels))
    }
}

/// One header line, at most 1 KiB; `None` at the end of the file.
fn line(reader: &mut BufReader<File>, path: &Path) -> Result<Option<String>, SourceError> {
    let mut bytes = Vec::new();
    reader
        .take(1024)
        .read_until(b'\n', &mut bytes)
        .map_err(|e| unreadable(path, e))?;
    if bytes.is_empty() {
        return Ok(None);
    }
    if bytes.pop() != Some(b'\n') {
        return Err(unreadable(path, "a header line is cut or longer than 1 KiB"));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| unreadable(path, "a header line is not text"))
}

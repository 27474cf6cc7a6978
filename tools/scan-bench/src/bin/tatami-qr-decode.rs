//! `tatami-qr-decode`: decodes every frame of a corpus directory with plain
//! rqrr, each call behind `catch_unwind` (rqrr can panic on some images),
//! or with the scanner's pipeline (`--pipeline`, with the scanner's time
//! budget a frame as `--budget-ms`), and prints one JSON line per frame:
//! `file`, `payloads` (every text read), `error`, `ms` (the decode alone,
//! not reading the PNG) and `panicked`. `tools/scan-bench/peers.py` runs
//! it beside other decoders.

use std::any::Any;
use std::error::Error;
use std::io::{BufWriter, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use image::GrayImage;
use serde_json::json;
use tatami_scan::{self as scan, GrayFrame};

#[derive(Debug, Parser)]
#[command(about = "Decode a QR corpus with plain rqrr, one JSON line per frame")]
struct Args {
    /// A corpus directory: its PNG files are read in name order.
    #[arg(long)]
    corpus: PathBuf,
    /// Decode each frame this many times and report the fastest.
    #[arg(long, default_value_t = 1)]
    repeat: u32,
    /// Decode with the scanner's pipeline instead of plain rqrr.
    #[arg(long)]
    pipeline: bool,
    /// With `--pipeline`: start no view that would end past this many
    /// milliseconds, as the scanner does; every view when absent.
    #[arg(long, requires = "pipeline")]
    budget_ms: Option<u64>,
}

/// What one decode found.
struct Decoded {
    payloads: Vec<String>,
    error: Option<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.corpus)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|p| p.extension().is_some_and(|e| e == "png"));
    files.sort();
    // A panic is a measured outcome here, reported in the JSON line.
    std::panic::set_hook(Box::new(|_| {}));
    let mut out = BufWriter::new(std::io::stdout().lock());
    for path in files {
        let image = image::open(&path)?.into_luma8();
        let mut fastest = f64::MAX;
        let mut outcome = None;
        for _ in 0..args.repeat.max(1) {
            let start = Instant::now();
            let result = catch_unwind(AssertUnwindSafe(|| {
                if args.pipeline {
                    pipeline_decode(
                        &image,
                        args.budget_ms.map_or(Duration::MAX, Duration::from_millis),
                    )
                } else {
                    rqrr_decode(&image)
                }
            }));
            fastest = fastest.min(start.elapsed().as_secs_f64() * 1e3);
            outcome = Some(result);
        }
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let line = match outcome {
            Some(Ok(decoded)) => json!({
                "file": file, "payloads": decoded.payloads, "error": decoded.error,
                "ms": fastest, "panicked": false,
            }),
            Some(Err(panic)) => json!({
                "file": file, "payloads": [], "error": panic_message(panic.as_ref()),
                "ms": fastest, "panicked": true,
            }),
            None => continue,
        };
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(())
}

/// rqrr as its documentation shows it: its own binarization, every grid.
fn rqrr_decode(image: &GrayImage) -> Decoded {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let pixels = image.as_raw();
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| pixels[y * w + x]);
    let mut decoded = Decoded {
        payloads: Vec::new(),
        error: Some("no code found".to_owned()),
    };
    for grid in prepared.detect_grids() {
        match grid.decode() {
            Ok((_, text)) => decoded.payloads.push(text),
            Err(e) => decoded.error = Some(e.to_string()),
        }
    }
    if !decoded.payloads.is_empty() {
        decoded.error = None;
    }
    decoded
}

/// The scanner's pipeline; it catches rqrr's panics itself and reports
/// them as a frame that did not read.
fn pipeline_decode(image: &GrayImage, budget: Duration) -> Decoded {
    let frame = GrayFrame::new(
        image.width() as usize,
        image.height() as usize,
        image.as_raw().clone(),
    );
    let decoded = frame
        .map(|frame| scan::decode_within(&frame, budget))
        .unwrap_or_default();
    let error = decoded.payloads.is_empty().then(|| {
        if decoded.panicked {
            "rqrr panicked"
        } else {
            "no code found"
        }
        .to_owned()
    });
    Decoded {
        payloads: decoded.payloads,
        error,
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".to_owned())
}

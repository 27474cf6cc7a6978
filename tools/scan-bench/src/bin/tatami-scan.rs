//! `tatami-scan`: runs the scanner on a camera or a recording and
//! prints one JSON line per event: each code read once believed, then why
//! the scan stopped and the scanner's counts. No academy key here, so a
//! code is believed once read in two nearby frames (or at once, `--once`).
//! For trying a camera on a device, a recording from the door, or an IP
//! camera's saved frames.

use std::error::Error;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;
use serde_json::json;
use tatami_scan::{self as scan, Camera, ScanEvent, ScanOptions, Scanner, SourceError};

#[derive(Debug, Parser)]
#[command(about = "Scan QR codes from a camera or a recording, one JSON line per event")]
struct Args {
    /// List the cameras and stop.
    #[arg(long)]
    list: bool,
    /// The camera to open, by its index in `--list`.
    #[arg(long, conflicts_with = "recording")]
    camera: Option<u32>,
    /// Resolution asked of the camera; it opens the nearest it offers.
    #[arg(long, default_value = "1280x720", value_parser = resolution)]
    size: (u32, u32),
    /// An image, a folder of images, or a `.y4m` video.
    #[arg(long)]
    recording: Option<PathBuf>,
    /// Play the recording at this many frames a second, as a camera would
    /// (frames the decoder has no time for are skipped); every frame when absent.
    #[arg(long, requires = "recording")]
    fps: Option<u32>,
    /// Stop after this many seconds.
    #[arg(long)]
    seconds: Option<u64>,
    /// Believe a code on its first read (frames of different codes, such
    /// as the corpus); else a code is believed once read twice.
    #[arg(long)]
    once: bool,
}

fn resolution(text: &str) -> Result<(u32, u32), String> {
    let (width, height) = text.split_once('x').ok_or("WIDTHxHEIGHT, such as 1280x720")?;
    Ok((
        width.parse().map_err(|_| "a whole width")?,
        height.parse().map_err(|_| "a whole height")?,
    ))
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    if args.list {
        for camera in scan::cameras()? {
            let scan::CameraInfo {
                index,
                name,
                description,
            } = camera;
            println!(
                "{}",
                json!({ "index": index, "name": name, "description": description })
            );
        }
        return Ok(());
    }
    let options = ScanOptions::default();
    let once = args.once;
    let believe = move |_: &str| once;
    let scanner = match (args.camera, args.recording) {
        (Some(index), None) => {
            let (width, height) = args.size;
            Scanner::start(move || Camera::open(index, width, height), believe, options)
        }
        (None, Some(path)) => Scanner::start(
            move || {
                let recording = scan::open_recording(&path)?;
                Ok(match args.fps {
                    Some(fps) => recording.played_at(fps),
                    None => recording,
                })
            },
            believe,
            options,
        ),
        _ => return Err("give --camera N or --recording PATH (or --list)".into()),
    };
    let scanner = match scanner {
        Ok(scanner) => scanner,
        Err(error) => {
            println!("{}", stopped(Some(&error)));
            return Err(error.to_string().into());
        }
    };
    let deadline = args
        .seconds
        .map(|s| std::time::Instant::now() + Duration::from_secs(s));
    while deadline.is_none_or(|d| std::time::Instant::now() < d) {
        match scanner.next_event(Duration::from_millis(200)) {
            Some(ScanEvent::Read(text)) => println!("{}", json!({ "read": text })),
            Some(ScanEvent::Stopped(error)) => {
                println!("{}", stopped(error.as_ref()));
                break;
            }
            None => {}
        }
    }
    let stats = scanner.stats();
    println!(
        "{}",
        json!({ "decoded": stats.decoded, "skipped": stats.skipped, "spoiled": stats.spoiled,
                "panicked": stats.panicked, "cut_short": stats.cut_short })
    );
    Ok(())
}

fn stopped(error: Option<&SourceError>) -> serde_json::Value {
    match error {
        None => json!({ "stopped": "ended" }),
        Some(error) => json!({ "stopped": error.code(), "message": error.to_string() }),
    }
}

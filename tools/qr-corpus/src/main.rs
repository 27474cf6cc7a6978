//! `tatami-qr-corpus`: writes the hard QR corpus to a directory: one PNG per
//! frame and `manifest.json` with what each frame must read as, its family,
//! level and scene parameters. The same seed writes the same corpus.

use std::error::Error;
use std::path::PathBuf;

use clap::Parser;
use image::{ExtendedColorType, ImageFormat};
use tatami_qr_corpus::plan;

#[derive(Debug, Parser)]
#[command(about = "Write the hard QR corpus: PNG frames and manifest.json")]
struct Args {
    /// Directory to write into; created if missing.
    #[arg(long)]
    out: PathBuf,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Graded frames per distortion family (three quarters as many
    /// without a code and with a foreign one).
    #[arg(long, default_value_t = 40)]
    per_family: usize,
    /// Only the frames whose file name starts with this, e.g. `glare`.
    #[arg(long)]
    only: Option<String>,
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let mut corpus = plan(args.seed, args.per_family)?;
    if let Some(prefix) = &args.only {
        corpus.frames.retain(|f| f.file.starts_with(prefix.as_str()));
    }
    std::fs::create_dir_all(&args.out)?;
    for frame in &corpus.frames {
        let image = frame.render()?;
        image::save_buffer_with_format(
            args.out.join(&frame.file),
            &image.pixels,
            image.width,
            image.height,
            ExtendedColorType::L8,
            ImageFormat::Png,
        )?;
    }
    let manifest = serde_json::to_vec_pretty(&corpus.manifest())?;
    std::fs::write(args.out.join("manifest.json"), manifest)?;
    eprintln!(
        "wrote {} frames and manifest.json to {}",
        corpus.frames.len(),
        args.out.display()
    );
    Ok(())
}

//! The engine's scan pipeline on frames of the hard corpus: it reads more
//! than plain rqrr, never reads what is not there, and holds its success
//! rate (the full corpus and the peers are measured in BENCHMARKS.md).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::time::Duration;

use tatami_qr_corpus::plan;
use tatami_scan::{self as scan, GrayFrame};

/// A seed and size the pipeline was not tuned on.
const SEED: u64 = 2026;
const PER_FAMILY: usize = 6;
/// The pipeline read 78% of the default corpus (seed 1, 500 frames) where
/// plain rqrr read 43%, and 73% of this one.
const LEAST_PERCENT: usize = 68;

#[test]
fn the_pipeline_reads_hard_frames_better_than_plain_rqrr_and_never_misreads() {
    let corpus = plan(SEED, PER_FAMILY).unwrap();
    let (mut ours, mut theirs) = (0, 0);
    for spec in &corpus.frames {
        let frame = spec.render().unwrap();
        let gray = GrayFrame::new(frame.width as usize, frame.height as usize, frame.pixels.clone()).unwrap();
        let decoded = scan::decode(&gray);
        let expected: Vec<String> = spec.expected.iter().cloned().collect();
        assert!(
            decoded.payloads.is_empty() || decoded.payloads == expected,
            "{}: read {:?}, expected {:?}",
            spec.file,
            decoded.payloads,
            expected
        );
        ours += usize::from(decoded.payloads == expected);
        theirs += usize::from(
            std::panic::catch_unwind(|| frame.read_with_plain_rqrr()).is_ok_and(|read| read == expected),
        );
    }
    let frames = corpus.frames.len();
    println!("the pipeline read {ours} of {frames} frames, plain rqrr {theirs}");
    assert!(
        ours >= theirs,
        "the pipeline read {ours} of {frames}, plain rqrr {theirs}"
    );
    assert!(
        ours * 100 >= frames * LEAST_PERCENT,
        "the pipeline read {ours} of {frames}"
    );
}

#[test]
fn a_frame_out_of_time_is_cut_short_and_reads_nothing() {
    let corpus = plan(SEED, 1).unwrap();
    let spec = corpus.frames.iter().find(|spec| spec.expected.is_some()).unwrap();
    let frame = spec.render().unwrap();
    let gray = GrayFrame::new(frame.width as usize, frame.height as usize, frame.pixels).unwrap();
    let hurried = scan::decode_within(&gray, Duration::ZERO);
    assert!(hurried.cut_short && hurried.payloads.is_empty(), "{hurried:?}");
    let unhurried = scan::decode_within(&gray, Duration::MAX);
    assert!(!unhurried.cut_short);
    assert_eq!(unhurried, scan::decode(&gray));
}

#[test]
fn a_frame_of_the_wrong_size_is_refused_and_a_blank_one_reads_nothing() {
    assert_eq!(GrayFrame::new(4, 4, vec![0; 15]), None);
    assert_eq!(GrayFrame::new(0, 0, Vec::new()), None);
    assert_eq!(GrayFrame::new(8192, 4096, vec![0; 8192 * 4096]), None);
    for (width, height) in [(1, 1), (8, 8), (21, 1), (64, 48)] {
        let blank = GrayFrame::new(width, height, vec![255; width * height]).unwrap();
        assert_eq!(scan::decode(&blank), scan::Decoded::default(), "{width}x{height}");
    }
}

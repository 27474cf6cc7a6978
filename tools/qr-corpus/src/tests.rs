use super::*;

fn manifest_json(corpus: &Corpus) -> String {
    serde_json::to_string(&corpus.manifest()).unwrap()
}

fn find<'a>(corpus: &'a Corpus, file: &str) -> &'a FrameSpec {
    corpus.frames.iter().find(|f| f.file == file).unwrap()
}

#[test]
fn a_seed_gives_the_same_corpus_and_another_seed_another() {
    let a = plan(7, 4).unwrap();
    let b = plan(7, 4).unwrap();
    assert_eq!(manifest_json(&a), manifest_json(&b));
    assert_ne!(manifest_json(&a), manifest_json(&plan(8, 4).unwrap()));
    // 11 graded families of 4, and 3 each without a code and with a foreign one.
    assert_eq!(a.frames.len(), 11 * 4 + 2 * 3);
    let frame = find(&a, "noise-003.png");
    assert_eq!(frame.width, 640, "one frame in four is 640x480");
    assert_eq!(frame.render().unwrap().pixels, frame.render().unwrap().pixels);
}

#[test]
fn an_easy_frame_reads_with_plain_rqrr_and_a_hard_one_does_not() {
    let corpus = plan(1, 16).unwrap();
    let easy = find(&corpus, "noise-000.png");
    assert!(easy.level < 0.2);
    assert!(matches!(
        easy.payload,
        PayloadKind::PhonePass | PayloadKind::MemberCard
    ));
    assert_eq!(
        easy.render().unwrap().read_with_plain_rqrr(),
        vec![easy.expected.clone().unwrap()]
    );
    let hard = find(&corpus, "blur-015.png");
    assert!(hard.level > 0.85);
    assert!(
        !hard
            .render()
            .unwrap()
            .read_with_plain_rqrr()
            .contains(hard.expected.as_ref().unwrap())
    );
}

#[test]
fn passes_verify_with_the_academy_key_in_the_manifest() {
    use tatami_core::ids::TenantId;
    use tatami_core::pass::{KeyId, TrustedKeys};
    let corpus = plan(3, 4).unwrap();
    let tenant: TenantId = corpus.academy.tenant.parse().unwrap();
    let key: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&corpus.academy.public_key[i..i + 2], 16).unwrap())
        .collect();
    let keys = TrustedKeys::new(tenant, [(KeyId(corpus.academy.key_id), key.try_into().unwrap())]).unwrap();
    let now = corpus.academy.valid_at;
    for frame in &corpus.frames {
        let verified = frame.expected.as_deref().map(|text| keys.verify(text, now));
        match frame.payload {
            PayloadKind::PhonePass | PayloadKind::MemberCard => assert!(verified.unwrap().is_ok()),
            PayloadKind::Foreign | PayloadKind::Malformed => assert!(verified.unwrap().is_err()),
            PayloadKind::None => assert!(verified.is_none()),
        }
    }
}

//! Bytes as text that a QR code stores in alphanumeric mode.
//!
//! QR alphanumeric mode packs two characters into 11 bits. RFC 9285's
//! base45 turns 2 bytes into 3 characters; treating the whole payload as one
//! big number instead loses less than one character in total, which is what
//! keeps a phone pass inside QR version 5. The space character is left out
//! of the alphabet (44 symbols) because keyboard-wedge scanners and text
//! fields trim it.

/// QR's alphanumeric set without the space.
const ALPHABET: &[u8; 44] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ$%*+-./:";
const BASE: u32 = 44;

/// Characters needed for `bytes` bytes: the least `n` with 44^n >= 256^bytes.
pub(crate) fn text_len(bytes: usize) -> usize {
    // 44^n >= 256^b  <=>  n >= 8b / log2(44), log2(44) = 5.4594316186372973...
    // in integers, rounding the logarithm down so n is never too small.
    let scaled_bits = (bytes as u128) * 8 * 1_000_000_000_000_000;
    usize::try_from(scaled_bits.div_ceil(5_459_431_618_637_297)).unwrap_or(usize::MAX)
}

/// Why text is not an encoding of bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AlnumError {
    /// A character outside the alphabet, at this character position.
    Character(usize),
    /// The number is larger than the expected bytes can hold.
    Overflow,
}

/// Digits handled per pass over the number: 44^4 * 256 still fits a u32,
/// so each pass is one division (or multiplication) per byte.
const CHUNK: usize = 4;
const CHUNK_BASE: u32 = BASE * BASE * BASE * BASE;

/// Encodes `bytes` as exactly `text_len(bytes.len())` characters.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let len = text_len(bytes.len());
    let mut number = bytes.to_vec();
    let mut digits = Vec::with_capacity(len + CHUNK);
    while digits.len() < len {
        // Long division of the big-endian number by 44^4, in place.
        let mut remainder = 0u32;
        for byte in &mut number {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = u8::try_from(value / CHUNK_BASE).unwrap_or(u8::MAX);
            remainder = value % CHUNK_BASE;
        }
        for _ in 0..CHUNK {
            digits.push(ALPHABET[(remainder % BASE) as usize]);
            remainder /= BASE;
        }
    }
    // The number is below 44^len, so any digits past `len` are zeros.
    digits.truncate(len);
    digits.reverse();
    digits.into_iter().map(char::from).collect()
}

/// Decodes text made by [`encode`] back into `len` bytes.
pub(crate) fn decode(text: &str, len: usize) -> Result<Vec<u8>, AlnumError> {
    let text = text.as_bytes();
    let mut number = vec![0u8; len];
    // A short first chunk, so the rest split evenly.
    let head = text.len() % CHUNK;
    let chunks =
        std::iter::once((0, &text[..head])).chain((head..).step_by(CHUNK).zip(text[head..].chunks(CHUNK)));
    for (start, chunk) in chunks.filter(|(_, chunk)| !chunk.is_empty()) {
        let (mut value, mut scale) = (0u32, 1u32);
        for (offset, ch) in chunk.iter().enumerate() {
            let digit = ALPHABET
                .iter()
                .position(|a| a == ch)
                .ok_or(AlnumError::Character(start + offset))?;
            value = value * BASE + u32::try_from(digit).unwrap_or(0);
            scale *= BASE;
        }
        // number = number * 44^k + value, from the least significant byte.
        let mut carry = value;
        for byte in number.iter_mut().rev() {
            let product = u32::from(*byte) * scale + carry;
            let [low, ..] = product.to_le_bytes();
            *byte = low;
            carry = product >> 8;
        }
        if carry != 0 {
            return Err(AlnumError::Overflow);
        }
    }
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lengths_are_minimal() {
        assert_eq!(text_len(83), 122);
        assert_eq!(text_len(78), 115);
        assert_eq!(text_len(1), 2);
        assert_eq!(text_len(0), 0);
        for bytes in 1..200u32 {
            let n = f64::from(u32::try_from(text_len(bytes as usize)).unwrap());
            let (bits, log2) = (f64::from(bytes * 8), 44f64.log2());
            assert!(n * log2 >= bits);
            assert!((n - 1.0) * log2 < bits);
        }
    }

    #[test]
    fn extremes_round_trip() {
        for bytes in [vec![0u8; 83], vec![0xff; 83], vec![0xff; 78]] {
            let text = encode(&bytes);
            assert_eq!(text.len(), text_len(bytes.len()));
            assert_eq!(decode(&text, bytes.len()), Ok(bytes));
        }
    }

    #[test]
    fn out_of_range_text_is_refused() {
        // 44^2 - 1 = 1935 does not fit in one byte.
        assert_eq!(decode("::", 1), Err(AlnumError::Overflow));
        assert_eq!(decode("0a", 1), Err(AlnumError::Character(1)));
        assert_eq!(decode("0 ", 1), Err(AlnumError::Character(1)));
        assert_eq!(decode("é", 1), Err(AlnumError::Character(0)));
    }

    proptest! {
        #[test]
        fn round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..120)) {
            let text = encode(&bytes);
            prop_assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
            prop_assert_eq!(decode(&text, bytes.len()), Ok(bytes));
        }
    }
}

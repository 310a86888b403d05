//! Random strings from the operating system's CSPRNG, in the alphabets Ivorey uses.

/// The base62 alphabet: ids and token bodies use it so they survive copy and paste, URLs and
/// double-click selection.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Fills `buf` from the OS CSPRNG. Failure of the OS generator is unrecoverable for a server
/// that mints credentials, so it panics rather than degrade.
pub fn fill(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// `len` base62 characters, uniformly distributed (rejection sampling keeps the modulo unbiased).
pub fn base62(len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut pool = [0u8; 64];
    while out.len() < len {
        fill(&mut pool);
        for &byte in &pool {
            // 248 = 4 * 62: bytes at or above it would bias the first symbols.
            if byte < 248 {
                out.push(BASE62[(byte % 62) as usize] as char);
                if out.len() == len {
                    break;
                }
            }
        }
    }
    out
}

/// 32 lowercase hex characters (128 bits): request trace ids.
pub fn hex128() -> String {
    let mut bytes = [0u8; 16];
    fill(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_has_requested_length_and_alphabet() {
        let s = base62(100);
        assert_eq!(s.len(), 100);
        assert!(s.bytes().all(|b| BASE62.contains(&b)));
    }

    #[test]
    fn two_draws_differ() {
        assert_ne!(base62(20), base62(20));
        assert_ne!(hex128(), hex128());
    }
}

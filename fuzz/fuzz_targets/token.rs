//! The token parser on arbitrary input: it never panics, and whatever it accepts is exactly the
//! token format (prefix, length, alphabet, matching checksum), so the hash it yields is the
//! hash of a token that `Token::parse` accepts too.
#![no_main]

use ivorey_core::token::{TOKEN_LEN, TOKEN_PREFIX};
use ivorey_core::{Token, TokenHash};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let presented = TokenHash::from_presented(text);
    let parsed = Token::parse(text);
    assert_eq!(
        presented.is_ok(),
        parsed.is_ok(),
        "the two parsers agree on {text:?}"
    );
    if let (Ok(hash), Ok(token)) = (presented, parsed) {
        assert_eq!(text.len(), TOKEN_LEN);
        assert!(text.starts_with(TOKEN_PREFIX));
        assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
        assert_eq!(hash, token.hash());
    }
});

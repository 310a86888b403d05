//! The Private Integration token format: `ivorey_pit_` + 32 base62 characters from the OS CSPRNG
//! (about 190 bits) + a 6-character base62 CRC32 of everything before it.
//!
//! The fixed prefix lets secret scanners find leaked tokens; the checksum lets them, and us, reject
//! a mistyped or truncated token without touching the database. Only the SHA-256 of a token is
//! ever stored; the token itself exists in memory just long enough to be shown once.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::random::{self, BASE62};

/// Every Ivorey Private Integration token starts with this.
pub const TOKEN_PREFIX: &str = "ivorey_pit_";
const BODY_LEN: usize = 32;
const CHECKSUM_LEN: usize = 6;
/// Total length of a well-formed token.
pub const TOKEN_LEN: usize = TOKEN_PREFIX.len() + BODY_LEN + CHECKSUM_LEN;

/// Why a string is not an Ivorey token. The API answers all of these the same way (401), so the
/// reason is only for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenFormatError {
    #[error("token has the wrong length")]
    Length,
    #[error("token lacks the ivorey_pit_ prefix")]
    Prefix,
    #[error("token contains a character outside base62")]
    Alphabet,
    #[error("token checksum does not match")]
    Checksum,
}

/// A plaintext token. It is shown once and never logged: `Debug` and `Display` redact it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Mints a new token from the OS CSPRNG.
    pub fn generate() -> Token {
        let mut s = String::with_capacity(TOKEN_LEN);
        s.push_str(TOKEN_PREFIX);
        s.push_str(&random::base62(BODY_LEN));
        let crc = crc32fast::hash(s.as_bytes());
        s.push_str(&checksum_chars(crc));
        Token(s)
    }

    /// Checks the format of `s` (length, prefix, alphabet, checksum) and keeps it.
    pub fn parse(s: &str) -> Result<Token, TokenFormatError> {
        check_format(s)?;
        Ok(Token(s.to_owned()))
    }

    /// The secret itself, for the one response that shows it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of_checked(&self.0)
    }

    /// The non-secret hint shown in lists: the last 4 characters.
    pub fn hint(&self) -> String {
        self.0[self.0.len() - 4..].to_owned()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(ivorey_pit_[REDACTED])")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ivorey_pit_[REDACTED]")
    }
}

/// The SHA-256 of a token: what the database stores and looks up.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl TokenHash {
    /// Validates the format of a presented token and hashes it, without allocating: the first
    /// step of every authenticated request.
    pub fn from_presented(s: &str) -> Result<TokenHash, TokenFormatError> {
        check_format(s)?;
        Ok(Self::of_checked(s))
    }

    fn of_checked(s: &str) -> TokenHash {
        TokenHash(Sha256::digest(s.as_bytes()).into())
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    pub fn from_slice(bytes: &[u8]) -> Option<TokenHash> {
        bytes.try_into().ok().map(TokenHash)
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", hex::encode(&self.0[..4]))
    }
}

fn check_format(s: &str) -> Result<(), TokenFormatError> {
    if s.len() != TOKEN_LEN {
        return Err(TokenFormatError::Length);
    }
    if !s.starts_with(TOKEN_PREFIX) {
        return Err(TokenFormatError::Prefix);
    }
    let (signed, checksum) = s.as_bytes().split_at(TOKEN_LEN - CHECKSUM_LEN);
    if !s.as_bytes()[TOKEN_PREFIX.len()..]
        .iter()
        .all(u8::is_ascii_alphanumeric)
    {
        return Err(TokenFormatError::Alphabet);
    }
    if checksum_chars(crc32fast::hash(signed)).as_bytes() != checksum {
        return Err(TokenFormatError::Checksum);
    }
    Ok(())
}

/// CRC32 as 6 base62 digits, most significant first (62^6 > 2^32, so every value fits).
fn checksum_chars(mut crc: u32) -> String {
    let mut digits = [b'0'; CHECKSUM_LEN];
    for digit in digits.iter_mut().rev() {
        *digit = BASE62[(crc % 62) as usize];
        crc /= 62;
    }
    digits.iter().map(|&b| b as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_well_formed_and_unique() {
        let a = Token::generate();
        let b = Token::generate();
        assert_ne!(a, b);
        assert_eq!(a.expose_secret().len(), TOKEN_LEN);
        assert!(a.expose_secret().starts_with(TOKEN_PREFIX));
        assert_eq!(Token::parse(a.expose_secret()), Ok(a.clone()));
        assert_eq!(TokenHash::from_presented(a.expose_secret()), Ok(a.hash()));
    }

    #[test]
    fn debug_and_display_never_show_the_secret() {
        let token = Token::generate();
        let body = &token.expose_secret()[TOKEN_PREFIX.len()..];
        assert!(!format!("{token:?}").contains(body));
        assert!(!format!("{token}").contains(body));
    }

    #[test]
    fn a_single_changed_character_fails_the_checksum() {
        let token = Token::generate();
        let mut bytes = token.expose_secret().as_bytes().to_vec();
        let i = TOKEN_PREFIX.len() + 5;
        bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        let typo = String::from_utf8(bytes).unwrap();
        assert_eq!(
            TokenHash::from_presented(&typo),
            Err(TokenFormatError::Checksum)
        );
    }

    #[test]
    fn truncated_or_foreign_tokens_are_refused() {
        let token = Token::generate();
        let s = token.expose_secret();
        assert_eq!(
            TokenHash::from_presented(&s[..s.len() - 1]),
            Err(TokenFormatError::Length)
        );
        let foreign = format!("ghp_{}", &s[4..]);
        assert_eq!(
            TokenHash::from_presented(&foreign),
            Err(TokenFormatError::Prefix)
        );
        let bad_char = format!("{}-{}", &s[..20], &s[21..]);
        assert_eq!(
            TokenHash::from_presented(&bad_char),
            Err(TokenFormatError::Alphabet)
        );
    }

    #[test]
    fn hint_is_the_last_four_characters() {
        let token = Token::generate();
        assert!(token.expose_secret().ends_with(&token.hint()));
        assert_eq!(token.hint().len(), 4);
    }

    proptest::proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC{0,80}") {
            let _ = TokenHash::from_presented(&s);
        }

        #[test]
        fn parser_accepts_only_strings_with_a_valid_checksum(body in "[0-9A-Za-z]{32}", sum in "[0-9A-Za-z]{6}") {
            let s = format!("{TOKEN_PREFIX}{body}{sum}");
            let expected = checksum_chars(crc32fast::hash(&s.as_bytes()[..TOKEN_LEN - CHECKSUM_LEN]));
            proptest::prop_assert_eq!(TokenHash::from_presented(&s).is_ok(), expected == sum);
        }
    }
}

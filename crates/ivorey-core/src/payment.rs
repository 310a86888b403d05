//! Payments: ISO 4217 currencies with their minor-unit exponent, and amounts as exact integer
//! minor units read from and written as JSON decimal text, never through float arithmetic.
//! (Orders and transactions are still to come: see the branch report.)

use std::fmt;

/// Active ISO 4217 codes with their minor-unit exponent (decimal places), sorted.
#[rustfmt::skip]
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("AFN", 2), ("ALL", 2), ("AMD", 2), ("ANG", 2), ("AOA", 2), ("ARS", 2),
    ("AUD", 2), ("AWG", 2), ("AZN", 2), ("BAM", 2), ("BBD", 2), ("BDT", 2), ("BGN", 2),
    ("BHD", 3), ("BIF", 0), ("BMD", 2), ("BND", 2), ("BOB", 2), ("BRL", 2), ("BSD", 2),
    ("BTN", 2), ("BWP", 2), ("BYN", 2), ("BZD", 2), ("CAD", 2), ("CDF", 2), ("CHF", 2),
    ("CLP", 0), ("CNY", 2), ("COP", 2), ("CRC", 2), ("CUP", 2), ("CVE", 2), ("CZK", 2),
    ("DJF", 0), ("DKK", 2), ("DOP", 2), ("DZD", 2), ("EGP", 2), ("ERN", 2), ("ETB", 2),
    ("EUR", 2), ("FJD", 2), ("FKP", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2), ("GIP", 2),
    ("GMD", 2), ("GNF", 0), ("GTQ", 2), ("GYD", 2), ("HKD", 2), ("HNL", 2), ("HTG", 2),
    ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("IRR", 2), ("ISK", 0),
    ("JMD", 2), ("JOD", 3), ("JPY", 0), ("KES", 2), ("KGS", 2), ("KHR", 2), ("KMF", 0),
    ("KPW", 2), ("KRW", 0), ("KWD", 3), ("KYD", 2), ("KZT", 2), ("LAK", 2), ("LBP", 2),
    ("LKR", 2), ("LRD", 2), ("LSL", 2), ("LYD", 3), ("MAD", 2), ("MDL", 2), ("MGA", 2),
    ("MKD", 2), ("MMK", 2), ("MNT", 2), ("MOP", 2), ("MRU", 2), ("MUR", 2), ("MVR", 2),
    ("MWK", 2), ("MXN", 2), ("MYR", 2), ("MZN", 2), ("NAD", 2), ("NGN", 2), ("NIO", 2),
    ("NOK", 2), ("NPR", 2), ("NZD", 2), ("OMR", 3), ("PAB", 2), ("PEN", 2), ("PGK", 2),
    ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2), ("RON", 2), ("RSD", 2),
    ("RUB", 2), ("RWF", 0), ("SAR", 2), ("SBD", 2), ("SCR", 2), ("SDG", 2), ("SEK", 2),
    ("SGD", 2), ("SHP", 2), ("SLE", 2), ("SOS", 2), ("SRD", 2), ("SSP", 2), ("STN", 2),
    ("SVC", 2), ("SYP", 2), ("SZL", 2), ("THB", 2), ("TJS", 2), ("TMT", 2), ("TND", 3),
    ("TOP", 2), ("TRY", 2), ("TTD", 2), ("TWD", 2), ("TZS", 2), ("UAH", 2), ("UGX", 0),
    ("USD", 2), ("UYI", 0), ("UYU", 2), ("UYW", 4), ("UZS", 2), ("VES", 2), ("VND", 0),
    ("VUV", 0), ("WST", 2), ("XAF", 0), ("XCD", 2), ("XOF", 0), ("XPF", 0), ("YER", 2),
    ("ZAR", 2), ("ZMW", 2), ("ZWG", 2),
];

/// The largest amount in minor units: below 2^53, so a JSON reader's float holds it exactly.
pub const AMOUNT_MAX_MINOR: i64 = 999_999_999_999_999;

/// An ISO 4217 currency.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// An active ISO 4217 code, upper case (`usd` is accepted and normalised).
    pub fn parse(code: &str) -> Option<Currency> {
        let upper = code.trim().to_ascii_uppercase();
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == upper)
            .map(|&(code, exponent)| Currency { code, exponent })
    }

    pub fn code(self) -> &'static str {
        self.code
    }

    /// Decimal places of the minor unit: JPY 0, USD 2, KWD 3.
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// Reads a JSON number's text (as the client wrote it) as exact minor units: no more
    /// decimals than the currency has, not negative, at most `AMOUNT_MAX_MINOR`.
    pub fn parse_amount(self, text: &str) -> Result<i64, String> {
        let text = text.trim();
        let unsigned = text.strip_prefix('-').unwrap_or(text);
        let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits_only(int) || !digits_only(frac) {
            return Err("must be a number written in decimal".into());
        }
        let places = usize::from(self.exponent);
        let kept = frac.trim_end_matches('0');
        if kept.len() > places {
            return Err(format!(
                "must have at most {places} decimal places in {}",
                self.code
            ));
        }
        let digits = format!("{int}{kept:0<places$}");
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return Ok(0);
        }
        if text.starts_with('-') {
            return Err("must not be negative".into());
        }
        match digits.parse::<i64>() {
            Ok(minor) if minor <= AMOUNT_MAX_MINOR => Ok(minor),
            _ => Err(format!(
                "must be at most {}",
                self.format_amount(AMOUNT_MAX_MINOR)
            )),
        }
    }

    /// Minor units as decimal text with exactly the currency's places: 1999 USD is `19.99`.
    pub fn format_amount(self, minor: i64) -> String {
        let places = u32::from(self.exponent);
        if places == 0 {
            return minor.to_string();
        }
        let scale = 10_i64.pow(places);
        let sign = if minor < 0 { "-" } else { "" };
        let abs = minor.unsigned_abs();
        let scale = scale.unsigned_abs();
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = places as usize
        )
    }

    /// Minor units as a JSON number: an integer when whole, else the decimal text parsed as a
    /// JSON number (so with serde_json's `arbitrary_precision` it stays the exact text; without
    /// it, the nearest float, whose shortest form prints back as the same decimal because
    /// amounts stay below 2^53 with at most 4 places).
    pub fn amount_json(self, minor: i64) -> serde_json::Value {
        let scale = 10_i64.pow(u32::from(self.exponent));
        if minor % scale == 0 {
            return serde_json::Value::from(minor / scale);
        }
        self.format_amount(minor)
            .parse::<serde_json::Number>()
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn codes_carry_their_exponent() {
        assert_eq!(cur("JPY").exponent(), 0);
        assert_eq!(cur("usd").exponent(), 2);
        assert_eq!(cur("KWD").exponent(), 3);
        assert_eq!(cur("usd").code(), "USD");
        for bad in ["", "US", "USDX", "XXX", "ABC", "12$"] {
            assert!(Currency::parse(bad).is_none(), "{bad}");
        }
        let mut codes: Vec<_> = CURRENCIES.iter().map(|c| c.0).collect();
        codes.dedup();
        assert_eq!(codes.len(), CURRENCIES.len(), "sorted and unique");
    }

    #[test]
    fn amounts_are_read_exactly_per_currency() {
        assert_eq!(cur("USD").parse_amount("19.99"), Ok(1999));
        assert_eq!(cur("USD").parse_amount("0.1"), Ok(10));
        assert_eq!(cur("USD").parse_amount("5.000"), Ok(500));
        assert_eq!(cur("KWD").parse_amount("1.005"), Ok(1005));
        assert_eq!(cur("JPY").parse_amount("1200"), Ok(1200));
        assert!(cur("JPY").parse_amount("1.5").is_err());
        assert!(cur("USD").parse_amount("0.125").is_err());
        assert!(cur("USD").parse_amount("-1").is_err());
        assert!(cur("USD").parse_amount("1e3").is_err());
        assert!(cur("USD").parse_amount("\"5\"").is_err());
        assert!(cur("USD").parse_amount("99999999999999999").is_err());
    }

    #[test]
    fn amounts_are_written_exactly() {
        assert_eq!(cur("USD").amount_json(1999).to_string(), "19.99");
        assert_eq!(cur("USD").amount_json(2000).to_string(), "20");
        assert_eq!(cur("KWD").amount_json(1005).to_string(), "1.005");
        assert_eq!(cur("JPY").amount_json(1200).to_string(), "1200");
        assert_eq!(cur("USD").format_amount(5), "0.05");
    }

    proptest! {
        #[test]
        fn every_amount_reads_back_from_its_json(m in 0..=AMOUNT_MAX_MINOR, i in 0..CURRENCIES.len()) {
            let c = cur(CURRENCIES[i].0);
            let text = c.amount_json(m).to_string();
            prop_assert_eq!(c.parse_amount(&text), Ok(m), "{}", text);
        }
    }
}

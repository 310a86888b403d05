//! Monetary values as exact integer minor units (cents). Clients send a JSON number; it is read
//! from its decimal text, never through a float, so `0.1` is exactly 10 cents and `0.125` is
//! refused instead of rounded.

use std::fmt;

/// The largest accepted value, in minor units: 9,999,999,999,999.99. Below 2^53, so every
/// value is also exact as the float a JSON client will read.
pub const MONETARY_MAX_MINOR: i64 = 999_999_999_999_999;

/// A non-negative amount in minor units (hundredths of the location's currency).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MonetaryValue(i64);

impl MonetaryValue {
    /// From minor units, within `0..=MONETARY_MAX_MINOR`.
    pub fn from_minor(minor: i64) -> Option<Self> {
        (0..=MONETARY_MAX_MINOR)
            .contains(&minor)
            .then_some(Self(minor))
    }

    pub fn minor(self) -> i64 {
        self.0
    }

    /// Reads the text of a JSON value (as the client wrote it) that must be a number with at
    /// most two decimals. The error completes "monetaryValue ...".
    pub fn parse_json(text: &str) -> Result<Self, &'static str> {
        let text = text.trim();
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, Some(e)),
            None => (unsigned, None),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits_only(int) || !digits_only(frac) {
            return Err(NOT_A_NUMBER);
        }
        let exponent: i64 = match exponent {
            None => 0,
            Some(e) => {
                let unsigned_exp = e.strip_prefix(['+', '-']).unwrap_or(e);
                if unsigned_exp.is_empty() || !digits_only(unsigned_exp) {
                    return Err(NOT_A_NUMBER);
                }
                // Anything this long is out of range (or zero) whatever the mantissa.
                if unsigned_exp.len() > 4 {
                    return Err(TOO_LARGE);
                }
                e.parse().map_err(|_| NOT_A_NUMBER)?
            }
        };
        // value = digits × 10^(exponent − frac.len()); cents = digits × 10^(shift).
        let digits = format!("{int}{frac}");
        let digits = digits.trim_start_matches('0');
        if digits.is_empty() {
            return Ok(Self(0));
        }
        if negative {
            return Err("must not be negative");
        }
        let frac_len = i64::try_from(frac.len()).map_err(|_| TOO_LARGE)?;
        let shift = exponent - frac_len + 2;
        let cents_text = if shift >= 0 {
            let zeros = usize::try_from(shift).map_err(|_| TOO_LARGE)?;
            if digits.len() + zeros > 15 {
                return Err(TOO_LARGE);
            }
            format!("{digits}{}", "0".repeat(zeros))
        } else {
            let cut = usize::try_from(-shift).map_err(|_| TOO_MANY_DECIMALS)?;
            let keep = digits.len().saturating_sub(cut);
            if digits[keep..].bytes().any(|b| b != b'0') {
                return Err(TOO_MANY_DECIMALS);
            }
            digits[..keep].to_owned()
        };
        if cents_text.len() > 15 {
            return Err(TOO_LARGE);
        }
        let minor: i64 = cents_text.parse().map_err(|_| TOO_LARGE)?;
        Self::from_minor(minor).ok_or(TOO_LARGE)
    }

    /// The value as a JSON number: an integer when whole, else the shortest decimal that reads
    /// back as this value (dividing an integer below 2^53 by 100 is correctly rounded, so the
    /// float printed is the one nearest the exact decimal).
    pub fn to_json(self) -> serde_json::Value {
        if self.0 % 100 == 0 {
            return serde_json::Value::from(self.0 / 100);
        }
        #[expect(
            clippy::cast_precision_loss,
            reason = "values stay below 2^53, where i64 to f64 is exact"
        )]
        let units = self.0 as f64 / 100.0;
        serde_json::Number::from_f64(units).map_or(serde_json::Value::Null, Into::into)
    }
}

const NOT_A_NUMBER: &str = "must be a number";
const TOO_MANY_DECIMALS: &str = "must have at most 2 decimal places";
const TOO_LARGE: &str = "must be at most 9999999999999.99";

impl fmt::Debug for MonetaryValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn minor(text: &str) -> Result<i64, &'static str> {
        MonetaryValue::parse_json(text).map(MonetaryValue::minor)
    }

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(minor("220"), Ok(22_000));
        assert_eq!(minor("0.1"), Ok(10));
        assert_eq!(minor("19.99"), Ok(1_999));
        assert_eq!(minor("19.990000"), Ok(1_999));
        assert_eq!(minor("-0"), Ok(0));
        assert_eq!(minor("0.00"), Ok(0));
        assert_eq!(minor("1.5e2"), Ok(15_000));
        assert_eq!(minor("12345E-2"), Ok(12_345));
        assert_eq!(minor("9999999999999.99"), Ok(MONETARY_MAX_MINOR));
    }

    #[test]
    fn everything_else_is_refused_with_a_reason() {
        assert_eq!(minor("0.125"), Err(TOO_MANY_DECIMALS));
        assert_eq!(minor("1e-3"), Err(TOO_MANY_DECIMALS));
        assert_eq!(minor("0.10000000000000001"), Err(TOO_MANY_DECIMALS));
        assert_eq!(minor("-5"), Err("must not be negative"));
        assert_eq!(minor("10000000000000"), Err(TOO_LARGE));
        assert_eq!(minor("1e99999"), Err(TOO_LARGE));
        for bad in [
            "\"12\"", "\"NaN\"", "NaN", "null", "true", "{}", "[1]", "", ".5", "1e",
        ] {
            assert_eq!(minor(bad), Err(NOT_A_NUMBER), "{bad}");
        }
    }

    #[test]
    fn whole_values_are_written_as_integers() {
        let v = |m| MonetaryValue::from_minor(m).unwrap().to_json().to_string();
        assert_eq!(v(22_000), "220");
        assert_eq!(v(1_999), "19.99");
        assert_eq!(v(10), "0.1");
        assert_eq!(v(1), "0.01");
    }

    proptest! {
        #[test]
        fn every_value_reads_back_from_its_json(m in 0..=MONETARY_MAX_MINOR) {
            let value = MonetaryValue::from_minor(m).unwrap();
            let text = value.to_json().to_string();
            prop_assert_eq!(MonetaryValue::parse_json(&text), Ok(value), "{}", text);
        }
    }
}

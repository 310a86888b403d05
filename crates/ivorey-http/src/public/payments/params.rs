//! The payments API's shared query handling: the location named by `altId` / `altType`,
//! `limit` / `offset` paging, optional id filters and the empty page.

use ivorey_core::LocationId;
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::public::Granted;
use crate::reply::{Reply, ok};

const LIMIT_DEFAULT: u32 = 10;
const LIMIT_MAX: u32 = 100;

/// The token's location, if `altId` (and `locationId`, when sent) name it and `altType`, when
/// sent, is `location`.
pub(crate) fn alt_location<'a>(
    granted: &'a Granted,
    alt_id: Option<&str>,
    alt_type: Option<&str>,
    location_id: Option<&str>,
) -> ApiResult<&'a LocationId> {
    match alt_type.map(str::trim) {
        None | Some("" | "location") => {}
        Some(_) => {
            return Err(ApiError::Unprocessable(vec![
                "altType must be one of the following values: location".into(),
            ]));
        }
    }
    if location_id.is_some_and(|l| !l.trim().is_empty()) {
        granted.check_location(location_id, "locationId")?;
    }
    granted.check_location(alt_id, "altId")
}

/// `limit` (default 10, at most 100) and `offset`.
pub(crate) fn paging(limit: Option<u32>, offset: Option<u64>) -> ApiResult<(u32, u64)> {
    match limit.unwrap_or(LIMIT_DEFAULT) {
        n if (1..=LIMIT_MAX).contains(&n) => Ok((n, offset.unwrap_or(0))),
        _ => Err(ApiError::Unprocessable(vec![format!(
            "limit must be between 1 and {LIMIT_MAX}"
        )])),
    }
}

/// An optional id filter: `Ok(None)` when absent, `Err(())` when malformed (matches nothing).
pub(crate) fn id_filter<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<T>, ()> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(raw) => parse(raw).map(Some).ok_or(()),
    }
}

pub(crate) fn empty_list() -> Reply<Value> {
    ok(json!({ "data": [], "totalCount": 0 }))
}

//! Where users reach this server, for links that leave it (a team member's sign-in link): the
//! operator's `--public-url` when set, else the scheme and `Host` of the request that asked.

use axum::http::HeaderMap;
use axum::http::header::HOST;

use crate::state::AppState;

/// `https://crm.example.com` (no trailing slash). A `Host` made of anything but host-name
/// characters is not trusted and gives `localhost`, so a forged header cannot smuggle markup
/// or a path into the link.
pub(crate) fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.config.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    let host = headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.len() <= 255)
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    format!("{scheme}://{host}")
}

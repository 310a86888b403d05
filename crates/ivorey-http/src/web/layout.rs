//! The HTML document around every page, the centred card of the sign-in, setup and error pages,
//! and small shared pieces: notices, copy buttons, the hidden CSRF field, icons.

use maud::{DOCTYPE, Markup, PreEscaped, html};

/// A whole HTML document. `title` is escaped like everything else maud interpolates.
pub(crate) fn document(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · Ivorey" }
                link rel="icon" type="image/svg+xml" href="/assets/icon.svg";
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body { (content) }
        }
    }
}

/// A centred card under the brand, for pages shown outside the settings (sign-in, setup,
/// errors before we know the location).
pub(crate) fn bare(title: &str, content: Markup) -> Markup {
    document(
        title,
        html! {
            main.bare {
                a.brand.brand-large href="/" { (logo()) span { "Ivorey" } }
                section.card.bare-card aria-labelledby="page-title" {
                    (content)
                }
            }
        },
    )
}

/// How a notice looks and is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Success,
    Info,
    Warning,
}

/// A message box; errors and warnings are announced at once (`role=alert`).
pub(crate) fn notice(tone: Tone, content: Markup) -> Markup {
    let (class, role) = match tone {
        Tone::Success => ("notice notice-success", "status"),
        Tone::Info => ("notice notice-info", "status"),
        Tone::Warning => ("notice notice-warning", "alert"),
    };
    html! { div class=(class) role=(role) { (content) } }
}

/// The [⧉] copy button: `app.js` copies `data-copy` to the clipboard. Hidden until the script shows
/// it, since without JavaScript it could do nothing (the value stays selectable beside it).
pub(crate) fn copy_button(value: &str, what: &str) -> Markup {
    html! {
        button.copy type="button" data-copy=(value) aria-label={ "Copy " (what) }
            title={ "Copy " (what) } hidden {
            (icon("copy"))
            span.copy-text { "Copy" }
        }
    }
}

/// The hidden field every form posts, checked against the session's CSRF token.
pub(crate) fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(token); }
}

/// The Ivorey mark.
pub(crate) fn logo() -> Markup {
    PreEscaped(
        r#"<svg class="logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false"><rect width="32" height="32" rx="8"/><path d="M11 9h10M16 9v14M11 23h10" /></svg>"#
            .to_owned(),
    )
}

/// A small line icon by name; decorative, hidden from assistive technology.
pub(crate) fn icon(name: &str) -> Markup {
    let path = match name {
        "business" => "M4 21V5l8-3 8 3v16M9 21v-5h6v5M8 8h2M14 8h2M8 12h2M14 12h2",
        "key" => {
            "M21 2l-2 2m-7.6 7.6a5.5 5.5 0 1 1-7.8 7.8 5.5 5.5 0 0 1 7.8-7.8zm0 0L15.5 7.5m0 0l3 3L22 7l-3-3m-3.5 3.5L19 4"
        }
        "copy" => {
            "M11 9h9a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2zM5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"
        }
        "plus" => "M12 5v14M5 12h14",
        "home" => "M3 11l9-7 9 7M5 10v10h5v-6h4v6h5V10",
        "users" => {
            "M16 20v-1a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v1M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 20v-1a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8"
        }
        "chat" => "M21 12a8 8 0 0 1-11.6 7.1L3 21l1.9-6.4A8 8 0 1 1 21 12z",
        "gear" => {
            "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z"
        }
        "search" => "M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16zM21 21l-4.3-4.3",
        "tag" => "M20.6 13.4l-7.2 7.2a2 2 0 0 1-2.8 0L2 12V2h10l8.6 8.6a2 2 0 0 1 0 2.8zM7 7h.01",
        "menu" => "M12 5h.01M12 12h.01M12 19h.01",
        "mail" => "M3 6h18v12H3zM3 7l9 6 9-6",
        "send" => "M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z",
        // Three columns of cards: a board.
        "board" => "M3 4h5v16H3zM10 4h5v10h-5zM17 4h4v7h-4z",
        "card" => "M2 6h20v12H2zM2 10h20M6 15h4",
        "form" => "M6 3h12v18H6zM9 8h6M9 12h6M9 16h3",
        "calendar" => "M4 5h16v16H4zM4 10h16M9 3v4M15 3v4",
        "arrow-up" => "M12 19V5M5 12l7-7 7 7",
        "arrow-down" => "M12 5v14M19 12l-7 7-7-7",
        "rotate" => "M4 12a8 8 0 0 1 14-5.3L20 9M20 4v5h-5M20 12a8 8 0 0 1-14 5.3L4 15M4 20v-5h5",
        _ => "",
    };
    PreEscaped(format!(
        r#"<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="{path}"/></svg>"#
    ))
}

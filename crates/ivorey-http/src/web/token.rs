//! The one page that ever shows a token: right after creating or rotating an integration. It is
//! the answer to that POST (never a GET, never in a URL, never stored beyond its hash), with the
//! Location ID beside it and a clear warning that it will not be shown again.

use ivorey_core::Token;
use ivorey_core::integration::Integration;
use maud::{Markup, html};

use super::format;
use super::layout::{Tone, copy_button, notice};
use super::shell::{Section, Shell};

/// What just happened, for the page's heading and the note about the old token.
#[derive(Debug)]
pub(crate) enum Issued {
    Created,
    /// Rotated; the old token works until this time (`None`: it stopped at once).
    Rotated(Option<ivorey_core::Timestamp>),
}

pub(crate) fn page(shell: &Shell, integration: &Integration, token: &Token, how: Issued) -> Markup {
    let detail = shell.url(&format!("/integrations/{}", integration.id));
    let (title, step) = match how {
        Issued::Created => ("Your Private Integration token", true),
        Issued::Rotated(_) => ("Your new token", false),
    };
    let content = html! {
        @if step { p.steps { "Step 3 of 3 · Token" } }
        div.page-head { h1 { (title) } }
        (notice(Tone::Warning, html! {
            p { strong { "Copy this token now. It will not be shown again." } }
            p { "For your security the full token is shown only once. If you lose it, rotate the \
                 integration to get a new one. Treat it like a password: never share it publicly \
                 or store it in unsecured documents." }
        }))
        @if let Issued::Rotated(old) = how {
            @match old {
                Some(at) => (notice(Tone::Info, html! {
                    "The old token keeps working until " strong { (shell.zone.date_time(at)) }
                    " (" (format::relative(at, shell_now(integration))) "). Update the connected tool before then."
                })),
                None => (notice(Tone::Info, html! {
                    "The old token has stopped working. The connected tool needs this new token to reconnect."
                })),
            }
        }
        section.card.token-card aria-labelledby="token-title" {
            h2 #token-title { (integration.name) }
            div.field {
                label for="token" { "Private Integration token (API key)" }
                div.copy-row {
                    input #token.secret type="text" readonly value=(token.expose_secret())
                        autocomplete="off" spellcheck="false";
                    (copy_button(token.expose_secret(), "token"))
                }
            }
            div.field {
                label for="location-id" { "Location ID" }
                div.copy-row {
                    input #location-id type="text" readonly value=(integration.location_id)
                        data-location-id=(integration.location_id);
                    (copy_button(integration.location_id.as_str(), "Location ID"))
                }
            }
            p.hint {
                "In the external tool, paste the token where it asks for an API Key, Token, Access \
                 Token or Authorization, and the Location ID where it asks for a Location, Account \
                 or Workspace ID."
            }
            div.actions { a.button.primary href=(detail) { "I have stored the token" } }
        }
    };
    shell.page(
        Section::Integrations,
        title,
        &[(
            integration.name.as_str(),
            shell.url(&format!("/integrations/{}", integration.id)),
        )],
        content,
    )
}

/// The time of the rotation: the integration's current token was issued just now.
fn shell_now(integration: &Integration) -> ivorey_core::Timestamp {
    integration.token_created_at
}

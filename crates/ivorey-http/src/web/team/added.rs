//! The one page that ever shows a member's sign-in link: the answer to [Add member] (never a
//! GET, never stored beyond its hash). It says how the new member gets in: the link to copy
//! and hand over, the invitation email that went out, or their existing password.

use ivorey_app::team::Added;
use ivorey_core::Timestamp;
use maud::{Markup, html};

use crate::web::format;
use crate::web::layout::{Tone, copy_button, notice};
use crate::web::shell::{Section, Shell};

pub(super) fn page(shell: &Shell, added: &Added, now: Timestamp) -> Markup {
    let member = &added.member;
    let role = if member.role == ivorey_core::user::Role::Admin {
        "an admin"
    } else {
        "a user"
    };
    let content = html! {
        div.page-head { h1 { (member.user.name) " was added" } }
        (notice(Tone::Success, html! {
            strong { (member.user.name) } " (" (member.user.email) ") is now " (role)
            " of " (shell.location_name) "."
        }))
        @if let Some(why) = &added.email_failed {
            (notice(Tone::Warning, html! {
                "The invitation email could not be sent: " (why) ". Hand over the link below \
                 instead, or check the SMTP server in Messaging."
            }))
        }
        @if let Some(url) = &added.sign_in_url {
            (notice(Tone::Warning, html! {
                p { strong { "Copy this sign-in link now. It will not be shown again." } }
                p { "Give it to " (member.user.name) " privately (not in a public channel): \
                     whoever opens it first chooses the password of this account." }
            }))
            section.card.token-card aria-labelledby="link-title" {
                h2 #link-title { "One-time sign-in link" }
                div.field {
                    label for="sign-in-link" { "Sign-in link for " (member.user.email) }
                    div.copy-row {
                        input #sign-in-link.secret type="text" readonly value=(url)
                            autocomplete="off" spellcheck="false" aria-describedby="link-hint";
                        (copy_button(url, "sign-in link"))
                    }
                    @if let Some(at) = added.expires_at {
                        p.hint #link-hint {
                            "It works once, until " (shell.zone.date_time(at)) " ("
                            (format::relative(at, now)) "). They choose a password there and are \
                             signed in."
                        }
                    }
                }
            }
        } @else if added.emailed {
            (notice(Tone::Info, html! {
                "An invitation email with their one-time sign-in link was sent to "
                strong { (member.user.email) } ". The link works once, for 7 days."
            }))
        } @else {
            (notice(Tone::Info, html! {
                (member.user.email) " already has an Ivorey account: they sign in with their own \
                 password and find " (shell.location_name) " in their list of businesses."
            }))
        }
        div.actions { a.button.primary href=(shell.url("/team")) { "Back to Team" } }
    };
    shell.page(Section::Team, "Member added", &[], content)
}

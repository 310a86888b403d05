//! "Who is it with?": the first step of making a record that belongs to a contact (an
//! opportunity, a booking). Without JavaScript it is a GET search form listing up to
//! `MATCHES_SHOWN` contacts whose words start with the search's, each a link that carries the
//! chosen contact on to the next step.

use ivorey_core::contact::Contact;
use ivorey_core::contact_search::{ContactSearch, SortField};
use ivorey_core::contact_terms::{QUERY_WORDS_MAX, query_words};
use maud::{Markup, html};

use super::error::WebResult;
use super::layout::icon;
use super::shell::Shell;
use crate::state::AppState;

const MATCHES_SHOWN: u32 = 10;
const QUERY_MAX_CHARS: usize = 200;

/// The contacts matching `find`; `None` before a (usable) search.
pub(crate) async fn find(
    state: &AppState,
    shell: &Shell,
    find: &str,
) -> WebResult<Option<Vec<Contact>>> {
    let find = find.trim();
    let usable = !find.is_empty()
        && find.chars().count() <= QUERY_MAX_CHARS
        && !find.chars().any(char::is_control)
        && query_words(find).len() <= QUERY_WORDS_MAX;
    if !usable {
        return Ok(None);
    }
    let search = ContactSearch {
        filters: Vec::new(),
        query: Some(find.to_lowercase()),
        sort: SortField::DateAdded,
        descending: true,
        after: None,
        offset: 0,
        limit: MATCHES_SHOWN,
    };
    let found = state
        .store
        .search_contacts(&shell.location, &search)
        .await?;
    Ok(Some(found.contacts))
}

/// The search card: `action` is the page itself, `keep` the query pairs it carries along
/// (besides `find` and, in each result's link, `contact`).
pub(crate) fn card(
    shell: &Shell,
    action: &str,
    keep: &[(&str, &str)],
    find: &str,
    matches: Option<&[Contact]>,
) -> Markup {
    let choose = |c: &Contact| {
        let mut pairs: Vec<(&str, &str)> = keep.to_vec();
        pairs.push(("contact", c.id.as_str()));
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{action}?{query}")
    };
    html! {
        section.card aria-labelledby="who-title" {
            h2 #who-title { "Who is it with?" }
            p.hint { "Find the contact by name, email or phone." }
            form.search-bar method="get" action=(action) role="search" {
                @for (name, value) in keep { input type="hidden" name=(name) value=(value); }
                div.field.search-field {
                    label for="f-find" { "Contact" }
                    input #f-find type="search" name="find" value=(find) maxlength="200" autofocus;
                }
                div.search-actions { button.primary type="submit" { (icon("search")) "Find" } }
            }
            @match matches {
                None => {}
                Some([]) => {
                    p { "No contact matches. " a href=(shell.at("/contacts/new")) { "Add the contact" } " first, then come back." }
                }
                Some(found) => {
                    ul.plain-list.contact-matches {
                        @for c in found {
                            li {
                                a href=(choose(c)) { strong { (c.fields.display_name()) } }
                                @if let Some(email) = c.fields.email.as_deref() { span.muted { " · " (email) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

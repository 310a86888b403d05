//! The contacts list: free-text search and a tag filter on the same engine as
//! `POST /contacts/search` (word-prefix postings, fast at a million contacts), a sort, keyset
//! pages ("Next page" carries the last row's sort value and id), and boxes for bulk tagging.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ivorey_core::ContactId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::{ContactSearch, Filter, SortField, SortValue};
use ivorey_core::contact_terms::{QUERY_WORDS_MAX, query_words};
use ivorey_core::{Timestamp, contact_search::TOTAL_CAP};
use maud::{Markup, html};
use serde::Deserialize;

use super::path;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::frame::Area;
use crate::web::layout::{Tone, icon, notice};
use crate::web::shell::Shell;

const PAGE_SIZE: u32 = 25;
const QUERY_MAX_CHARS: usize = 200;

/// The list's query string; every field optional, unknown values fall back to the defaults.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    sort: String,
    /// The previous page's last sort value (milliseconds or lowercased name) and id.
    #[serde(default)]
    after: String,
    #[serde(default)]
    after_id: String,
    /// A confirmation after a bulk change or a delete.
    #[serde(default)]
    done: String,
}

/// The sorts offered, as (query value, label, field, descending).
const SORTS: [(&str, &str, SortField, bool); 4] = [
    ("newest", "Newest first", SortField::DateAdded, true),
    ("oldest", "Oldest first", SortField::DateAdded, false),
    ("first", "First name A–Z", SortField::FirstName, false),
    ("last", "Last name A–Z", SortField::LastName, false),
];

impl ListParams {
    pub(crate) fn sort(&self) -> (&'static str, SortField, bool) {
        let found = SORTS.iter().find(|s| s.0 == self.sort).unwrap_or(&SORTS[0]);
        (found.0, found.2, found.3)
    }

    pub(crate) fn query(&self) -> Option<&str> {
        Some(self.q.trim()).filter(|q| !q.is_empty())
    }

    pub(crate) fn tag(&self) -> Option<String> {
        Some(self.tag.trim().to_lowercase()).filter(|t| !t.is_empty())
    }

    /// What is wrong with the search box, if anything (the page shows it and lists nothing).
    pub(crate) fn problem(&self) -> Option<String> {
        let q = self.query()?;
        if q.chars().count() > QUERY_MAX_CHARS {
            return Some(format!(
                "The search can be at most {QUERY_MAX_CHARS} characters."
            ));
        }
        if q.chars().any(char::is_control) {
            return Some("The search cannot contain control characters.".into());
        }
        if query_words(q).len() > QUERY_WORDS_MAX {
            return Some(format!(
                "The search can have at most {QUERY_WORDS_MAX} words."
            ));
        }
        None
    }

    /// The search the list runs (and the export streams): the tag, the words, the order, a
    /// page of `limit` from `after`.
    pub(crate) fn search(
        &self,
        after: Option<(SortValue, ContactId)>,
        limit: u32,
    ) -> ContactSearch {
        let (_, sort, descending) = self.sort();
        ContactSearch {
            filters: self
                .tag()
                .map(|t| vec![Filter::HasTags(vec![t])])
                .unwrap_or_default(),
            query: self.query().map(str::to_lowercase),
            sort,
            descending,
            after,
            offset: 0,
            limit,
        }
    }

    fn after(&self, sort: SortField) -> Option<(SortValue, ContactId)> {
        let id = ContactId::parse(&self.after_id).ok()?;
        let value = match sort {
            SortField::DateAdded => SortValue::At(Timestamp(self.after.parse().ok()?)),
            SortField::FirstName | SortField::LastName => SortValue::Text(self.after.clone()),
        };
        Some((value, id))
    }

    /// The same list (search, tag, sort) with extra query pairs.
    fn link(&self, shell: &Shell, extra: &[(&str, &str)]) -> String {
        let (sort, _, _) = self.sort();
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        if let Some(q) = self.query() {
            pairs.push(("q", q));
        }
        if !self.tag.trim().is_empty() {
            pairs.push(("tag", self.tag.trim()));
        }
        if sort != SORTS[0].0 {
            pairs.push(("sort", sort));
        }
        pairs.extend_from_slice(extra);
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        if query.is_empty() {
            shell.at("/contacts")
        } else {
            format!("{}?{query}", shell.at("/contacts"))
        }
    }
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<ListParams>,
    Viewer(user): Viewer,
) -> WebResult<Response> {
    let shell = Shell::load(&state, user, &location).await?;
    if let Some(problem) = params.problem() {
        let page = page(&shell, &params, None, Some(&problem));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (_, sort, _) = params.sort();
    let search = params.search(params.after(sort), PAGE_SIZE);
    let found = state
        .store
        .search_contacts(&shell.location, &search)
        .await?;
    let page = page(&shell, &params, Some((&found.contacts, found.total)), None);
    Ok(page.into_response())
}

fn page(
    shell: &Shell,
    params: &ListParams,
    found: Option<(&[Contact], u64)>,
    problem: Option<&str>,
) -> Markup {
    let (sort, sort_field, _) = params.sort();
    let filtered = params.query().is_some() || params.tag().is_some();
    let content = html! {
        div.page-head {
            h1 { "Contacts" }
            div.head-actions {
                a.button href=(shell.at("/contacts/import")) { "Import" }
                a.button href=(export_link(shell, params)) { "Export CSV" }
                a.button.primary href=(shell.at("/contacts/new")) { (icon("plus")) "Add contact" }
            }
        }
        @match params.done.as_str() {
            "deleted" => (notice(Tone::Success, html! { "The contact was deleted." })),
            "tagged" => (notice(Tone::Success, html! { "The tag was added to the selected contacts." })),
            "untagged" => (notice(Tone::Success, html! { "The tag was removed from the selected contacts." })),
            _ => {}
        }
        form.card.search-bar method="get" action=(shell.at("/contacts")) role="search" {
            div.field.search-field {
                label for="f-q" { "Search" }
                input #f-q type="search" name="q" value=(params.q) maxlength="200"
                    placeholder="Name, email, phone or company" autocomplete="off"
                    aria-invalid=[problem.map(|_| "true")]
                    aria-describedby=[problem.map(|_| "f-q-error")];
                @if let Some(problem) = problem { p.error #f-q-error { (problem) } }
            }
            div.field {
                label for="f-tag" { "Tag" }
                input #f-tag type="text" name="tag" value=(params.tag) maxlength="100"
                    placeholder="Any tag" autocomplete="off";
            }
            div.field {
                label for="f-sort" { "Sort" }
                select #f-sort name="sort" {
                    @for (value, label, _, _) in SORTS {
                        option value=(value) selected[value == sort] { (label) }
                    }
                }
            }
            div.search-actions {
                button.primary type="submit" { (icon("search")) "Search" }
                @if filtered { a.button href=(shell.at("/contacts")) { "Clear" } }
            }
        }
        @if let Some((contacts, total)) = found {
            @if contacts.is_empty() {
                (empty(shell, filtered))
            } @else {
                (table(shell, params, contacts, total, sort_field))
            }
        }
    };
    shell.app_page(Area::Contacts, "Contacts", content)
}

fn empty(shell: &Shell, filtered: bool) -> Markup {
    html! {
        section.card.empty {
            div.empty-icon aria-hidden="true" { (icon("users")) }
            @if filtered {
                h2 { "No contacts match" }
                p { "Try fewer words, another tag, or clear the search to see every contact." }
                a.button href=(shell.at("/contacts")) { "Clear the search" }
            } @else {
                h2 { "No contacts yet" }
                p {
                    "Add your first contact here, or connect a tool through a Private \
                     Integration: every contact it creates appears in this list."
                }
                a.button.primary href=(shell.at("/contacts/new")) { (icon("plus")) "Add contact" }
            }
        }
    }
}

fn table(
    shell: &Shell,
    params: &ListParams,
    contacts: &[Contact],
    total: u64,
    sort: SortField,
) -> Markup {
    let shown = if total >= TOTAL_CAP {
        format!("{}+ contacts", format::number(TOTAL_CAP))
    } else if total == 1 {
        "1 contact".to_owned()
    } else {
        format!("{} contacts", format::number(total))
    };
    let next = (contacts.len() == PAGE_SIZE as usize)
        .then(|| contacts.last())
        .flatten()
        .map(|last| {
            let value = match sort {
                SortField::DateAdded => last.date_added.millis().to_string(),
                SortField::FirstName => last.first_name_lower(),
                SortField::LastName => last.last_name_lower(),
            };
            params.link(shell, &[("after", &value), ("after_id", last.id.as_str())])
        });
    html! {
        form method="post" action=(shell.at("/contacts/bulk-tags")) {
            (shell.csrf())
            div.card.bulk-bar {
                p.count { strong { (shown) } }
                fieldset.bulk {
                    legend.visually-hidden { "Tag the selected contacts" }
                    label for="f-bulk-tag" { "Tag for the selected" }
                    input #f-bulk-tag type="text" name="tag" maxlength="100" required;
                    button type="submit" name="action" value="add" { (icon("tag")) "Add tag" }
                    button type="submit" name="action" value="remove" { "Remove tag" }
                }
            }
            div.card.table-card {
                table.list {
                    caption.visually-hidden { "Contacts of " (shell.location_name) }
                    thead {
                        tr {
                            th scope="col" { span.visually-hidden { "Select" } }
                            th scope="col" { "Name" }
                            th scope="col" { "Email" }
                            th scope="col" { "Phone" }
                            th scope="col" { "Tags" }
                            th scope="col" { "Source" }
                            th scope="col" { "Added" }
                        }
                    }
                    tbody {
                        @for c in contacts {
                            @let name = c.fields.display_name();
                            tr {
                                td data-label="Select" {
                                    input type="checkbox" name="contact" value=(c.id)
                                        id={ "pick-" (c.id) } aria-label={ "Select " (name) };
                                }
                                td data-label="Name" {
                                    a.row-link href=(path(shell, &c.id, "")) { (name) }
                                    @if let Some(company) = &c.fields.company_name {
                                        p.clamp.muted { (company) }
                                    }
                                }
                                td data-label="Email" { (c.fields.email.as_deref().unwrap_or("—")) }
                                td data-label="Phone" { (c.fields.phone.as_deref().unwrap_or("—")) }
                                td data-label="Tags" {
                                    span.badges {
                                        @for tag in &c.fields.tags {
                                            a.badge href=(params_tag_link(shell, tag)) { (tag) }
                                        }
                                    }
                                }
                                td data-label="Source" { (c.fields.source.as_deref().unwrap_or("—")) }
                                td data-label="Added" title=(shell.zone.date_time(c.date_added)) {
                                    (shell.zone.day_month_year(c.date_added))
                                }
                            }
                        }
                    }
                }
            }
        }
        nav.pager aria-label="Pages" {
            @if !params.after_id.is_empty() {
                a.button href=(params.link(shell, &[])) { "First page" }
            }
            @if let Some(next) = next {
                a.button href=(next) rel="next" { "Next page" }
            }
        }
    }
}

/// The list filtered by one tag.
fn params_tag_link(shell: &Shell, tag: &str) -> String {
    let query = serde_urlencoded::to_string([("tag", tag)]).unwrap_or_default();
    format!("{}?{query}", shell.at("/contacts"))
}

/// The export link of the list as it is searched now.
fn export_link(shell: &Shell, params: &ListParams) -> String {
    let (sort, _, _) = params.sort();
    let mut pairs: Vec<(&str, &str)> = vec![("sort", sort)];
    if let Some(q) = params.query() {
        pairs.push(("q", q));
    }
    let tag = params.tag();
    if let Some(tag) = &tag {
        pairs.push(("tag", tag));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{}?{query}", shell.at("/contacts/export.csv"))
}

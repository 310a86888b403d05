//! `GET /l/{location}/contacts/export.csv?q=&tag=&sort=`: every contact the list's search
//! matches, as CSV (standard fields, tags, custom fields by name, dates), streamed page by page
//! of the same keyset search (`search_contacts` with `after`): memory stays flat however many
//! contacts there are. A cell starting with `= + - @` (or a tab or carriage return) gets a
//! leading `'`, so a spreadsheet shows it as text rather than running it as a formula; the
//! import takes that `'` off again.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use ivorey_core::LocationId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::{ContactSearch, SortField, SortValue};
use ivorey_core::custom_field::CustomField;
use ivorey_store::Store;

use super::list::ListParams;
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::{WebError, WebResult};
use crate::web::shell::Shell;

/// Contacts read and written per step of the stream.
const PAGE: u32 = 500;

/// The standard columns, as (header, value of a contact).
type Column = (&'static str, fn(&Contact) -> String);

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

const COLUMNS: &[Column] = &[
    ("First name", |c| text(&c.fields.first_name)),
    ("Last name", |c| text(&c.fields.last_name)),
    ("Email", |c| text(&c.fields.email)),
    ("Phone", |c| text(&c.fields.phone)),
    ("Company", |c| text(&c.fields.company_name)),
    ("Website", |c| text(&c.fields.website)),
    ("Street address", |c| text(&c.fields.address1)),
    ("City", |c| text(&c.fields.city)),
    ("State or region", |c| text(&c.fields.state)),
    ("Postal code", |c| text(&c.fields.postal_code)),
    ("Country", |c| text(&c.fields.country)),
    ("Time zone", |c| text(&c.fields.timezone)),
    ("Source", |c| text(&c.fields.source)),
    ("Gender", |c| text(&c.fields.gender)),
    ("Date of birth", |c| text(&c.fields.date_of_birth)),
    ("Do not disturb", |c| {
        (if c.fields.dnd { "yes" } else { "no" }).to_owned()
    }),
    ("Tags", |c| c.fields.tags.join(", ")),
];

/// A cell as written: with a leading `'` when a spreadsheet would read it as a formula.
pub(crate) fn guard(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

pub(crate) async fn export(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<ListParams>,
    Viewer(user): Viewer,
) -> WebResult<Response> {
    let shell = Shell::load(&state, user, &location).await?;
    if let Some(problem) = params.problem() {
        return Err(WebError::plain(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Search not accepted",
            &problem,
        ));
    }
    let custom = state
        .store
        .list_custom_fields(&shell.location, Some("contact"))
        .await?;
    let search = params.search(None, PAGE);
    let pages = Pages {
        store: state.store.clone(),
        location: shell.location.clone(),
        search,
        custom: Arc::new(custom),
        first: true,
        done: false,
    };
    let stream = futures_util::stream::unfold(pages, |mut pages| async move {
        if pages.done {
            return None;
        }
        let chunk = pages.next().await;
        if chunk.is_err() {
            pages.done = true;
        }
        Some((chunk, pages))
    });
    let disposition = "attachment; filename=\"contacts.csv\"";
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Where the stream is: the search with its cursor, and whether the header was written.
struct Pages {
    store: Arc<dyn Store>,
    location: LocationId,
    search: ContactSearch,
    custom: Arc<Vec<CustomField>>,
    first: bool,
    done: bool,
}

impl Pages {
    /// The next page as CSV bytes (the first with the header line).
    async fn next(&mut self) -> Result<Bytes, std::io::Error> {
        let found = self
            .store
            .search_contacts(&self.location, &self.search)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "a contacts export stopped");
                std::io::Error::other("the export could not read its next page")
            })?;
        let mut out = csv::Writer::from_writer(Vec::with_capacity(64 * 1024));
        if std::mem::take(&mut self.first) {
            let mut header: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
            header.extend(self.custom.iter().map(|f| f.name.as_str()));
            header.extend(["Date added", "Date updated"]);
            out.write_record(&header).map_err(std::io::Error::other)?;
        }
        for c in &found.contacts {
            let mut record: Vec<String> = COLUMNS.iter().map(|col| guard(&(col.1)(c))).collect();
            for f in self.custom.iter() {
                let value = c
                    .fields
                    .custom_fields
                    .iter()
                    .find(|v| v.id == f.id.as_str());
                let value = value.map_or_else(String::new, |v| {
                    v.value
                        .as_str()
                        .map_or_else(|| v.value.to_string(), str::to_owned)
                });
                record.push(guard(&value));
            }
            record.push(c.date_added.to_rfc3339());
            record.push(c.date_updated.to_rfc3339());
            out.write_record(&record).map_err(std::io::Error::other)?;
        }
        match found.contacts.last() {
            Some(last) if found.contacts.len() == PAGE as usize => {
                self.search.after = Some((cursor(self.search.sort, last), last.id.clone()));
            }
            _ => self.done = true,
        }
        let bytes = out
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        Ok(Bytes::from(bytes))
    }
}

/// The keyset cursor after `last` in `sort` order (as the list's "Next page").
fn cursor(sort: SortField, last: &Contact) -> SortValue {
    match sort {
        SortField::DateAdded => SortValue::At(last.date_added),
        SortField::FirstName => SortValue::Text(last.first_name_lower()),
        SortField::LastName => SortValue::Text(last.last_name_lower()),
    }
}

//! A new opportunity: first its contact (searched by name, email or phone, or given by the
//! contact's page), then its name, stage, value and assignee. Without JavaScript the contact
//! search is a GET form that lists matches to choose from.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::opportunities;
use ivorey_core::ContactId;
use ivorey_core::contact::Contact;
use ivorey_core::contact_search::{ContactSearch, SortField};
use ivorey_core::contact_terms::{QUERY_WORDS_MAX, query_words};
use ivorey_core::opportunity::{OpportunityInput, OpportunityStatus, Pipeline};
use maud::{Markup, html};
use serde::Deserialize;

use super::edit::{LABELS, fields, input_of};
use super::{chosen, team};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Problems};
use crate::web::frame::Area;
use crate::web::layout::icon;
use crate::web::shell::Shell;

const MATCHES_SHOWN: u32 = 10;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewParams {
    #[serde(default)]
    pipeline: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    contact: String,
    /// The contact search's words.
    #[serde(default)]
    find: String,
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<NewParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let pipelines = state.store.list_pipelines(&shell.location).await?;
    let Some(pipeline) = chosen(&pipelines, &params.pipeline) else {
        return Ok(super::board::no_pipeline_page(&shell));
    };
    let contact = match ContactId::parse(&params.contact) {
        Ok(id) => state.store.get_contact(&shell.location, &id).await?,
        Err(_) => None,
    };
    let Some(contact) = contact else {
        let matches = find_contacts(&state, &shell, &params.find).await?;
        let content = contact_picker(&shell, pipeline, &params, matches.as_deref());
        return Ok(shell.app_page(Area::Opportunities, "New opportunity", content));
    };
    let stage = match pipeline
        .stages
        .iter()
        .find(|s| s.id.as_str() == params.stage)
    {
        Some(s) => s.id.as_str(),
        None => pipeline.first_stage().map_or("", |s| s.id.as_str()),
    };
    let values = FormData(vec![
        ("name".into(), contact.fields.display_name()),
        ("stage".into(), format!("{}:{stage}", pipeline.id)),
    ]);
    form_page(
        &state,
        &shell,
        &pipelines,
        &contact,
        &values,
        &Problems::none(),
    )
    .await
}

/// Up to `MATCHES_SHOWN` contacts whose words start with the search's; `None` before a search.
async fn find_contacts(
    state: &AppState,
    shell: &Shell,
    find: &str,
) -> WebResult<Option<Vec<Contact>>> {
    let find = find.trim();
    let usable = !find.is_empty()
        && find.chars().count() <= 200
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

fn contact_picker(
    shell: &Shell,
    pipeline: &Pipeline,
    params: &NewParams,
    matches: Option<&[Contact]>,
) -> Markup {
    let choose = |c: &Contact| {
        let pairs = [
            ("pipeline", pipeline.id.as_str()),
            ("stage", params.stage.as_str()),
            ("contact", c.id.as_str()),
        ];
        let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
        shell.at(&format!("/opportunities/new?{query}"))
    };
    html! {
        div.page-head { h1 { "New opportunity" } }
        section.card aria-labelledby="who-title" {
            h2 #who-title { "Who is it with?" }
            p.hint { "Every opportunity belongs to a contact. Find them by name, email or phone." }
            form.search-bar method="get" action=(shell.at("/opportunities/new")) role="search" {
                input type="hidden" name="pipeline" value=(pipeline.id);
                input type="hidden" name="stage" value=(params.stage);
                div.field.search-field {
                    label for="f-find" { "Contact" }
                    input #f-find type="search" name="find" value=(params.find) maxlength="200" autofocus;
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

async fn form_page(
    state: &AppState,
    shell: &Shell,
    pipelines: &[Pipeline],
    contact: &Contact,
    values: &FormData,
    problems: &Problems,
) -> WebResult<Markup> {
    let team = team(state, shell).await?;
    let content = html! {
        div.page-head { h1 { "New opportunity" } }
        (problems.summary())
        form.card method="post" action=(shell.at("/opportunities/new")) {
            (shell.csrf())
            input type="hidden" name="contact" value=(contact.id);
            p { "With " a href=(shell.at(&format!("/contacts/{}", contact.id))) { strong { (contact.fields.display_name()) } } }
            (fields(pipelines, &team, values, problems))
            div.actions.left { button.primary type="submit" { "Create opportunity" } }
        }
    };
    Ok(shell.app_page(Area::Opportunities, "New opportunity", content))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let form = &posted.form;
    let mut input: OpportunityInput = input_of(form);
    input.contact_id = Some(form.get("contact").to_owned());
    input.status = Some(OpportunityStatus::Open.as_str().to_owned());
    let store = state.store.as_ref();
    let result = match input.validate(&["pipelineId", "contactId", "name", "status"]) {
        Ok(change) => {
            let now = state.clock.now();
            opportunities::create(store, now, &shell.location, change, &shell.changer()).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(created) => {
            let to = shell.at(&format!("/opportunities/{}?done=created", created.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let pipelines = store.list_pipelines(&shell.location).await?;
            let contact = match ContactId::parse(form.get("contact")) {
                Ok(id) => store.get_contact(&shell.location, &id).await?,
                Err(_) => None,
            };
            let Some(contact) = contact else {
                return Err(super::super::contacts::missing());
            };
            let page = form_page(&state, &shell, &pipelines, &contact, form, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

//! A new opportunity: first its contact (`contact_picker`, or given by the contact's page),
//! then its name, stage, value and assignee.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::opportunities;
use ivorey_core::ContactId;
use ivorey_core::contact::Contact;
use ivorey_core::opportunity::{OpportunityInput, OpportunityStatus, Pipeline};
use maud::{Markup, html};
use serde::Deserialize;

use super::edit::{LABELS, fields, input_of};
use super::{chosen, team};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::contact_picker;
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Problems};
use crate::web::frame::Area;
use crate::web::shell::Shell;

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
        let matches = contact_picker::find(&state, &shell, &params.find).await?;
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

fn contact_picker(
    shell: &Shell,
    pipeline: &Pipeline,
    params: &NewParams,
    matches: Option<&[Contact]>,
) -> Markup {
    let keep = [
        ("pipeline", pipeline.id.as_str()),
        ("stage", params.stage.as_str()),
    ];
    let action = shell.at("/opportunities/new");
    html! {
        div.page-head { h1 { "New opportunity" } }
        p.lede { "Every opportunity belongs to a contact." }
        (contact_picker::card(shell, &action, &keep, &params.find, matches))
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

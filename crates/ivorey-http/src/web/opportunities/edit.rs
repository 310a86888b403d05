//! An opportunity's page: what it is (contact, stage, value, status, who made and changed
//! it), the form to edit it, the status buttons (won, lost with its reason, abandoned,
//! reopen), and deleting it after a confirmation page.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::opportunities;
use ivorey_core::opportunity::{Opportunity, OpportunityInput, OpportunityStatus, Pipeline};
use ivorey_core::user::User;
use maud::{Markup, html};
use serde::Deserialize;

use super::{load, money, status_badge, status_label, team, user_name};
use crate::state::AppState;
use crate::web::attribution::Names;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Input, Problems};
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

/// The service's field names as the form labels them.
pub(crate) const LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("contactId", "Contact"),
    ("pipelineId", "Stage"),
    ("pipelineStageId", "Stage"),
    ("monetaryValue", "Value"),
    ("assignedTo", "Assigned to"),
    ("source", "Source"),
    ("lostReasonId", "Lost reason"),
];

/// The edit and new forms' values as the service reads them. The stage select sends
/// `pipelineId:stageId`; the value may be typed with thousands separators.
pub(crate) fn input_of(form: &FormData) -> OpportunityInput {
    let (pipeline, stage) = form.get("stage").split_once(':').unwrap_or(("", ""));
    let optional =
        |name: &str| Some(Some(form.get(name).trim().to_owned()).filter(|v| !v.is_empty()));
    let value: String = form
        .get("monetaryValue")
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_'))
        .collect();
    OpportunityInput {
        pipeline_id: Some(pipeline.to_owned()),
        pipeline_stage_id: Some(stage.to_owned()),
        name: Some(form.get("name").to_owned()),
        monetary_value: Some(Some(value).filter(|v| !v.is_empty())),
        assigned_to: optional("assignedTo"),
        source: optional("source"),
        ..OpportunityInput::default()
    }
}

fn values_of(o: &Opportunity) -> FormData {
    FormData(vec![
        ("name".into(), o.name.clone()),
        ("stage".into(), format!("{}:{}", o.pipeline_id, o.stage_id)),
        (
            "monetaryValue".into(),
            money(o.monetary_value.minor()).replace(',', ""),
        ),
        (
            "assignedTo".into(),
            o.assigned_to.clone().unwrap_or_default(),
        ),
        ("source".into(), o.source.clone().unwrap_or_default()),
    ])
}

/// The fields of the new and edit forms.
pub(crate) fn fields(
    pipelines: &[Pipeline],
    team: &[User],
    values: &FormData,
    problems: &Problems,
) -> Markup {
    let stage_error = problems
        .field("pipelineStageId")
        .or(problems.field("pipelineId"));
    html! {
        (Input { label: "Name", name: "name", value: values.get("name"), required: true,
            max_chars: Some(200), ..Default::default() }.render(problems))
        div.grid {
            div.field.field-invalid[stage_error.is_some()] {
                label for="f-pipelineStageId" { "Stage" }
                select #f-pipelineStageId name="stage" aria-invalid=[stage_error.map(|_| "true")] {
                    @for p in pipelines {
                        optgroup label=(p.name) {
                            @for s in &p.stages {
                                @let value = format!("{}:{}", p.id, s.id);
                                option value=(value) selected[values.get("stage") == value] { (s.name) }
                            }
                        }
                    }
                }
                @if let Some(e) = stage_error { p.error { (e) } }
            }
            (Input { label: "Value", name: "monetaryValue", value: values.get("monetaryValue"),
                hint: Some("For example 1250 or 1,250.50"), max_chars: Some(20),
                ..Default::default() }.render(problems))
            div.field {
                label for="f-assignedTo" { "Assigned to" span.optional { " (optional)" } }
                select #f-assignedTo name="assignedTo" {
                    option value="" { "Nobody" }
                    @for u in team {
                        option value=(u.id) selected[values.get("assignedTo") == u.id.as_str()] {
                            (user_name(team, u.id.as_str()).unwrap_or_default())
                        }
                    }
                }
            }
            (Input { label: "Source", name: "source", value: values.get("source"),
                max_chars: Some(200), placeholder: Some("For example Website or Referral"),
                ..Default::default() }.render(problems))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let o = load(&state, &shell, &id).await?;
    let done = match done.done.as_str() {
        "created" => Some("The opportunity was created."),
        "saved" => Some("The changes were saved."),
        "status" => Some("The status was changed."),
        _ => None,
    };
    page(&state, &shell, &o, done, &values_of(&o), &Problems::none()).await
}

async fn page(
    state: &AppState,
    shell: &Shell,
    o: &Opportunity,
    done: Option<&str>,
    values: &FormData,
    problems: &Problems,
) -> WebResult<Markup> {
    let store = state.store.as_ref();
    let pipelines = store.list_pipelines(&shell.location).await?;
    let team = team(state, shell).await?;
    let contact = store.get_contact(&shell.location, &o.contact_id).await?;
    let who: Vec<_> = [&o.created_by, &o.updated_by]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let names = Names::of(state, shell, &who).await?;
    let pipeline = pipelines.iter().find(|p| p.id == o.pipeline_id);
    let stage = pipeline
        .and_then(|p| p.stage(&o.stage_id))
        .map_or("", |s| s.name.as_str());
    let board = shell.at(&format!("/opportunities?pipeline={}", o.pipeline_id));
    let now = state.clock.now();
    let action = shell.at(&format!("/opportunities/{}", o.id));
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(board) { (pipeline.map_or("Opportunities", |p| p.name.as_str())) } }
                li { a href=(action) { (o.name) } }
            }
        }
        div.page-head {
            h1 { (o.name) " " (status_badge(o.status)) }
        }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        (problems.summary())
        div.columns {
            section.card aria-labelledby="facts-title" {
                h2 #facts-title { "Summary" }
                dl.facts {
                    dt { "Contact" }
                    dd {
                        @match &contact {
                            Some(c) => a href=(shell.at(&format!("/contacts/{}", c.id))) { (c.fields.display_name()) },
                            None => "A deleted contact",
                        }
                    }
                    dt { "Stage" } dd { (stage) }
                    dt { "Value" } dd { (money(o.monetary_value.minor())) }
                    dt { "Status" } dd { (status_label(o.status)) }
                    @if let Some(reason) = &o.lost_reason_id { dt { "Lost reason" } dd { (reason) } }
                    dt { "Assigned to" } dd { (o.assigned_to.as_deref().and_then(|id| user_name(&team, id)).unwrap_or("Nobody")) }
                    @if let Some(source) = &o.source { dt { "Source" } dd { (source) } }
                }
                p.muted.attribution {
                    "Created" (names.line("", o.created_by.as_ref())) ", " (shell.zone.when(o.created_at, now))
                    @if o.updated_at != o.created_at {
                        " · last changed" (names.line("", o.updated_by.as_ref())) ", " (shell.zone.when(o.updated_at, now))
                    }
                }
            }
            (status_card(shell, o))
        }
        section.card aria-labelledby="edit-title" {
            h2 #edit-title { "Edit" }
            form method="post" action=(action) {
                (shell.csrf())
                (fields(&pipelines, &team, values, problems))
                div.actions.left { button.primary type="submit" { "Save changes" } }
            }
        }
        section.card.danger-card aria-labelledby="delete-title" {
            h2 #delete-title { "Delete this opportunity" }
            p { "The contact stays; only this opportunity goes." }
            a.button.danger-outline href=(shell.at(&format!("/opportunities/{}/delete", o.id))) { "Delete opportunity" }
        }
    };
    Ok(shell.app_page(Area::Opportunities, &o.name, content))
}

fn status_card(shell: &Shell, o: &Opportunity) -> Markup {
    let action = shell.at(&format!("/opportunities/{}/status", o.id));
    let button = |status: OpportunityStatus, label: &str, class: &str| {
        html! {
            form.inline method="post" action=(action) {
                (shell.csrf())
                input type="hidden" name="status" value=(status.as_str());
                button class=(class) type="submit" { (label) }
            }
        }
    };
    html! {
        section.card aria-labelledby="status-title" {
            h2 #status-title { "Status" }
            p { "This opportunity is " strong { (status_label(o.status).to_lowercase()) } "." }
            div.actions.left {
                @if o.status != OpportunityStatus::Won { (button(OpportunityStatus::Won, "Mark won", "primary")) }
                @if o.status != OpportunityStatus::Abandoned { (button(OpportunityStatus::Abandoned, "Mark abandoned", "")) }
                @if o.status != OpportunityStatus::Open { (button(OpportunityStatus::Open, "Reopen", "")) }
            }
            @if o.status != OpportunityStatus::Lost {
                form method="post" action=(action) {
                    (shell.csrf())
                    input type="hidden" name="status" value="lost";
                    (Input { label: "Lost reason", name: "lostReason", max_chars: Some(100),
                        placeholder: Some("For example Went with a competitor"),
                        ..Default::default() }.render(&Problems::none()))
                    button.danger-outline type="submit" { "Mark lost" }
                }
            }
        }
    }
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let current = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let result = match input_of(form).validate(&[]) {
        Ok(change) => {
            let (store, now) = (state.store.as_ref(), state.clock.now());
            opportunities::update(store, now, current.clone(), change, &shell.changer()).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(saved) => {
            let to = shell.at(&format!("/opportunities/{}?done=saved", saved.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let page = page(&state, &shell, &current, None, form, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// Won, lost (with the reason typed), abandoned, or open again.
pub(crate) async fn status(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let current = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let reason = Some(form.get("lostReason").trim().to_owned()).filter(|r| !r.is_empty());
    let input = OpportunityInput {
        status: Some(form.get("status").to_owned()),
        lost_reason_id: Some(reason),
        ..OpportunityInput::default()
    };
    let result = match input.validate(&["status"]) {
        Ok(change) => {
            let (store, now) = (state.store.as_ref(), state.clock.now());
            opportunities::update(store, now, current.clone(), change, &shell.changer()).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(saved) => {
            let to = shell.at(&format!("/opportunities/{}?done=status", saved.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let values = values_of(&current);
            let page = page(&state, &shell, &current, None, &values, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub(crate) async fn confirm_delete(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let o = load(&state, &shell, &id).await?;
    let back = shell.at(&format!("/opportunities/{}", o.id));
    let content = html! {
        div.page-head { h1 { "Delete the opportunity " q { (o.name) } "?" } }
        section.card.danger-card {
            p { "Its contact, notes and conversations stay. This cannot be undone." }
            form method="post" action=(shell.at(&format!("/opportunities/{}/delete", o.id))) {
                (shell.csrf())
                div.actions.reverse {
                    button.danger type="submit" { "Delete opportunity" }
                    a.button href=(back) { "Cancel" }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Opportunities, "Delete opportunity", content))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let o = load(&state, &shell, &id).await?;
    opportunities::delete(state.store.as_ref(), &shell.location, &o.id).await?;
    let to = shell.at(&format!(
        "/opportunities?pipeline={}&done=deleted",
        o.pipeline_id
    ));
    Ok(Redirect::to(&to).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_may_be_typed_with_separators_and_the_stage_names_its_pipeline() {
        let form = FormData(vec![
            ("stage".into(), "p:s".into()),
            ("monetaryValue".into(), "1,250.50".into()),
            ("assignedTo".into(), "".into()),
        ]);
        let input = input_of(&form);
        assert_eq!(input.pipeline_id.as_deref(), Some("p"));
        assert_eq!(input.pipeline_stage_id.as_deref(), Some("s"));
        assert_eq!(input.monetary_value, Some(Some("1250.50".into())));
        assert_eq!(input.assigned_to, Some(None), "an empty choice clears it");
    }
}

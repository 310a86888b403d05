//! [⋮] > Edit: change the name, description and scopes. The token stays the same; the connected
//! tool's access changes with its next request. Only what actually changed is sent to the
//! service, so the audit trail records exactly that.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::ScopeSet;
use ivorey_core::integration::{Integration, IntegrationPatchInput};
use maud::{Markup, html};

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Input, Problems};
use crate::web::scopes;
use crate::web::shell::{Section, Shell};
use ivorey_app::integrations as ops;

const LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("scopes", "Scopes"),
];

pub(crate) async fn form(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let (shell, _, integration) = load(&state, user, &location, &id).await?;
    let values = FormData(vec![
        ("name".into(), integration.name.clone()),
        (
            "description".into(),
            integration.description.clone().unwrap_or_default(),
        ),
    ]);
    let selected: Vec<String> = integration
        .scopes
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    Ok(page(
        &shell,
        &integration,
        &values,
        &selected,
        &Problems::none(),
    ))
}

/// What differs between the form and the integration; `None` when nothing does.
fn changes(integration: &Integration, form: &FormData) -> Option<IntegrationPatchInput> {
    let name = form.get("name");
    let description = Some(form.get("description").trim())
        .filter(|d| !d.is_empty())
        .map(str::to_owned);
    let selected = form.all("scopes");
    let same_scopes = ScopeSet::parse_names(selected.iter().map(String::as_str))
        .is_ok_and(|set| set == integration.scopes);
    let patch = IntegrationPatchInput {
        name: (name.trim() != integration.name).then(|| name.to_owned()),
        description: (description != integration.description).then_some(description),
        scopes: (!same_scopes).then_some(selected),
        ..Default::default()
    };
    let unchanged = patch.name.is_none() && patch.description.is_none() && patch.scopes.is_none();
    (!unchanged).then_some(patch)
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let (shell, location, integration) = load(&state, posted.user, &location, &id).await?;
    let Some(patch) = changes(&integration, &posted.form) else {
        let target = path(&shell, &integration.id, "?done=unchanged");
        return Ok(Redirect::to(&target).into_response());
    };
    let now = state.clock.now();
    let actor = shell.user.actor();
    let edited = ops::edit(
        state.store.as_ref(),
        now,
        &location,
        &integration.id,
        &patch,
        &actor,
    )
    .await;
    match edited {
        Ok(_) => {
            let target = path(&shell, &integration.id, "?done=edited");
            Ok(Redirect::to(&target).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let selected = posted.form.all("scopes");
            let page = page(&shell, &integration, &posted.form, &selected, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn page(
    shell: &Shell,
    integration: &Integration,
    values: &FormData,
    selected: &[String],
    problems: &Problems,
) -> Markup {
    let detail = path(shell, &integration.id, "");
    let content = html! {
        div.page-head { h1 { "Edit " q { (integration.name) } } }
        p.lede {
            "Changes apply to the connected tool's next request. The token stays the same: \
             nothing needs updating on the tool's side."
        }
        (problems.summary())
        form method="post" action=(path(shell, &integration.id, "/edit")) {
            (shell.csrf())
            div.card {
                (Input { label: "Name", name: "name", value: values.get("name"), required: true,
                    max_chars: Some(100), autocomplete: Some("off"), ..Default::default() }
                    .render(problems))
                (Input { label: "Description", name: "description",
                    value: values.get("description"), kind: "textarea", max_chars: Some(1000),
                    ..Default::default() }.render(problems))
            }
            (scopes::picker(selected, true, problems))
            div.actions {
                a.button href=(detail) { "Cancel" }
                button.primary type="submit" { "Save changes" }
            }
        }
    };
    let crumbs = [(integration.name.as_str(), detail.clone())];
    shell.page(Section::Integrations, "Edit integration", &crumbs, content)
}

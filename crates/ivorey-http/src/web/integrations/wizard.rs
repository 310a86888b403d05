//! [Create New Integration] in three steps, as the help article walks them: 1. name and
//! description > [Next]; 2. the Scopes page > [Create]; 3. the token, shown once. The server
//! keeps nothing between steps: name and description travel in hidden fields, and the
//! integration is created only by step 2's [Create].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use ivorey_core::integration::{IntegrationDraft, IntegrationInput};
use maud::{Markup, html};

use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Input, Problems};
use crate::web::scopes;
use crate::web::shell::{Section, Shell};
use crate::web::token::{self, Issued};
use ivorey_app::AppError;
use ivorey_app::integrations as ops;

const LABELS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("description", "Description"),
    ("scopes", "Scopes"),
];

/// What the user has typed and picked so far.
struct Draft {
    name: String,
    description: String,
    scopes: Vec<String>,
}

impl Draft {
    fn from_form(form: &FormData) -> Self {
        Draft {
            name: form.get("name").to_owned(),
            description: form.get("description").to_owned(),
            scopes: form.all("scopes"),
        }
    }
}

pub(crate) async fn step_one(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    shell.admin(&state).await?;
    let draft = Draft {
        name: String::new(),
        description: String::new(),
        scopes: Vec::new(),
    };
    Ok(name_page(&shell, &draft, &Problems::none()))
}

/// Step 1's [Next] (or step 2's [Back]): checks the name and description with the same rules
/// creation applies, then shows the Scopes page.
pub(crate) async fn step_two(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    shell.admin(&state).await?;
    let draft = Draft::from_form(&posted.form);
    if posted.form.get("go") == "back" {
        return Ok(name_page(&shell, &draft, &Problems::none()).into_response());
    }
    let input = IntegrationInput {
        name: draft.name.clone(),
        description: Some(draft.description.clone()),
        ..Default::default()
    };
    if let Err(mut errors) = IntegrationDraft::parse(&input, state.clock.now()) {
        // Scopes are chosen on the next step; only the name and description are checked here.
        errors
            .0
            .retain(|e| e.field == "name" || e.field == "description");
        if !errors.is_empty() {
            let problems = Problems::from_error(AppError::from(errors), LABELS)?;
            let page = name_page(&shell, &draft, &problems);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    }
    Ok(scopes_page(&shell, &draft, &Problems::none()).into_response())
}

/// Step 2's [Create]: creates the integration and shows its token, once.
pub(crate) async fn create(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin(&state).await?;
    let draft = Draft::from_form(&posted.form);
    let input = IntegrationInput {
        name: draft.name.clone(),
        description: Some(draft.description.clone()),
        scopes: draft.scopes.clone(),
        ..Default::default()
    };
    let now = state.clock.now();
    let actor = shell.user.actor();
    match ops::create(state.store.as_ref(), now, &location, &input, &actor).await {
        Ok(issued) => {
            let page = token::page(&shell, &issued.integration, &issued.token, Issued::Created);
            Ok((StatusCode::CREATED, page).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let page = scopes_page(&shell, &draft, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn name_page(shell: &Shell, draft: &Draft, problems: &Problems) -> Markup {
    let content = html! {
        p.steps { "Step 1 of 3 · Name" }
        div.page-head { h1 { "Create New Integration" } }
        (problems.summary())
        form.card method="post" action=(shell.url("/integrations/new")) {
            (shell.csrf())
            @for scope in &draft.scopes { input type="hidden" name="scopes" value=(scope); }
            (Input { label: "Name", name: "name", value: &draft.name, required: true,
                max_chars: Some(100), autocomplete: Some("off"),
                hint: Some("Name it after what it connects to, so you can find it later, e.g. \u{201c}Zapier Integration\u{201d}."),
                ..Default::default() }.render(problems))
            (Input { label: "Description", name: "description", value: &draft.description,
                kind: "textarea", max_chars: Some(1000),
                hint: Some("What the tool does with your data, or who set it up."),
                ..Default::default() }.render(problems))
            div.actions {
                a.button href=(shell.url("/integrations")) { "Cancel" }
                button.primary type="submit" { "Next" }
            }
        }
    };
    shell.page(
        Section::Integrations,
        "Create New Integration",
        &[],
        content,
    )
}

fn scopes_page(shell: &Shell, draft: &Draft, problems: &Problems) -> Markup {
    let content = html! {
        p.steps { "Step 2 of 3 · Scopes" }
        div.page-head {
            h1 { "Scopes for " q { (draft.name) } }
        }
        p.lede {
            "Select the areas of your account that the tool needs, and for each whether it may \
             View the data, Edit it, or both. Think of scopes as a key that only opens specific \
             doors."
        }
        (problems.summary())
        form method="post" action=(shell.url("/integrations")) {
            (shell.csrf())
            input type="hidden" name="name" value=(draft.name);
            input type="hidden" name="description" value=(draft.description);
            (scopes::picker(&draft.scopes, false, problems))
            // [Create] comes first so that Enter creates; the stylesheet shows [Back] on the left.
            div.actions.reverse {
                button.primary type="submit" { "Create" }
                button type="submit" formaction=(shell.url("/integrations/new")) name="go"
                    value="back" formnovalidate { "Back" }
            }
        }
    };
    shell.page(Section::Integrations, "Choose scopes", &[], content)
}

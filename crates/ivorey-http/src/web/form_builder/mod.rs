//! Forms, as the business builds them: the list (`show`), a new form (its name; it starts with
//! first name, last name and email), the builder (`edit`: fields added from the contact's
//! standard fields or as questions of its own, required or not, relabelled, reordered,
//! removed; the thank-you message or redirect; the hosted link and the embed snippet), and a
//! form's submissions with links to their contacts (`submissions`). Every change goes through
//! `ivorey_app::forms`, as the management API's do.

pub(crate) mod edit;
pub(crate) mod submissions;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::forms;
use ivorey_core::form::{FieldType, Form, FormField, FormFieldInput, FormInput};
use maud::{Markup, html};

use super::auth::{Posted, Viewer};
use super::error::{WebError, WebResult};
use super::forms::{Input, Problems};
use super::frame::Area;
use super::layout::icon;
use super::shell::Shell;
use crate::state::AppState;

/// The contact fields a form can ask for: key (as the submission maps it), label, type.
pub(crate) const STANDARD: [(&str, &str, FieldType); 12] = [
    ("firstName", "First name", FieldType::Text),
    ("lastName", "Last name", FieldType::Text),
    ("email", "Email", FieldType::Email),
    ("phone", "Phone", FieldType::Phone),
    ("companyName", "Company", FieldType::Text),
    ("address1", "Street address", FieldType::Text),
    ("city", "City", FieldType::Text),
    ("state", "State or region", FieldType::Text),
    ("postalCode", "Postal code", FieldType::Text),
    ("country", "Country", FieldType::Text),
    ("website", "Website", FieldType::Text),
    ("message", "Message", FieldType::Textarea),
];

/// A stored field as the service's input, to change a form and save it whole.
pub(crate) fn field_input(f: &FormField) -> FormFieldInput {
    FormFieldInput {
        key: Some(f.key.clone()),
        label: Some(f.label.clone()),
        field_type: Some(f.field_type),
        required: f.required,
        max_length: Some(f.max_length),
        options: f.options.clone(),
    }
}

/// The form as the service's input.
pub(crate) fn form_input(form: &Form) -> FormInput {
    FormInput {
        name: Some(form.name.clone()),
        fields: form.fields.iter().map(field_input).collect(),
        thank_you_message: form.thank_you.clone(),
        redirect_url: form.redirect_url.clone(),
    }
}

/// The standard contact field `key` as a new field.
pub(crate) fn standard_field(key: &str, required: bool) -> FormFieldInput {
    let (key, label, field_type) = STANDARD
        .iter()
        .find(|(k, _, _)| *k == key)
        .copied()
        .unwrap_or(STANDARD[0]);
    FormFieldInput {
        key: Some(key.into()),
        label: Some(label.into()),
        field_type: Some(field_type),
        required,
        max_length: None,
        options: Vec::new(),
    }
}

/// The location's form named in the path, or a "not found" page.
pub(crate) async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<Form> {
    forms::get_form(state.store.as_ref(), &shell.location, raw)
        .await
        .map_err(|e| match e {
            ivorey_app::AppError::NotFound(_) => WebError::plain(
                StatusCode::NOT_FOUND,
                "Form not found",
                "This form does not exist. It may have been deleted.",
            ),
            other => other.into(),
        })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let (found, _) = state.store.list_forms(&shell.location, 0, 100).await?;
    Ok(page(&shell, &found, "", &Problems::none()))
}

fn page(shell: &Shell, found: &[Form], name: &str, problems: &Problems) -> Markup {
    let content = html! {
        div.page-head {
            div {
                h1 { "Forms" }
                p.lede { "Forms collect leads from your website or a link you share: each submission finds or adds the contact." }
            }
        }
        (problems.summary())
        @if found.is_empty() {
            div.card.empty {
                span.empty-icon { (icon("mail")) }
                h2 { "No forms yet" }
                p { "Name your first form below; it starts with first name, last name and email, and you can add more." }
            }
        } @else {
            section.card.table-card {
                table.list {
                    thead { tr { th scope="col" { "Form" } th scope="col" { "Fields" } th scope="col" { "Public page" } } }
                    tbody {
                        @for f in found {
                            tr {
                                td { a.row-link href=(shell.at(&format!("/forms/{}", f.id))) { (f.name) } }
                                td.muted { (f.fields.len()) }
                                td { a href={ "/f/" (f.id) } { "/f/" (f.id) } }
                            }
                        }
                    }
                }
            }
        }
        section.card aria-labelledby="new-title" {
            h2 #new-title { "New form" }
            form.inline-form method="post" action=(shell.at("/forms")) {
                (shell.csrf())
                (Input { label: "Form name", name: "name", value: name, required: true,
                    max_chars: Some(255), placeholder: Some("For example Contact us or Wedding enquiry"),
                    ..Default::default() }.render(problems))
                button.primary type="submit" { (icon("plus")) "Create form" }
            }
        }
    };
    shell.app_page(Area::Forms, "Forms", content)
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let name = posted.form.get("name");
    let input = FormInput {
        name: Some(name.to_owned()),
        fields: vec![
            standard_field("firstName", true),
            standard_field("lastName", false),
            standard_field("email", true),
        ],
        thank_you_message: None,
        redirect_url: None,
    };
    let (store, now) = (state.store.as_ref(), state.clock.now());
    match forms::create_form(store, now, &shell.location, input).await {
        Ok(form) => {
            let to = shell.at(&format!("/forms/{}?done=created", form.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, &[("name", "Form name")])?;
            let (found, _) = store.list_forms(&shell.location, 0, 100).await?;
            let page = page(&shell, &found, name, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

//! A form's public page, `/f/{formId}`, which a business links to from anywhere: no session,
//! its fields with their labels, the honeypot hidden from people, and the same submission path
//! and throttle as `POST /forms/submit/{formId}`. A refused submission is shown again with the
//! problems beside the fields; a stored one goes to the form's redirect, or to
//! `/f/{formId}/thanks` with its thank-you message. The embed snippet's browser posts land on
//! the same answers (`after_submit`, `refused_page`).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::AppError;
use ivorey_app::forms::{FORM_NOT_FOUND, form_id, submit};
use ivorey_core::form::{FieldType, Form, HONEYPOT_FIELD};
use maud::{Markup, html};
use serde_json::{Map, Value};

use super::forms::{FormData, Input, Problems};
use super::layout::{bare, document};
use crate::error::ApiError;
use crate::state::AppState;

pub(crate) const DEFAULT_THANKS: &str = "Thank you! We received your answers and will be in touch.";

/// Where a visitor goes after a stored submission.
pub(crate) fn after_submit(form: &Form) -> Response {
    match &form.redirect_url {
        Some(url) => Redirect::to(url).into_response(),
        None => Redirect::to(&format!("/f/{}/thanks", form.id)).into_response(),
    }
}

/// A submission refused, for a visitor's browser: what was wrong, and the way back.
pub(crate) fn refused_page(form_id: &str, e: &ApiError) -> Response {
    let (title, message) = match e {
        ApiError::TooManyRequests { .. } => (
            "Please wait a moment",
            "This form was sent from your connection many times in a short while. Try again in \
             a minute."
                .to_owned(),
        ),
        ApiError::NotFound(_) => (
            "Form not found",
            "This form does not exist any more. The business may have removed it.".to_owned(),
        ),
        ApiError::Unprocessable(messages) => ("Please check your answers", messages.join(" ")),
        ApiError::BadRequest(_) | ApiError::PayloadTooLarge | ApiError::UnsupportedMediaType => (
            "The form could not be read",
            "Go back to the form and send it again.".to_owned(),
        ),
        _ => (
            "The form could not be sent",
            "Something went wrong on our side. Please try again in a moment.".to_owned(),
        ),
    };
    let page = bare(
        title,
        html! {
            h1 #page-title { (title) }
            p { (message) }
            p.actions { a.button href={ "/f/" (form_id) } { "Back to the form" } }
        },
    );
    (e.status(), page).into_response()
}

/// A visitor's page: the business's name above a card, without Ivorey's menus or brand (the
/// visitor came to the business, not to its CRM).
fn public_page(business: &str, title: &str, content: Markup) -> Markup {
    document(
        title,
        html! {
            main.bare {
                p.public-business { (business) }
                section.card.bare-card aria-labelledby="page-title" { (content) }
            }
        },
    )
}

/// The name of the business a form belongs to, for its visitors' pages.
async fn business_name(state: &AppState, form: &Form) -> String {
    match state.store.get_location(&form.location_id).await {
        Ok(Some(location)) => location.profile.name,
        _ => String::new(),
    }
}

async fn load(state: &AppState, raw: &str) -> Result<Form, Response> {
    let missing = |e: ApiError| refused_page(raw, &e);
    let id = form_id(raw).map_err(|e| missing(e.into()))?;
    match state.store.find_form(&id).await {
        Ok(Some(form)) => Ok(form),
        Ok(None) => Err(missing(FORM_NOT_FOUND.into())),
        Err(e) => Err(missing(e.into())),
    }
}

pub(crate) async fn show(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    match load(&state, &raw).await {
        Ok(form) => {
            let business = business_name(&state, &form).await;
            page(&business, &form, &FormData::default(), &Problems::none()).into_response()
        }
        Err(refused) => refused,
    }
}

pub(crate) async fn thanks(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let form = match load(&state, &raw).await {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let message = form.thank_you.as_deref().unwrap_or(DEFAULT_THANKS);
    let business = business_name(&state, &form).await;
    public_page(
        &business,
        &form.name,
        html! {
            h1 #page-title { (form.name) }
            p.pre-line { (message) }
        },
    )
    .into_response()
}

/// The hosted page's own post: no session and no CSRF token (anyone may submit a public form),
/// throttled per client address and form like the API's.
pub(crate) async fn post(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    request: Request,
) -> Response {
    let form = match load(&state, &raw).await {
        Ok(form) => form,
        Err(refused) => return refused,
    };
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string());
    let now = state.clock.now();
    if let Err(e) = state.form_submits.admit(&client, &form.id, now) {
        return refused_page(&raw, &e.into());
    }
    let pairs = match axum::Form::<Vec<(String, String)>>::from_request(request, &state).await {
        Ok(axum::Form(pairs)) => pairs,
        Err(_) => {
            let e = ApiError::BadRequest("The form could not be read.".into());
            return refused_page(&raw, &e);
        }
    };
    if let Err(e) = crate::extract::refuse_nul_in_pairs(&pairs) {
        return refused_page(&raw, &e);
    }
    let mut posted = Map::new();
    for (key, value) in &pairs {
        posted
            .entry(key.clone())
            .or_insert(Value::String(value.clone()));
    }
    match submit(state.store.as_ref(), now, &form, &posted).await {
        Ok(_) => after_submit(&form),
        Err(AppError::Invalid(errors)) => {
            let problems = visitor_problems(&form, &errors.messages());
            let business = business_name(&state, &form).await;
            let page = page(&business, &form, &FormData(pairs), &problems);
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(e) => refused_page(&raw, &e.into()),
    }
}

/// A submission's problems in the visitor's words: "fields email: is required" (the API's
/// wording, by key) becomes "Email is required." beside the Email field.
fn visitor_problems(form: &Form, messages: &[String]) -> Problems {
    let mut problems = Problems::none();
    for message in messages {
        let by_key = message
            .strip_prefix("fields ")
            .and_then(|rest| rest.split_once(": "))
            .and_then(|(key, what)| form.fields.iter().find(|f| f.key == key).map(|f| (f, what)));
        match by_key {
            Some((field, what)) => {
                problems.add_field(&field.key, format!("{} {what}.", field.label))
            }
            None => problems.extend(Problems::general(format!("{message}."))),
        }
    }
    problems
}

fn page(business: &str, form: &Form, values: &FormData, problems: &Problems) -> Markup {
    public_page(
        business,
        &form.name,
        html! {
            h1 #page-title { (form.name) }
            (problems.summary())
            form method="post" action={ "/f/" (form.id) } {
                (fields(form, values, problems))
                div.actions { button.primary type="submit" { "Send" } }
            }
        },
    )
}

/// The form's inputs, and the honeypot that people never see or reach.
pub(crate) fn fields(form: &Form, values: &FormData, problems: &Problems) -> Markup {
    html! {
        @for f in &form.fields {
            @match f.field_type {
                FieldType::Checkbox => {
                    div.field.check {
                        label {
                            input type="checkbox" name=(f.key) value="true" required[f.required]
                                checked[values.get(&f.key) == "true"];
                            " " (f.label)
                        }
                    }
                }
                FieldType::Select => {
                    div.field {
                        label for={ "f-" (f.key) } { (f.label) @if !f.required { span.optional { " (optional)" } } }
                        select id={ "f-" (f.key) } name=(f.key) required[f.required] {
                            option value="" { "Choose…" }
                            @for o in &f.options { option value=(o) selected[values.get(&f.key) == o] { (o) } }
                        }
                        @if let Some(e) = problems.field(&f.key) { p.error { (e) } }
                    }
                }
                other => {
                    (Input {
                        label: &f.label, name: &f.key, value: values.get(&f.key),
                        kind: input_kind(other), required: f.required,
                        max_chars: usize::try_from(f.max_length).ok(),
                        autocomplete: autocomplete(&f.key), ..Default::default()
                    }.render(problems))
                }
            }
        }
        div.offscreen aria-hidden="true" {
            label for="f-hp" { "Leave this empty" }
            input #f-hp type="text" name=(HONEYPOT_FIELD) tabindex="-1" autocomplete="off";
        }
    }
}

fn input_kind(field_type: FieldType) -> &'static str {
    match field_type {
        FieldType::Email => "email",
        FieldType::Phone => "tel",
        FieldType::Textarea => "textarea",
        FieldType::Number => "number",
        _ => "text",
    }
}

/// What a browser may fill a standard field with.
fn autocomplete(key: &str) -> Option<&'static str> {
    Some(match key {
        "firstName" => "given-name",
        "lastName" => "family-name",
        "name" | "fullName" => "name",
        "email" => "email",
        "phone" => "tel",
        "companyName" | "company" => "organization",
        "address1" | "address" => "street-address",
        "city" => "address-level2",
        "state" => "address-level1",
        "postalCode" | "zip" => "postal-code",
        "country" => "country-name",
        "website" => "url",
        _ => return None,
    })
}

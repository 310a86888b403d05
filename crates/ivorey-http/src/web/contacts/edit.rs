//! Adding, editing and deleting a contact. Adding follows the API's upsert rule (a contact with
//! the same email, else phone, is updated instead of doubled); the form keeps what was typed
//! and shows each problem beside its field.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::AppError;
use ivorey_app::contacts::{Overwrite, plan_upsert};
use ivorey_core::contact::{Contact, CreateContactInput, CustomFieldInput, UpdateContactInput};
use ivorey_core::custom_field::CustomField;
use ivorey_store::ContactWrite;
use maud::{Markup, html};

use super::{load, path};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::WebResult;
use crate::web::forms::{FormData, Input, Problems};
use crate::web::frame::Area;
use crate::web::shell::Shell;

/// A standard field: API name (the form's too), label, input type, autocomplete, hint.
type FieldSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

const PERSON: &[FieldSpec] = &[
    ("firstName", "First name", "text", "given-name", None),
    ("lastName", "Last name", "text", "family-name", None),
    ("email", "Email", "email", "email", None),
    (
        "phone",
        "Phone",
        "tel",
        "tel",
        Some("For example +1 888-555-0101"),
    ),
    ("companyName", "Company", "text", "organization", None),
    ("website", "Website", "url", "url", None),
];

const ADDRESS: &[FieldSpec] = &[
    ("address1", "Street address", "text", "street-address", None),
    ("city", "City", "text", "address-level2", None),
    ("state", "State or region", "text", "address-level1", None),
    ("postalCode", "Postal code", "text", "postal-code", None),
    (
        "country",
        "Country",
        "text",
        "country",
        Some("Two-letter code, for example US"),
    ),
    (
        "timezone",
        "Time zone",
        "text",
        "off",
        Some("For example America/New_York"),
    ),
];

const MORE: &[FieldSpec] = &[
    (
        "source",
        "Source",
        "text",
        "off",
        Some("Where the contact came from, e.g. Website form"),
    ),
    ("gender", "Gender", "text", "off", None),
    ("dateOfBirth", "Date of birth", "date", "bday", None),
];

fn all_fields() -> impl Iterator<Item = &'static FieldSpec> {
    PERSON.iter().chain(ADDRESS).chain(MORE)
}

fn labels() -> Vec<(&'static str, &'static str)> {
    let mut labels: Vec<_> = all_fields().map(|f| (f.0, f.1)).collect();
    labels.extend([("tags", "Tags"), ("contact", "The contact")]);
    labels
}

/// The form's values for an existing contact.
fn values_of(c: &Contact) -> FormData {
    let f = &c.fields;
    let pairs = [
        ("firstName", &f.first_name),
        ("lastName", &f.last_name),
        ("email", &f.email),
        ("phone", &f.phone),
        ("companyName", &f.company_name),
        ("website", &f.website),
        ("address1", &f.address1),
        ("city", &f.city),
        ("state", &f.state),
        ("postalCode", &f.postal_code),
        ("country", &f.country),
        ("timezone", &f.timezone),
        ("source", &f.source),
        ("gender", &f.gender),
        ("dateOfBirth", &f.date_of_birth),
    ];
    let mut data: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.clone().unwrap_or_default()))
        .collect();
    if f.dnd {
        data.push(("dnd".into(), "on".into()));
    }
    for v in &f.custom_fields {
        let text = v
            .value
            .as_str()
            .map_or_else(|| v.value.to_string(), str::to_owned);
        data.push((format!("cf.{}", v.id), text));
    }
    FormData(data)
}

/// A posted field: `None` when left empty.
fn text(form: &FormData, name: &str) -> Option<String> {
    Some(form.get(name).trim().to_owned()).filter(|v| !v.is_empty())
}

/// The custom field values the form holds, for the business's defined fields.
fn custom_values(form: &FormData, defined: &[CustomField]) -> Vec<CustomFieldInput> {
    defined
        .iter()
        .filter_map(|f| {
            let value = text(form, &format!("cf.{}", f.id))?;
            Some(CustomFieldInput {
                id: Some(f.id.to_string()),
                key: None,
                field_value: None,
                value: Some(serde_json::Value::String(value)),
            })
        })
        .collect()
}

fn create_input(form: &FormData, defined: &[CustomField], shell: &Shell) -> CreateContactInput {
    let some = |name: &str| text(form, name).map(Some);
    let tags: Vec<String> = form
        .get("tags")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let custom = custom_values(form, defined);
    CreateContactInput {
        location_id: Some(shell.location.to_string()),
        first_name: some("firstName"),
        last_name: some("lastName"),
        email: some("email"),
        phone: some("phone"),
        company_name: some("companyName"),
        website: some("website"),
        address1: some("address1"),
        city: some("city"),
        state: some("state"),
        postal_code: some("postalCode"),
        country: some("country"),
        timezone: some("timezone"),
        source: some("source"),
        gender: some("gender"),
        date_of_birth: some("dateOfBirth"),
        dnd: Some(form.get("dnd") == "on"),
        tags: (!tags.is_empty()).then_some(tags),
        custom_fields: (!custom.is_empty()).then_some(custom),
        ..Default::default()
    }
}

/// Every standard field as posted (an empty one clears it); custom fields of the business's
/// definitions as posted, others the contact already holds kept.
fn update_input(form: &FormData, defined: &[CustomField], current: &Contact) -> UpdateContactInput {
    let set = |name: &str| Some(text(form, name));
    let mut custom = custom_values(form, defined);
    for held in &current.fields.custom_fields {
        if !defined.iter().any(|f| f.id.as_str() == held.id) {
            custom.push(CustomFieldInput {
                id: Some(held.id.clone()),
                key: None,
                field_value: None,
                value: Some(held.value.clone()),
            });
        }
    }
    UpdateContactInput {
        first_name: set("firstName"),
        last_name: set("lastName"),
        email: set("email"),
        phone: set("phone"),
        company_name: set("companyName"),
        website: set("website"),
        address1: set("address1"),
        city: set("city"),
        state: set("state"),
        postal_code: set("postalCode"),
        country: set("country"),
        timezone: set("timezone"),
        source: set("source"),
        gender: set("gender"),
        date_of_birth: set("dateOfBirth"),
        dnd: Some(form.get("dnd") == "on"),
        custom_fields: Some(custom),
        ..Default::default()
    }
}

async fn custom_fields(state: &AppState, shell: &Shell) -> WebResult<Vec<CustomField>> {
    Ok(state
        .store
        .list_custom_fields(&shell.location, Some("contact"))
        .await?)
}

pub(crate) async fn new_form(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let defined = custom_fields(&state, &shell).await?;
    Ok(form_page(
        &shell,
        None,
        &defined,
        &FormData::default(),
        &Problems::none(),
    ))
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let defined = custom_fields(&state, &shell).await?;
    let input = create_input(&posted.form, &defined, &shell);
    let now = state.clock.now();
    let planned = plan_upsert(
        state.store.as_ref(),
        now,
        &shell.location,
        input,
        Overwrite::All,
        shell.changer(),
    )
    .await;
    let (contact, done) = match planned {
        Ok(ContactWrite::Insert(contact)) => {
            state.store.insert_contact(&contact).await?;
            (contact, "created")
        }
        Ok(ContactWrite::Update(contact)) => {
            state.store.update_contact(&contact).await?;
            (contact, "merged")
        }
        Err(e) => return refused(&shell, None, &defined, &posted.form, e),
    };
    let to = path(&shell, &contact.id, &format!("?done={done}"));
    Ok(Redirect::to(&to).into_response())
}

pub(crate) async fn edit_form(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let defined = custom_fields(&state, &shell).await?;
    let values = values_of(&contact);
    Ok(form_page(
        &shell,
        Some(&contact),
        &defined,
        &values,
        &Problems::none(),
    ))
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let mut contact = load(&state, &shell, &id).await?;
    let defined = custom_fields(&state, &shell).await?;
    let input = update_input(&posted.form, &defined, &contact);
    match input.apply_to(contact.fields.clone()) {
        Ok(fields) => {
            contact.fields = fields;
            contact.date_updated = state.clock.now();
            contact.changed_by(shell.changer(), false);
            state
                .store
                .update_contact(&contact)
                .await
                .map_err(|e| match e {
                    ivorey_store::StoreError::NotFound => super::missing(),
                    other => other.into(),
                })?;
            Ok(Redirect::to(&path(&shell, &contact.id, "?done=saved")).into_response())
        }
        Err(e) => refused(
            &shell,
            Some(&contact),
            &defined,
            &posted.form,
            AppError::Invalid(e),
        ),
    }
}

fn refused(
    shell: &Shell,
    contact: Option<&Contact>,
    defined: &[CustomField],
    form: &FormData,
    e: AppError,
) -> WebResult<Response> {
    let problems = Problems::from_error(e, &labels())?;
    let page = form_page(shell, contact, defined, form, &problems);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

fn inputs(specs: &[FieldSpec], values: &FormData, problems: &Problems) -> Markup {
    html! {
        div.grid {
            @for &(name, label, kind, autocomplete, hint) in specs {
                (Input {
                    label, name, value: values.get(name), kind, autocomplete: Some(autocomplete),
                    max_chars: Some(255), hint, ..Default::default()
                }.render(problems))
            }
        }
    }
}

fn form_page(
    shell: &Shell,
    contact: Option<&Contact>,
    defined: &[CustomField],
    values: &FormData,
    problems: &Problems,
) -> Markup {
    let (title, action, back) = match contact {
        Some(c) => (
            format!("Edit {}", c.fields.display_name()),
            path(shell, &c.id, "/edit"),
            path(shell, &c.id, ""),
        ),
        None => (
            "Add contact".to_owned(),
            shell.at("/contacts"),
            shell.at("/contacts"),
        ),
    };
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/contacts")) { "Contacts" } }
                li { a href=(action) { (title) } }
            }
        }
        div.page-head { h1 { (title) } }
        @if contact.is_none() {
            p.lede {
                "Give at least a name, an email or a phone. If a contact with the same email \
                 (or, without one, the same phone) exists, it is updated instead of doubled."
            }
        }
        (problems.summary())
        form method="post" action=(action) {
            (shell.csrf())
            section.card aria-labelledby="person-title" {
                h2 #person-title { "Contact" }
                (inputs(PERSON, values, problems))
                div.field.check {
                    input #f-dnd type="checkbox" name="dnd" checked[values.get("dnd") == "on"];
                    label for="f-dnd" { "Do not disturb (send this contact no messages)" }
                }
            }
            section.card aria-labelledby="address-title" {
                h2 #address-title { "Address" }
                (inputs(ADDRESS, values, problems))
            }
            section.card aria-labelledby="more-title" {
                h2 #more-title { "More" }
                (inputs(MORE, values, problems))
                @if contact.is_none() {
                    (Input {
                        label: "Tags", name: "tags", value: values.get("tags"), max_chars: Some(2000),
                        hint: Some("Separate tags with commas, e.g. lead, newsletter"),
                        ..Default::default()
                    }.render(problems))
                }
            }
            @if !defined.is_empty() {
                section.card aria-labelledby="custom-title" {
                    h2 #custom-title { "Custom fields" }
                    div.grid {
                        @for f in defined {
                            @let name = format!("cf.{}", f.id);
                            (Input {
                                label: &f.name, name: &name, value: values.get(&name),
                                kind: if f.data_type == "LARGE_TEXT" { "textarea" } else { "text" },
                                placeholder: f.placeholder.as_deref(), max_chars: Some(2000),
                                ..Default::default()
                            }.render(problems))
                        }
                    }
                }
            }
            div.actions.sticky-actions {
                a.button href=(back) { "Cancel" }
                button.primary type="submit" {
                    @if contact.is_some() { "Save contact" } @else { "Add contact" }
                }
            }
        }
    };
    shell.app_page(Area::Contacts, &title, content)
}

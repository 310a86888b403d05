//! The form builder: the form's fields in order, each its own small forms (relabel and make
//! required, move earlier or later, remove), adding a contact field or a question of the
//! business's own, the name and what a visitor sees after sending, and how to share it: the
//! hosted page's link and an embed snippet for any website, both with copy buttons. Each
//! change saves the whole form through `ivorey_app::forms::update_form`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::forms;
use ivorey_core::form::{FieldType, Form, FormFieldInput, FormInput, HONEYPOT_FIELD};
use maud::{Markup, html};
use serde::Deserialize;

use super::{STANDARD, form_input, load, standard_field};
use crate::base_url::public_base;
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::forms::{FormData, Input, Problems};
use crate::web::frame::Area;
use crate::web::layout::{Tone, copy_button, icon, notice};
use crate::web::shell::Shell;

const LABELS: &[(&str, &str)] = &[
    ("name", "Form name"),
    ("thankYouMessage", "Thank-you message"),
    ("redirectUrl", "Redirect to"),
    ("fields.label", "Question"),
    ("fields.options", "Choices"),
    ("fields", "Fields"),
];

/// The question types of the business's own, with their words.
const QUESTION_TYPES: [(FieldType, &str, &str); 5] = [
    (FieldType::Text, "text", "Short answer"),
    (FieldType::Textarea, "textarea", "Paragraph"),
    (FieldType::Number, "number", "Number"),
    (FieldType::Checkbox, "checkbox", "Checkbox (yes or no)"),
    (FieldType::Select, "select", "Choice from a list"),
];

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    headers: HeaderMap,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let form = load(&state, &shell, &id).await?;
    let done = match done.done.as_str() {
        "created" => {
            Some("The form was created. Add the fields you need, then share its link or embed it.")
        }
        "saved" => Some("The form was saved."),
        _ => None,
    };
    let base = public_base(&state, &headers);
    Ok(page(
        &shell,
        &form,
        &base,
        done,
        &FormData::default(),
        &Problems::none(),
    ))
}

/// A question's key: its label's letters and digits in lower camel case, unlike every key the
/// form has (`question`, `question2`, ... when the label has none).
fn key_for(label: &str, form: &Form) -> String {
    let mut key = String::new();
    let words = label
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        // A key starts with a letter: leading numbers ("2 people") are left out.
        .skip_while(|w| w.starts_with(|c: char| c.is_ascii_digit()));
    for word in words {
        let word = word.to_ascii_lowercase();
        if key.is_empty() {
            key.push_str(&word);
        } else {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                key.push(first.to_ascii_uppercase());
                key.extend(chars);
            }
        }
    }
    let key: String = key.chars().take(40).collect();
    let base = if key.is_empty() {
        "question".to_owned()
    } else {
        key
    };
    let taken = |k: &str| form.fields.iter().any(|f| f.key == k);
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|k| !taken(k))
        .unwrap_or(base)
}

fn bad_form() -> WebError {
    WebError::plain(
        StatusCode::BAD_REQUEST,
        "Form not accepted",
        "The form did not say what to change. Go back, reload the page and try again.",
    )
}

/// The form with the posted change, as the service's input.
fn changed(form: &Form, posted: &FormData) -> WebResult<FormInput> {
    let mut input = form_input(form);
    let key = posted.get("key");
    let at = input
        .fields
        .iter()
        .position(|f| f.key.as_deref() == Some(key));
    match (posted.get("action"), at) {
        ("settings", _) => {
            input.name = Some(posted.get("name").to_owned());
            let text =
                |name: &str| Some(posted.get(name).trim().to_owned()).filter(|t| !t.is_empty());
            input.thank_you_message = text("thankYouMessage");
            input.redirect_url = text("redirectUrl");
        }
        ("add-standard", _) => {
            if !STANDARD.iter().any(|(k, _, _)| *k == key) {
                return Err(bad_form());
            }
            input
                .fields
                .push(standard_field(key, posted.get("required") == "on"));
        }
        ("add-question", _) => {
            let label = posted.get("label");
            let field_type = QUESTION_TYPES
                .iter()
                .find(|(_, value, _)| *value == posted.get("type"))
                .map_or(FieldType::Text, |(t, _, _)| *t);
            let options = posted
                .get("options")
                .lines()
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect();
            input.fields.push(FormFieldInput {
                key: Some(key_for(label, form)),
                label: Some(label.to_owned()),
                field_type: Some(field_type),
                required: posted.get("required") == "on",
                max_length: None,
                options,
            });
        }
        ("field", Some(at)) => {
            input.fields[at].label = Some(posted.get("label").to_owned());
            input.fields[at].required = posted.get("required") == "on";
        }
        ("move-up", Some(at)) if at > 0 => input.fields.swap(at, at - 1),
        ("move-down", Some(at)) if at + 1 < input.fields.len() => input.fields.swap(at, at + 1),
        ("move-up" | "move-down", Some(_)) => {}
        ("remove", Some(at)) => drop(input.fields.remove(at)),
        _ => return Err(bad_form()),
    }
    Ok(input)
}

pub(crate) async fn post(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    headers: HeaderMap,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let form = load(&state, &shell, &id).await?;
    let input = changed(&form, &posted.form)?;
    let (store, now) = (state.store.as_ref(), state.clock.now());
    match forms::update_form(store, now, &shell.location, form.id.as_str(), input).await {
        Ok(saved) => {
            let anchor = match posted.form.get("action") {
                "settings" => "#settings-title",
                _ => "#fields-title",
            };
            let to = shell.at(&format!("/forms/{}?done=saved{anchor}", saved.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let base = public_base(&state, &headers);
            let page = page(&shell, &form, &base, None, &posted.form, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// The HTML a business pastes into its website: a plain form posting to the submit endpoint,
/// with the hidden honeypot.
pub(crate) fn embed_snippet(form: &Form, base: &str) -> String {
    let mut html = format!(
        "<form method=\"post\" action=\"{base}/forms/submit/{}\" accept-charset=\"utf-8\">\n",
        form.id
    );
    for f in &form.fields {
        let required = if f.required { " required" } else { "" };
        let label = escape(&f.label);
        let input = match f.field_type {
            FieldType::Textarea => format!("<textarea name=\"{}\"{required}></textarea>", f.key),
            FieldType::Checkbox => format!(
                "<input type=\"checkbox\" name=\"{}\" value=\"true\"{required}>",
                f.key
            ),
            FieldType::Select => {
                let options: String = f
                    .options
                    .iter()
                    .map(|o| format!("<option>{}</option>", escape(o)))
                    .collect();
                format!(
                    "<select name=\"{}\"{required}><option value=\"\"></option>{options}</select>",
                    f.key
                )
            }
            other => {
                let kind = match other {
                    FieldType::Email => "email",
                    FieldType::Phone => "tel",
                    FieldType::Number => "number",
                    _ => "text",
                };
                format!("<input type=\"{kind}\" name=\"{}\"{required}>", f.key)
            }
        };
        html.push_str(&format!("  <p><label>{label}<br>{input}</label></p>\n"));
    }
    html.push_str(&format!(
        "  <input type=\"text\" name=\"{HONEYPOT_FIELD}\" tabindex=\"-1\" autocomplete=\"off\" aria-hidden=\"true\" style=\"position:absolute;left:-9999px\">\n  <p><button type=\"submit\">Send</button></p>\n</form>\n"
    ));
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(
    shell: &Shell,
    form: &Form,
    base: &str,
    done: Option<&str>,
    values: &FormData,
    problems: &Problems,
) -> Markup {
    let action = shell.at(&format!("/forms/{}", form.id));
    let hosted = format!("{base}/f/{}", form.id);
    let snippet = embed_snippet(form, base);
    let missing: Vec<_> = STANDARD
        .iter()
        .filter(|(k, _, _)| !form.fields.iter().any(|f| f.key == *k))
        .collect();
    let settings = values.get("action") == "settings";
    let value = |name: &str, stored: Option<&str>| -> String {
        if settings {
            values.get(name).to_owned()
        } else {
            stored.unwrap_or_default().to_owned()
        }
    };
    let last = form.fields.len().saturating_sub(1);
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/forms")) { "Forms" } }
                li { a href=(action) { (form.name) } }
            }
        }
        div.page-head {
            h1 { (form.name) }
            div.head-actions {
                a.button href=(shell.at(&format!("/forms/{}/submissions", form.id))) { "Submissions" }
                a.button href={ "/f/" (form.id) } { "Open the public page" }
            }
        }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        (problems.summary())
        div {
            section.card aria-labelledby="fields-title" {
                h2 #fields-title { "Fields" }
                p.hint { "In the order visitors see them. Contact fields fill the contact; your own questions are kept with the submission." }
                ol.stage-list {
                    @for (n, f) in form.fields.iter().enumerate() {
                        li.stage-item #{ "field-" (f.key) } {
                            span.stage-number aria-hidden="true" { (n + 1) }
                            form.stage-rename method="post" action=(action) {
                                (shell.csrf())
                                input type="hidden" name="action" value="field";
                                input type="hidden" name="key" value=(f.key);
                                label.visually-hidden for={ "label-" (f.key) } { "Label of field " (n + 1) }
                                input #{ "label-" (f.key) } type="text" name="label" value=(f.label) required maxlength="255";
                                label.inline-check {
                                    input type="checkbox" name="required" checked[f.required];
                                    " Required"
                                }
                                button.small type="submit" { "Save" span.visually-hidden { " " (f.label) } }
                            }
                            span.muted.small { code { (f.key) } }
                            span.stage-actions {
                                (field_button(shell, &action, &f.key, &f.label, "move-up", n == 0))
                                (field_button(shell, &action, &f.key, &f.label, "move-down", n == last))
                                @if form.fields.len() > 1 {
                                    form.inline method="post" action=(action) {
                                        (shell.csrf())
                                        input type="hidden" name="action" value="remove";
                                        input type="hidden" name="key" value=(f.key);
                                        button.small.danger-outline type="submit" { "Remove" span.visually-hidden { " " (f.label) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !missing.is_empty() {
                    form.inline-form #add-standard method="post" action=(action) {
                        (shell.csrf())
                        input type="hidden" name="action" value="add-standard";
                        div.field {
                            label for="f-standard" { "Add a contact field" }
                            select #f-standard name="key" {
                                @for (key, label, _) in &missing { option value=(key) { (label) } }
                            }
                        }
                        label.inline-check { input type="checkbox" name="required"; " Required" }
                        button type="submit" { (icon("plus")) "Add field" }
                    }
                }
                form #add-question method="post" action=(action) {
                    (shell.csrf())
                    input type="hidden" name="action" value="add-question";
                    h3 { "Add a question of your own" }
                    div.grid {
                        (Input { label: "Question", name: "label", required: true, max_chars: Some(255),
                            value: if values.get("action") == "add-question" { values.get("label") } else { "" },
                            placeholder: Some("For example How many guests?"), ..Default::default() }.render(problems))
                        div.field {
                            label for="f-type" { "Answer" }
                            select #f-type name="type" {
                                @for (_, value, label) in QUESTION_TYPES { option value=(value) { (label) } }
                            }
                        }
                    }
                    (Input { label: "Choices", name: "options", kind: "textarea",
                        hint: Some("For a choice from a list: one choice per line."),
                        ..Default::default() }.render(problems))
                    label.inline-check { input type="checkbox" name="required"; " Required" }
                    div.actions.left { button type="submit" { (icon("plus")) "Add question" } }
                }
            }
            div.columns {
                section.card aria-labelledby="settings-title" {
                    h2 #settings-title { "After sending" }
                    form method="post" action=(action) {
                        (shell.csrf())
                        input type="hidden" name="action" value="settings";
                        (Input { label: "Form name", name: "name", required: true, max_chars: Some(255),
                            value: &value("name", Some(&form.name)), ..Default::default() }.render(problems))
                        (Input { label: "Thank-you message", name: "thankYouMessage", kind: "textarea",
                            max_chars: Some(1000), value: &value("thankYouMessage", form.thank_you.as_deref()),
                            placeholder: Some(crate::web::hosted_form::DEFAULT_THANKS), ..Default::default() }.render(problems))
                        (Input { label: "Redirect to", name: "redirectUrl", kind: "url", max_chars: Some(2000),
                            value: &value("redirectUrl", form.redirect_url.as_deref()),
                            hint: Some("A page of your website to send visitors to instead of the thank-you message."),
                            placeholder: Some("https://www.example.com/thanks"), ..Default::default() }.render(problems))
                        div.actions.left { button.primary type="submit" { "Save" } }
                    }
                }
                section.card aria-labelledby="share-title" {
                    h2 #share-title { "Share" }
                    div.field {
                        label for="hosted-link" { "Link to the public page" }
                        div.copy-row {
                            input #hosted-link type="text" readonly value=(hosted);
                            (copy_button(&hosted, "link"))
                        }
                    }
                    div.field {
                        label for="embed-snippet" { "Embed on your website" }
                        p.hint #embed-hint { "Paste this HTML into any page. It posts straight to Ivorey; style it like the rest of your site." }
                        textarea #embed-snippet readonly rows="8" aria-describedby="embed-hint" { (snippet) }
                        (copy_button(&snippet, "embed code"))
                    }
                }
            }
        }
    };
    shell.app_page(Area::Forms, &form.name, content)
}

fn field_button(
    shell: &Shell,
    action: &str,
    key: &str,
    label: &str,
    which: &str,
    at_end: bool,
) -> Markup {
    let (words, arrow) = match which {
        "move-up" => ("Move earlier", "arrow-up"),
        _ => ("Move later", "arrow-down"),
    };
    html! {
        form.inline method="post" action=(action) {
            (shell.csrf())
            input type="hidden" name="action" value=(which);
            input type="hidden" name="key" value=(key);
            button.small type="submit" disabled[at_end] title=(words) {
                (icon(arrow)) span.visually-hidden { (words) ": " (label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ivorey_core::form::FormField;
    use ivorey_core::{LocationId, Timestamp};

    fn form(keys: &[&str]) -> Form {
        Form {
            id: ivorey_core::ids::FormId::generate(),
            location_id: LocationId::generate(),
            name: "F".into(),
            fields: keys
                .iter()
                .map(|k| FormField {
                    key: (*k).into(),
                    label: "L".into(),
                    field_type: FieldType::Text,
                    required: false,
                    max_length: 255,
                    options: Vec::new(),
                })
                .collect(),
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
            thank_you: None,
            redirect_url: None,
        }
    }

    #[test]
    fn a_question_gets_a_key_of_its_own() {
        let f = form(&["howManyGuests"]);
        assert_eq!(key_for("How many guests?", &f), "howManyGuests2");
        assert_eq!(key_for("Date of the event", &f), "dateOfTheEvent");
        assert_eq!(key_for("¿?", &f), "question");
        assert_eq!(key_for("2 people", &f), "people");
    }

    #[test]
    fn the_snippet_escapes_labels_and_hides_the_honeypot() {
        let mut f = form(&["email"]);
        f.fields[0].label = "<b>Email</b>".into();
        let html = embed_snippet(&f, "https://crm.example.com");
        assert!(html.contains(&format!(
            "action=\"https://crm.example.com/forms/submit/{}\"",
            f.id
        )));
        assert!(html.contains("&lt;b&gt;Email&lt;/b&gt;") && !html.contains("<b>"));
        assert!(html.contains("name=\"_hp\""));
    }
}

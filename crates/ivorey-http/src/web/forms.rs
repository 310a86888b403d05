//! Posted forms as name/value pairs (checkboxes repeat a name), service validation errors shown
//! next to the fields they name, and the labelled inputs every form is built from.

use maud::{Markup, html};

use ivorey_app::AppError;

/// A form body, in the order the browser sent it.
#[derive(Debug, Default)]
pub(crate) struct FormData(pub Vec<(String, String)>);

impl FormData {
    /// The first value of `name`, or "" when absent.
    pub(crate) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name` (e.g. the checked scope boxes).
    pub(crate) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// What was wrong with a submitted form: sentences per field, and general ones.
#[derive(Debug, Default)]
pub(crate) struct Problems {
    fields: Vec<(String, String)>,
    general: Vec<String>,
}

impl Problems {
    pub(crate) fn none() -> Self {
        Self::default()
    }

    pub(crate) fn general(message: impl Into<String>) -> Self {
        Problems {
            fields: Vec::new(),
            general: vec![message.into()],
        }
    }

    /// Adds `other`'s problems after these.
    pub(crate) fn extend(&mut self, other: Problems) {
        self.fields.extend(other.fields);
        self.general.extend(other.general);
    }

    /// A problem shown beside the control named `field`.
    pub(crate) fn add_field(&mut self, field: &str, message: impl Into<String>) {
        self.fields.push((field.to_owned(), message.into()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// Turns a service's validation (422) or conflict (409) error into problems to show on the
    /// form; any other error is passed back to become an error page. Validation messages start
    /// with the field's name (`name must not be empty`); `labels` maps those names to the
    /// labels the form shows, and only the fields listed here are shown beside a control.
    pub(crate) fn from_error(e: AppError, labels: &[(&str, &str)]) -> Result<Problems, AppError> {
        let mut problems = Problems::none();
        match e {
            AppError::Invalid(errors) => {
                for message in errors.messages() {
                    let (field, rest) = message.split_once(' ').unwrap_or(("", &message));
                    match labels.iter().find(|(name, _)| *name == field) {
                        Some((name, label)) => problems
                            .fields
                            .push(((*name).to_owned(), format!("{label} {rest}."))),
                        None => problems.general.push(format!("{message}.")),
                    }
                }
                Ok(problems)
            }
            AppError::Conflict(message) => Ok(Problems::general(message)),
            other => Err(other),
        }
    }

    /// The problem with `field`, if any.
    pub(crate) fn field(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(name, _)| name == field)
            .map(|(_, message)| message.as_str())
    }

    /// The summary at the top of a form: every problem, linking to its field.
    pub(crate) fn summary(&self) -> Markup {
        if self.is_empty() {
            return html! {};
        }
        html! {
            div.notice.notice-error role="alert" tabindex="-1" #problems {
                p { strong { "Please correct the following:" } }
                ul {
                    @for (field, message) in &self.fields {
                        li { a href={ "#f-" (field) } { (message) } }
                    }
                    @for message in &self.general { li { (message) } }
                }
            }
        }
    }
}

/// One labelled text control, with an optional hint and its error beneath it.
#[derive(Debug, Default)]
pub(crate) struct Input<'a> {
    pub label: &'a str,
    pub name: &'a str,
    pub value: &'a str,
    /// `text` unless set: `email`, `password`, `tel`, `url`, or `textarea`.
    pub kind: &'a str,
    pub required: bool,
    pub hint: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
    pub max_chars: Option<usize>,
    pub read_only: bool,
    pub list: Option<&'a str>,
    pub placeholder: Option<&'a str>,
}

impl Input<'_> {
    pub(crate) fn render(&self, problems: &Problems) -> Markup {
        let id = format!("f-{}", self.name);
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let error = problems.field(self.name);
        let mut described = Vec::new();
        if self.hint.is_some() {
            described.push(hint_id.clone());
        }
        if error.is_some() {
            described.push(error_id.clone());
        }
        let described = (!described.is_empty()).then(|| described.join(" "));
        let kind = if self.kind.is_empty() {
            "text"
        } else {
            self.kind
        };
        let invalid = error.map(|_| "true");
        html! {
            div.field.field-invalid[error.is_some()] {
                label for=(id) {
                    (self.label)
                    @if !self.required && !self.read_only { span.optional { " (optional)" } }
                }
                @if kind == "textarea" {
                    textarea id=(id) name=(self.name) rows="3" required[self.required]
                        maxlength=[self.max_chars] readonly[self.read_only]
                        aria-describedby=[described.as_deref()] aria-invalid=[invalid] {
                        (self.value)
                    }
                } @else {
                    input id=(id) name=(self.name) type=(kind) value=(self.value)
                        required[self.required] maxlength=[self.max_chars]
                        autocomplete=[self.autocomplete] readonly[self.read_only]
                        list=[self.list] placeholder=[self.placeholder]
                        aria-describedby=[described.as_deref()] aria-invalid=[invalid];
                }
                @if let Some(hint) = self.hint { p.hint id=(hint_id) { (hint) } }
                @if let Some(error) = error { p.error id=(error_id) { (error) } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_messages_land_beside_their_fields() {
        let mut errors = ivorey_core::ValidationErrors::new();
        errors.add("name", "must not be empty");
        errors.add("scopes", "must contain at least one scope");
        let e = AppError::Invalid(errors);
        let problems = Problems::from_error(e, &[("name", "Name")]).unwrap();
        assert_eq!(problems.field("name"), Some("Name must not be empty."));
        assert_eq!(problems.field("scopes"), None);
        let summary = problems.summary().into_string();
        assert!(
            summary.contains("scopes must contain at least one scope."),
            "{summary}"
        );
    }

    #[test]
    fn values_are_escaped_in_inputs() {
        let input = Input {
            label: "Name",
            name: "name",
            value: "\"><script>alert(1)</script>",
            ..Default::default()
        };
        let html = input.render(&Problems::none()).into_string();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&quot;&gt;&lt;script&gt;"), "{html}");
    }
}

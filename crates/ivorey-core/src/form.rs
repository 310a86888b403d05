//! Forms: a location's form definitions (named, typed fields that admins manage) and the
//! submissions a website posts to them. Submission values are checked against the definition
//! here; which of them fill the contact is decided in `submission`.

mod submission;

use serde::{Deserialize, Serialize};

pub use submission::{HONEYPOT_FIELD, Submission, SubmissionValues};

use crate::error::{ValidationErrors, bounded_text};
use crate::ids::FormId;
use crate::{LocationId, Timestamp};

/// The most fields one form may have.
pub const FIELDS_MAX: usize = 50;
/// The most options one select field may offer.
pub const OPTIONS_MAX: usize = 100;
/// The longest value any field accepts, in characters.
pub const VALUE_MAX: u32 = 5000;
const NAME_MAX: usize = 255;
const KEY_MAX: usize = 50;
const THANKS_MAX: usize = 1000;
const URL_MAX: usize = 2000;

/// `https://host/...` or `http://host/...` with a host and no spaces: where a browser may be
/// sent after a submission (never `javascript:` or a relative path).
fn is_web_address(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !r.chars().any(char::is_whitespace)
    })
}

/// What kind of input a field is, and so how its value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Email,
    Phone,
    Textarea,
    Number,
    Checkbox,
    Select,
}

impl FieldType {
    /// The longest value when the definition names no `maxLength`.
    fn default_max(self) -> u32 {
        match self {
            FieldType::Textarea => VALUE_MAX,
            _ => 255,
        }
    }
}

/// One field of a form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    /// The name the website posts the value under, e.g. `email` or `message`.
    pub key: String,
    pub label: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[serde(default)]
    pub required: bool,
    /// The longest value accepted, in characters.
    pub max_length: u32,
    /// The accepted values of a select field (empty for other types).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A stored form definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub id: FormId,
    pub location_id: LocationId,
    pub name: String,
    pub fields: Vec<FormField>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// What a visitor reads after submitting (the default thanks when absent).
    pub thank_you: Option<String>,
    /// Where a visitor's browser goes after submitting instead, a page of the business's site.
    pub redirect_url: Option<String>,
}

impl Form {
    /// The summary HighLevel's `GET /forms/` lists.
    pub fn to_summary_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id.as_str(),
            "name": self.name,
            "locationId": self.location_id.as_str(),
        })
    }

    /// The whole definition, for the management API.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.id.as_str(),
            "name": self.name,
            "locationId": self.location_id.as_str(),
            "fields": self.fields,
            "thankYouMessage": self.thank_you,
            "redirectUrl": self.redirect_url,
            "createdAt": self.created_at.to_rfc3339(),
            "updatedAt": self.updated_at.to_rfc3339(),
        })
    }
}

/// A field as an admin sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormFieldInput {
    pub key: Option<String>,
    pub label: Option<String>,
    #[serde(rename = "type")]
    pub field_type: Option<FieldType>,
    #[serde(default)]
    pub required: bool,
    pub max_length: Option<u32>,
    #[serde(default)]
    pub options: Vec<String>,
}

/// The body that creates or replaces a form definition.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormInput {
    pub name: Option<String>,
    #[serde(default)]
    pub fields: Vec<FormFieldInput>,
    /// Shown after a submission; absent or empty for the default thanks.
    #[serde(default)]
    pub thank_you_message: Option<String>,
    /// An `http(s)` page the visitor's browser is sent to after a submission.
    #[serde(default)]
    pub redirect_url: Option<String>,
}

impl FormInput {
    /// A new form of `location`, or every problem with the input.
    pub fn into_form(
        self,
        location: &LocationId,
        now: Timestamp,
    ) -> Result<Form, ValidationErrors> {
        let (name, fields, (thank_you, redirect_url)) = self.validate()?;
        Ok(Form {
            id: FormId::generate(),
            location_id: location.clone(),
            name,
            fields,
            created_at: now,
            updated_at: now,
            thank_you,
            redirect_url,
        })
    }

    /// Replaces the name and fields of `form`.
    pub fn apply_to(self, mut form: Form, now: Timestamp) -> Result<Form, ValidationErrors> {
        let (name, fields, (thank_you, redirect_url)) = self.validate()?;
        form.name = name;
        form.fields = fields;
        form.thank_you = thank_you;
        form.redirect_url = redirect_url;
        form.updated_at = now;
        Ok(form)
    }

    /// The name, the fields, and the thank-you message and redirect.
    #[expect(
        clippy::type_complexity,
        reason = "a private tuple of the validated parts"
    )]
    fn validate(
        self,
    ) -> Result<(String, Vec<FormField>, (Option<String>, Option<String>)), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let thank_you = self
            .thank_you_message
            .as_deref()
            .and_then(|t| bounded_text(&mut e, "thankYouMessage", t, THANKS_MAX, false));
        let redirect_url = self
            .redirect_url
            .as_deref()
            .and_then(|u| bounded_text(&mut e, "redirectUrl", u, URL_MAX, false));
        if let Some(url) = &redirect_url
            && !is_web_address(url)
        {
            e.add(
                "redirectUrl",
                "must be a web address starting with https:// or http://",
            );
        }
        let name = match self.name.as_deref() {
            Some(name) => bounded_text(&mut e, "name", name, NAME_MAX, true),
            None => {
                e.add("name", "is required");
                None
            }
        };
        if self.fields.is_empty() {
            e.add("fields", "must have at least one field");
        }
        if self.fields.len() > FIELDS_MAX {
            e.add("fields", format!("must have at most {FIELDS_MAX} fields"));
            return Err(e);
        }
        let mut fields: Vec<FormField> = Vec::with_capacity(self.fields.len());
        for input in self.fields {
            if let Some(field) = validate_field(&mut e, input)
                && !fields.iter().any(|f| f.key == field.key)
            {
                fields.push(field);
            } else if e.is_empty() {
                e.add("fields", "keys must be unique");
            }
        }
        e.finish((name.unwrap_or_default(), fields, (thank_you, redirect_url)))
    }
}

/// A key is what a website posts a value under: a letter, then letters, digits or `_`. A
/// leading `_` is reserved (the honeypot field is `_hp`).
fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= KEY_MAX
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn validate_field(e: &mut ValidationErrors, input: FormFieldInput) -> Option<FormField> {
    let errors_before = e.0.len();
    let key = input.key.unwrap_or_default();
    if !valid_key(&key) {
        e.add(
            "fields.key",
            format!("must be a letter then letters, digits or _ (at most {KEY_MAX}): {key:?}"),
        );
    }
    let label = bounded_text(
        e,
        "fields.label",
        input.label.as_deref().unwrap_or(""),
        NAME_MAX,
        true,
    );
    let Some(field_type) = input.field_type else {
        e.add(
            "fields.type",
            "is required: text, email, phone, textarea, number, checkbox or select",
        );
        return None;
    };
    let max_length = input.max_length.unwrap_or(field_type.default_max());
    if !(1..=VALUE_MAX).contains(&max_length) {
        e.add(
            "fields.maxLength",
            format!("must be between 1 and {VALUE_MAX}"),
        );
    }
    let mut options = Vec::new();
    if field_type == FieldType::Select {
        if input.options.is_empty() || input.options.len() > OPTIONS_MAX {
            e.add(
                "fields.options",
                format!("a select field needs 1 to {OPTIONS_MAX} options"),
            );
        }
        for option in &input.options {
            if let Some(o) = bounded_text(e, "fields.options", option, NAME_MAX, true)
                && !options.contains(&o)
            {
                options.push(o);
            }
        }
    } else if !input.options.is_empty() {
        e.add("fields.options", "only a select field has options");
    }
    (e.0.len() == errors_before).then(|| FormField {
        key,
        label: label.unwrap_or_default(),
        field_type,
        required: input.required,
        max_length,
        options,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(json: &str) -> Result<Form, ValidationErrors> {
        let input: FormInput = serde_json::from_str(json).unwrap();
        input.into_form(&LocationId::generate(), Timestamp(1))
    }

    #[test]
    fn a_valid_definition_gets_default_lengths() {
        let f = form(
            r#"{"name":" Contact us ","fields":[
                {"key":"email","label":"Email","type":"email","required":true},
                {"key":"message","label":"Message","type":"textarea"},
                {"key":"size","label":"Size","type":"select","options":["S","M","M"]}]}"#,
        )
        .unwrap();
        assert_eq!(f.name, "Contact us");
        assert_eq!(f.fields[0].max_length, 255);
        assert_eq!(f.fields[1].max_length, VALUE_MAX);
        assert_eq!(f.fields[2].options, ["S", "M"]);
    }

    #[test]
    fn bad_definitions_name_each_problem() {
        let err = form(
            r#"{"fields":[{"key":"_hp","label":"x","type":"text"},
                {"key":"a","label":"","type":"select"},
                {"key":"b","label":"B","type":"text","options":["x"],"maxLength":0}]}"#,
        )
        .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "fields.key",
                "fields.label",
                "fields.options",
                "fields.maxLength",
                "fields.options"
            ]
        );
        let dup = form(
            r#"{"name":"x","fields":[{"key":"a","label":"A","type":"text"},
                {"key":"a","label":"A","type":"text"}]}"#,
        )
        .unwrap_err();
        assert_eq!(dup.messages(), ["fields keys must be unique"]);
    }

    #[test]
    fn at_most_fifty_fields() {
        let fields: Vec<String> = (0..=FIELDS_MAX)
            .map(|i| format!(r#"{{"key":"f{i}","label":"F","type":"text"}}"#))
            .collect();
        let err = form(&format!(
            r#"{{"name":"x","fields":[{}]}}"#,
            fields.join(",")
        ))
        .unwrap_err();
        assert_eq!(err.messages(), ["fields must have at most 50 fields"]);
    }
}

//! A submission: the values a website posted, checked against the form's fields, and the
//! contact fields they fill (a field keyed like a contact field, else the first email / phone
//! field). Keys the form does not define are ignored and not stored, so a website may post its
//! submit button or other extras without breaking.

use serde_json::{Map, Value};

use super::{FieldType, Form};
use crate::contact::CreateContactInput;
use crate::error::ValidationErrors;
use crate::ids::{FormId, SubmissionId};
use crate::{ContactId, LocationId, Timestamp};

/// The hidden field a website form includes and leaves empty; bots fill it in.
pub const HONEYPOT_FIELD: &str = "_hp";

/// Form keys (lowercased, without `_`) that fill a contact field of the same meaning.
const CONTACT_KEYS: &[(&str, &str)] = &[
    ("firstname", "firstName"),
    ("lastname", "lastName"),
    ("name", "name"),
    ("fullname", "name"),
    ("email", "email"),
    ("phone", "phone"),
    ("companyname", "companyName"),
    ("company", "companyName"),
    ("address1", "address1"),
    ("address", "address1"),
    ("city", "city"),
    ("state", "state"),
    ("postalcode", "postalCode"),
    ("zip", "postalCode"),
    ("country", "country"),
    ("website", "website"),
];

/// The values of one submission, checked and in the form's field order.
#[derive(Debug, Clone)]
pub struct SubmissionValues {
    pub values: Map<String, Value>,
    /// The contact fields the values fill, as a `POST /contacts/upsert` body would set them.
    pub contact: CreateContactInput,
}

/// A stored submission.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub id: SubmissionId,
    pub location_id: LocationId,
    pub form_id: FormId,
    pub contact_id: ContactId,
    /// The contact's name and email as submitted, for listings and search.
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub values: Map<String, Value>,
    pub created_at: Timestamp,
}

impl Submission {
    /// What `q` matches: contact id, name, email and phone, lowercased.
    pub fn search_text(&self) -> String {
        [
            Some(self.contact_id.as_str()),
            self.name.as_deref(),
            self.email.as_deref(),
        ]
        .into_iter()
        .chain([self.phone.as_deref()])
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
    }

    /// The HighLevel `FormsSubmissionsSubmissionsSchema` shape.
    pub fn to_json(&self) -> Value {
        let mut value = serde_json::json!({
            "id": self.id.as_str(),
            "contactId": self.contact_id.as_str(),
            "createdAt": self.created_at.to_rfc3339(),
            "formId": self.form_id.as_str(),
            "others": self.values,
        });
        if let Some(map) = value.as_object_mut() {
            if let Some(name) = &self.name {
                map.insert("name".into(), name.as_str().into());
            }
            if let Some(email) = &self.email {
                map.insert("email".into(), email.as_str().into());
            }
        }
        value
    }
}

impl Form {
    /// Checks posted values against the fields: required ones present, types and lengths
    /// respected, select values among the options. Unknown keys are ignored.
    pub fn check_submission(
        &self,
        posted: &Map<String, Value>,
    ) -> Result<SubmissionValues, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut values = Map::new();
        for field in &self.fields {
            // Error messages name the field by its key, which is not 'static: collect them.
            let mut problem =
                |message: String| e.add("fields", format!("{}: {message}", field.key));
            let raw = match posted.get(&field.key) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.trim().to_owned()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(Value::Bool(b)) => Some(b.to_string()),
                Some(_) => {
                    problem("must be a single value".into());
                    continue;
                }
            };
            let raw = raw.filter(|s| !s.is_empty());
            if field.field_type == FieldType::Checkbox {
                let checked = match raw.as_deref().map(str::to_ascii_lowercase).as_deref() {
                    None | Some("false" | "0" | "off" | "no") => false,
                    Some("true" | "1" | "on" | "yes") => true,
                    Some(_) => {
                        problem("must be checked or not".into());
                        continue;
                    }
                };
                if field.required && !checked {
                    problem("must be checked".into());
                }
                values.insert(field.key.clone(), checked.into());
                continue;
            }
            let Some(text) = raw else {
                if field.required {
                    problem("is required".into());
                }
                continue;
            };
            if text.chars().count() > field.max_length as usize {
                problem(format!("must be at most {} characters", field.max_length));
                continue;
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
            {
                problem("must not contain control characters".into());
                continue;
            }
            let ok = match field.field_type {
                FieldType::Email => crate::user::looks_like_email(&text),
                FieldType::Phone => looks_like_phone(&text),
                FieldType::Number => text.parse::<f64>().is_ok_and(f64::is_finite),
                FieldType::Select => field.options.contains(&text),
                _ => true,
            };
            if !ok {
                problem(match field.field_type {
                    FieldType::Email => "must be an email address".into(),
                    FieldType::Phone => "must be a phone number such as +1 888-888-8888".into(),
                    FieldType::Number => "must be a number".into(),
                    _ => format!("must be one of: {}", field.options.join(", ")),
                });
                continue;
            }
            values.insert(field.key.clone(), text.into());
        }
        let contact = self.contact_input(&values);
        e.finish(SubmissionValues { values, contact })
    }

    /// The contact fields the checked values fill.
    fn contact_input(&self, values: &Map<String, Value>) -> CreateContactInput {
        let mut contact = Map::new();
        for field in &self.fields {
            let Some(Value::String(text)) = values.get(&field.key) else {
                continue;
            };
            let normalised: String = field.key.to_ascii_lowercase().replace('_', "");
            let by_key = CONTACT_KEYS
                .iter()
                .find(|(k, _)| *k == normalised)
                .map(|(_, name)| *name);
            let by_type = match field.field_type {
                FieldType::Email => Some("email"),
                FieldType::Phone => Some("phone"),
                _ => None,
            };
            if let Some(name) = by_key.or(by_type) {
                contact.entry(name).or_insert_with(|| text.as_str().into());
            }
        }
        serde_json::from_value(Value::Object(contact)).unwrap_or_default()
    }
}

/// The contact phone rule: 5 to 20 digits, with spaces, `+-().` allowed.
fn looks_like_phone(p: &str) -> bool {
    let digits = p.chars().filter(char::is_ascii_digit).count();
    (5..=20).contains(&digits)
        && p.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::form::FormInput;

    fn contact_form() -> Form {
        let input: FormInput = serde_json::from_value(serde_json::json!({
            "name": "Contact",
            "fields": [
                {"key": "first_name", "label": "First name", "type": "text", "required": true},
                {"key": "work_email", "label": "Email", "type": "email", "required": true},
                {"key": "age", "label": "Age", "type": "number"},
                {"key": "consent", "label": "I agree", "type": "checkbox", "required": true},
                {"key": "size", "label": "Size", "type": "select", "options": ["S", "M"]},
                {"key": "note", "label": "Note", "type": "text", "maxLength": 5}
            ]
        }))
        .unwrap();
        input
            .into_form(&LocationId::generate(), Timestamp(1))
            .unwrap()
    }

    fn posted(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn valid_values_fill_the_contact_by_key_and_type() {
        let checked = contact_form()
            .check_submission(&posted(serde_json::json!({
                "first_name": " Ada ", "work_email": "ada@example.com", "age": 36,
                "consent": "on", "size": "M", "submit": "Send"
            })))
            .unwrap();
        assert_eq!(checked.values["first_name"], "Ada");
        assert_eq!(checked.values["age"], "36");
        assert_eq!(checked.values["consent"], true);
        assert!(!checked.values.contains_key("submit"));
        assert_eq!(
            checked.contact.email_lower().as_deref(),
            Some("ada@example.com")
        );
        let fields = checked.contact.into_fields().unwrap();
        assert_eq!(fields.first_name.as_deref(), Some("Ada"));
    }

    #[test]
    fn every_bad_value_is_named() {
        let err = contact_form()
            .check_submission(&posted(serde_json::json!({
                "work_email": "nope", "age": "many", "size": "XL", "note": "too long", "consent": []
            })))
            .unwrap_err();
        let messages = err.messages();
        assert_eq!(messages.len(), 6, "{messages:?}");
        for key in ["first_name", "work_email", "age", "consent", "size", "note"] {
            assert!(
                messages.iter().any(|m| m.contains(key)),
                "{key}: {messages:?}"
            );
        }
    }
}

//! Custom field definitions of a location (`/locations/{locationId}/customFields`): the record
//! and the validated create / update inputs in HighLevel's names. A field's key is
//! `<model>.<slug of its name>`, set at creation and unique in the location.

use serde::Deserialize;

use crate::error::{ValidationErrors, bounded_text};
use crate::ids::CustomFieldId;
use crate::{LocationId, Timestamp};

/// HighLevel's data types. File-upload settings (`acceptedFormat`, ...) are accepted and not
/// stored.
pub const DATA_TYPES: &[&str] = &[
    "TEXT",
    "LARGE_TEXT",
    "NUMERICAL",
    "PHONE",
    "MONETORY",
    "CHECKBOX",
    "SINGLE_OPTIONS",
    "MULTIPLE_OPTIONS",
    "FLOAT",
    "TIME",
    "DATE",
    "TEXTBOX_LIST",
    "FILE_UPLOAD",
    "SIGNATURE",
    "RADIO",
    "EMAIL",
];
/// Types whose values are picked from `options`, which they therefore need.
const WITH_OPTIONS: &[&str] = &[
    "CHECKBOX",
    "SINGLE_OPTIONS",
    "MULTIPLE_OPTIONS",
    "TEXTBOX_LIST",
    "RADIO",
];
const OPTIONS_MAX: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub struct CustomField {
    pub id: CustomFieldId,
    pub location_id: LocationId,
    /// `contact` or `opportunity`.
    pub model: String,
    pub name: String,
    pub field_key: String,
    pub data_type: String,
    pub placeholder: Option<String>,
    pub options: Vec<String>,
    pub position: i64,
    pub date_added: Timestamp,
}

impl CustomField {
    /// The field in the HighLevel response shape (`CustomFieldSchema`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "id": self.id.as_str(),
            "locationId": self.location_id.as_str(),
            "model": self.model,
            "name": self.name,
            "fieldKey": self.field_key,
            "dataType": self.data_type,
            "position": self.position,
            "picklistOptions": self.options,
            "dateAdded": self.date_added.to_rfc3339(),
        });
        if let (Some(map), Some(p)) = (value.as_object_mut(), &self.placeholder) {
            map.insert("placeholder".into(), p.as_str().into());
        }
        value
    }
}

/// One entry of `textBoxListOptions`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TextBoxOption {
    pub label: String,
    pub prefill_value: Option<String>,
}

/// The body of `POST` (name and dataType required) and `PUT` (name required; dataType and
/// the key do not change) of a custom field.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CustomFieldInput {
    pub name: Option<String>,
    pub data_type: Option<String>,
    pub placeholder: Option<String>,
    /// Ivorey's and HighLevel's v1 name for the choices; `picklistOptions` is accepted too.
    pub options: Option<Vec<String>>,
    pub picklist_options: Option<Vec<String>>,
    pub text_box_list_options: Option<Vec<TextBoxOption>>,
    pub position: Option<i64>,
    pub model: Option<String>,
    pub accepted_format: Option<Vec<String>>,
    pub is_multiple_file: Option<bool>,
    pub max_number_of_files: Option<u32>,
}

/// `contact.first_name` from ("contact", "First name!").
pub fn field_key(model: &str, name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('_') && !slug.is_empty() {
            slug.push('_');
        }
    }
    let slug = slug.trim_end_matches('_');
    format!("{model}.{}", if slug.is_empty() { "field" } else { slug })
}

impl CustomFieldInput {
    fn options(&mut self, e: &mut ValidationErrors) -> Option<Vec<String>> {
        let labels = self
            .text_box_list_options
            .take()
            .map(|o| o.into_iter().map(|o| o.label).collect::<Vec<_>>());
        let raw = self
            .options
            .take()
            .or(self.picklist_options.take())
            .or(labels)?;
        if raw.len() > OPTIONS_MAX {
            e.add(
                "options",
                format!("must have at most {OPTIONS_MAX} entries"),
            );
            return None;
        }
        let mut out: Vec<String> = Vec::new();
        for option in raw {
            if let Some(o) = bounded_text(e, "options", &option, 255, true)
                && !out.contains(&o)
            {
                out.push(o);
            }
        }
        Some(out)
    }

    /// A new definition in `location`.
    pub fn into_field(
        mut self,
        location: LocationId,
        now: Timestamp,
    ) -> Result<CustomField, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let model = self.model.take().unwrap_or_else(|| "contact".into());
        if model != "contact" && model != "opportunity" {
            e.add("model", "must be contact or opportunity");
        }
        let data_type = match self.data_type.take().map(|t| t.trim().to_ascii_uppercase()) {
            Some(t) if DATA_TYPES.contains(&t.as_str()) => t,
            Some(_) => {
                e.add(
                    "dataType",
                    format!("must be one of {}", DATA_TYPES.join(", ")),
                );
                String::new()
            }
            None => {
                e.add("dataType", "is required");
                String::new()
            }
        };
        let mut field = CustomField {
            id: CustomFieldId::generate(),
            location_id: location,
            field_key: String::new(),
            model,
            name: String::new(),
            data_type,
            placeholder: None,
            options: Vec::new(),
            position: 0,
            date_added: now,
        };
        self.apply(&mut e, &mut field);
        field.field_key = field_key(&field.model, &field.name);
        e.finish(field)
    }

    /// Applies a `PUT`: name, placeholder, options and position.
    pub fn apply_to(mut self, mut field: CustomField) -> Result<CustomField, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self
            .data_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case(&field.data_type))
        {
            e.add("dataType", "cannot change; create another field");
        }
        if self.model.as_deref().is_some_and(|m| m != field.model) {
            e.add("model", "cannot change; create another field");
        }
        self.apply(&mut e, &mut field);
        e.finish(field)
    }

    fn apply(&mut self, e: &mut ValidationErrors, field: &mut CustomField) {
        match self.name.as_deref() {
            Some(name) => {
                if let Some(name) = bounded_text(e, "name", name, 255, true) {
                    field.name = name;
                }
            }
            None => e.add("name", "is required"),
        }
        if let Some(p) = self.placeholder.take() {
            field.placeholder = bounded_text(e, "placeholder", &p, 255, false);
        }
        if let Some(options) = self.options(e) {
            field.options = options;
        }
        if WITH_OPTIONS.contains(&field.data_type.as_str()) && field.options.is_empty() {
            e.add(
                "options",
                format!("must list the choices of a {} field", field.data_type),
            );
        }
        if let Some(position) = self.position {
            if !(0..=100_000).contains(&position) {
                e.add("position", "must be between 0 and 100000");
            }
            field.position = position;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> CustomFieldInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn keys_are_slugs_of_the_name() {
        assert_eq!(field_key("contact", " Pin code! "), "contact.pin_code");
        assert_eq!(field_key("contact", "***"), "contact.field");
    }

    #[test]
    fn option_types_need_options_and_unknown_types_are_refused() {
        let loc = LocationId::generate();
        let err = input(r#"{"name":"Size","dataType":"SINGLE_OPTIONS"}"#)
            .into_field(loc.clone(), Timestamp(0))
            .unwrap_err();
        assert_eq!(err.0[0].field, "options");
        assert!(
            input(r#"{"name":"X","dataType":"BLOB"}"#)
                .into_field(loc.clone(), Timestamp(0))
                .is_err()
        );
        let ok = input(r#"{"name":"Size","dataType":"single_options","options":["S","M","S"]}"#)
            .into_field(loc, Timestamp(0))
            .unwrap();
        assert_eq!(
            (ok.field_key.as_str(), ok.options.len()),
            ("contact.size", 2)
        );
    }
}

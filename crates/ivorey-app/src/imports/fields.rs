//! What a CSV column can be imported as: the standard contact fields (by their API names, with
//! the labels the pages show and the header names each is guessed from), tags, do-not-disturb,
//! or one of the business's custom fields (`cf.<id>`); and how a row becomes the same
//! `CreateContactInput` the API's upsert takes.

use ivorey_core::LocationId;
use ivorey_core::contact::{CreateContactInput, CustomFieldInput};
use ivorey_core::custom_field::CustomField;

/// A standard target: API name, label, and header names it is guessed from (compared after
/// lowercasing and dropping everything but letters and digits).
pub type StandardField = (&'static str, &'static str, &'static [&'static str]);

/// Every standard target, in the order the mapping page offers them.
pub const STANDARD: &[StandardField] = &[
    (
        "firstName",
        "First name",
        &["firstname", "first", "givenname", "forename"],
    ),
    (
        "lastName",
        "Last name",
        &["lastname", "last", "surname", "familyname"],
    ),
    ("name", "Full name", &["name", "fullname", "contactname"]),
    ("email", "Email", &["email", "emailaddress", "mail"]),
    (
        "phone",
        "Phone",
        &["phone", "phonenumber", "mobile", "cell", "telephone", "tel"],
    ),
    (
        "companyName",
        "Company",
        &["company", "companyname", "organization", "organisation"],
    ),
    ("website", "Website", &["website", "web", "url", "site"]),
    (
        "address1",
        "Street address",
        &["streetaddress", "address", "address1", "street"],
    ),
    ("city", "City", &["city", "town"]),
    (
        "state",
        "State or region",
        &["stateorregion", "state", "region", "province"],
    ),
    (
        "postalCode",
        "Postal code",
        &["postalcode", "zip", "zipcode", "postcode"],
    ),
    ("country", "Country", &["country", "countrycode"]),
    ("timezone", "Time zone", &["timezone", "tz"]),
    ("source", "Source", &["source", "leadsource"]),
    ("gender", "Gender", &["gender"]),
    (
        "dateOfBirth",
        "Date of birth",
        &["dateofbirth", "birthday", "dob", "birthdate"],
    ),
    ("tags", "Tags (comma-separated)", &["tags", "tag", "labels"]),
    ("dnd", "Do not disturb (yes/no)", &["donotdisturb", "dnd"]),
];

/// The target of a custom field.
pub fn custom_target(field: &CustomField) -> String {
    format!("cf.{}", field.id)
}

fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(char::to_lowercase)
        .collect()
}

/// The label of a target, for the pages and refusal reasons.
pub fn label<'a>(target: &str, custom: &'a [CustomField]) -> Option<&'a str> {
    if let Some(f) = STANDARD.iter().find(|f| f.0 == target) {
        return Some(f.1);
    }
    custom
        .iter()
        .find(|f| custom_target(f) == target)
        .map(|f| f.name.as_str())
}

/// The target guessed for each header name: a standard field whose names match, else a
/// custom field of that name or key, else nothing; no target is guessed twice.
pub fn guess(header: &[String], custom: &[CustomField]) -> Vec<String> {
    let mut taken: Vec<String> = Vec::new();
    header
        .iter()
        .map(|name| {
            let key = squash(name);
            let standard = STANDARD
                .iter()
                .find(|f| f.2.contains(&key.as_str()) || squash(f.1) == key)
                .map(|f| f.0.to_owned());
            let custom = || {
                custom
                    .iter()
                    .find(|f| squash(&f.name) == key || squash(&f.field_key) == key)
                    .map(custom_target)
            };
            match standard.or_else(custom) {
                Some(target) if !key.is_empty() && !taken.contains(&target) => {
                    taken.push(target.clone());
                    target
                }
                _ => String::new(),
            }
        })
        .collect()
}

/// Whether `target` is one a column may be mapped to (empty: not imported).
pub fn is_target(target: &str, custom: &[CustomField]) -> bool {
    target.is_empty() || label(target, custom).is_some()
}

/// A cell as imported: trimmed, with the `'` that an export put before `= + - @` (against
/// spreadsheet formulas) taken off again, so an export imports back as it was.
fn cell_value(cell: &str) -> &str {
    let cell = cell.trim();
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}

/// The upsert input of a row, or why it is refused before validation.
pub fn row_input(
    location: &LocationId,
    header_len: usize,
    mapping: &[String],
    cells: &[String],
) -> Result<CreateContactInput, String> {
    if cells.len() > header_len {
        return Err(format!(
            "The row has {} cells; the header has {header_len} columns.",
            cells.len()
        ));
    }
    let mut input = CreateContactInput {
        location_id: Some(location.to_string()),
        ..Default::default()
    };
    let mut custom = Vec::new();
    for (target, cell) in mapping.iter().zip(cells) {
        let value = cell_value(cell);
        if target.is_empty() || value.is_empty() {
            continue;
        }
        let text = Some(Some(value.to_owned()));
        match target.as_str() {
            "firstName" => input.first_name = text,
            "lastName" => input.last_name = text,
            "name" => input.name = text,
            "email" => input.email = text,
            "phone" => input.phone = text,
            "companyName" => input.company_name = text,
            "website" => input.website = text,
            "address1" => input.address1 = text,
            "city" => input.city = text,
            "state" => input.state = text,
            "postalCode" => input.postal_code = text,
            "country" => input.country = text,
            "timezone" => input.timezone = text,
            "source" => input.source = text,
            "gender" => input.gender = text,
            "dateOfBirth" => input.date_of_birth = text,
            "tags" => {
                let tags: Vec<String> = value
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect();
                input.tags = (!tags.is_empty()).then_some(tags);
            }
            "dnd" => {
                input.dnd = match value.to_lowercase().as_str() {
                    "yes" | "y" | "true" | "1" | "on" => Some(true),
                    "no" | "n" | "false" | "0" | "off" => Some(false),
                    _ => {
                        return Err(format!(
                            "Do not disturb must be yes or no, not \"{value}\"."
                        ));
                    }
                }
            }
            other => {
                if let Some(id) = other.strip_prefix("cf.") {
                    custom.push(CustomFieldInput {
                        id: Some(id.to_owned()),
                        key: None,
                        field_value: None,
                        value: Some(serde_json::Value::String(value.to_owned())),
                    });
                }
            }
        }
    }
    input.custom_fields = (!custom.is_empty()).then_some(custom);
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_header_names_are_guessed_once_each() {
        let header: Vec<String> = [
            "E-mail",
            "First Name",
            "surname",
            "Phone Number",
            "Notes",
            "email",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            guess(&header, &[]),
            ["email", "firstName", "lastName", "phone", "", ""]
        );
    }

    #[test]
    fn an_exported_formula_guard_is_taken_off() {
        assert_eq!(cell_value("'+1 555 0100"), "+1 555 0100");
        assert_eq!(cell_value("'quoted"), "'quoted");
    }

    #[test]
    fn a_row_longer_than_the_header_is_refused() {
        let location = LocationId::generate();
        let mapping = vec!["email".to_owned()];
        let cells = vec!["a@example.com".to_owned(), "extra".to_owned()];
        assert!(row_input(&location, 1, &mapping, &cells).is_err());
        let ok = row_input(&location, 1, &mapping, &cells[..1]).expect("input");
        assert_eq!(ok.email_lower().as_deref(), Some("a@example.com"));
    }
}

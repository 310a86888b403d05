//! Contacts: the record, and the validated create and update inputs in HighLevel's field names.

use serde::{Deserialize, Serialize};

use crate::changed_by::ChangedBy;
use crate::error::{ValidationErrors, bounded_text};
use crate::ids::NoteId;
use crate::{ContactId, LocationId, Timestamp, UserId};

pub const TAGS_MAX: usize = 100;
/// The longest note body, in characters after trimming.
pub const NOTE_BODY_MAX: usize = 5000;
pub const CUSTOM_FIELDS_MAX: usize = 100;
const TEXT_MAX: usize = 255;

/// A custom field value on a contact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomFieldValue {
    pub id: String,
    pub value: serde_json::Value,
}

/// The data of a contact; everything a client may set. Unset fields are left out when written
/// (responses never show `null` for them; stored rows read back the same either way).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    #[serde(default)]
    pub dnd: bool,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub custom_fields: Vec<CustomFieldValue>,
}

impl ContactFields {
    /// How people see the contact: first and last name, else the name, email or phone, else
    /// "Unnamed contact".
    pub fn display_name(&self) -> String {
        fn set(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|v| !v.is_empty())
        }
        let full = [set(&self.first_name), set(&self.last_name)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if !full.is_empty() {
            return full;
        }
        set(&self.name)
            .or(set(&self.email))
            .or(set(&self.phone))
            .unwrap_or("Unnamed contact")
            .to_owned()
    }

    /// Adds tags, normalised as on create (trimmed, lowercased, no duplicates), keeping the
    /// existing ones; refuses to grow past `TAGS_MAX`.
    pub fn add_tags(&mut self, tags: Vec<String>) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut all = std::mem::take(&mut self.tags);
        all.extend(tags);
        self.tags = normalize_tags(&mut e, all);
        e.finish(())
    }

    /// Removes tags, compared as normalised (case-insensitive, trimmed).
    pub fn remove_tags(&mut self, tags: &[String]) {
        let gone: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).collect();
        self.tags.retain(|t| !gone.contains(t));
    }
}

/// A stored contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: ContactId,
    pub location_id: LocationId,
    pub fields: ContactFields,
    pub date_added: Timestamp,
    pub date_updated: Timestamp,
    /// Who created it, when known (records from before attribution, and seeds, have none).
    pub created_by: Option<ChangedBy>,
    /// Who changed it last (its creator until someone else does).
    pub updated_by: Option<ChangedBy>,
}

impl Contact {
    /// Marks a write by `by`: the last change, and the creation too for a new contact.
    pub fn changed_by(&mut self, by: ChangedBy, new: bool) {
        if new {
            self.created_by = Some(by.clone());
        }
        self.updated_by = Some(by);
    }

    /// Lowercased email, kept in its own column for lookups.
    pub fn email_lower(&self) -> Option<String> {
        self.fields.email.as_deref().map(str::to_lowercase)
    }

    /// The phone in the form upserts and searches compare (`normalize_phone`).
    pub fn phone_norm(&self) -> Option<String> {
        self.fields.phone.as_deref().and_then(normalize_phone)
    }

    /// Lowercased first name, empty when unset: the `firstNameLowerCase` sort key.
    pub fn first_name_lower(&self) -> String {
        self.fields
            .first_name
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
    }

    /// Lowercased last name, empty when unset: the `lastNameLowerCase` sort key.
    pub fn last_name_lower(&self) -> String {
        self.fields
            .last_name
            .as_deref()
            .unwrap_or("")
            .to_lowercase()
    }

    /// Lowercased name, email, phone and company: what a conversation search matches its
    /// contact against (contact queries use `contact_terms`).
    pub fn search_text(&self) -> String {
        let f = &self.fields;
        [
            &f.name,
            &f.first_name,
            &f.last_name,
            &f.email,
            &f.phone,
            &f.company_name,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
    }

    /// The contact in the HighLevel response shape, serialized straight from the contact (no
    /// intermediate `Value`: lists and reads of contacts are hot).
    pub fn view(&self) -> ContactView<'_> {
        ContactView {
            id: self.id.as_str(),
            location_id: self.location_id.as_str(),
            email_lower_case: self.email_lower(),
            date_added: self.date_added.to_rfc3339(),
            date_updated: self.date_updated.to_rfc3339(),
            fields: &self.fields,
        }
    }

    /// The response shape as a `Value`, for replies that add to it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.view()).unwrap_or_default()
    }
}

/// A contact as the API shows it: its fields beside its id, location and dates.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactView<'a> {
    id: &'a str,
    location_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_lower_case: Option<String>,
    date_added: String,
    date_updated: String,
    #[serde(flatten)]
    fields: &'a ContactFields,
}

/// The form phones are compared in: `+` followed by every digit of the number, everything else
/// dropped (`+1 (888) 555-0101` and `1-888-555-0101` both give `+18885550101`). No country is
/// inferred, so a national number only matches the same national digits. `None` without digits.
pub fn normalize_phone(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    (!digits.is_empty()).then(|| format!("+{digits}"))
}

/// A custom field as clients send it: `{id | key, field_value | value}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldInput {
    pub id: Option<String>,
    pub key: Option<String>,
    pub field_value: Option<serde_json::Value>,
    pub value: Option<serde_json::Value>,
}

macro_rules! contact_input {
    ($(#[$meta:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        pub struct $name {
            $($extra)*
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub first_name: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub last_name: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub name: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub email: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub phone: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub company_name: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub address1: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub city: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub state: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub postal_code: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub country: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub website: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub timezone: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub source: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub gender: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub date_of_birth: Option<Option<String>>,
            #[serde(default, deserialize_with = "crate::serde_util::double_option")]
            pub assigned_to: Option<Option<String>>,
            pub dnd: Option<bool>,
            pub tags: Option<Vec<String>>,
            pub custom_fields: Option<Vec<CustomFieldInput>>,
        }
    };
}

contact_input!(
    /// The body of `POST /contacts/`.
    CreateContactInput { pub location_id: Option<String>, }
);
contact_input!(
    /// The body of `PUT /contacts/{contactId}`: absent fields stay, `null` clears.
    UpdateContactInput {}
);

impl CreateContactInput {
    /// The new contact's fields, validated.
    pub fn into_fields(self) -> Result<ContactFields, ValidationErrors> {
        let fields = self.into_update().apply_to(ContactFields::default())?;
        if fields.first_name.is_none()
            && fields.last_name.is_none()
            && fields.name.is_none()
            && fields.email.is_none()
            && fields.phone.is_none()
        {
            return Err(ValidationErrors::single(
                "contact",
                "needs at least one of firstName, lastName, name, email or phone",
            ));
        }
        Ok(fields)
    }

    /// The lowercased email this body sets, if any: what an upsert matches on.
    pub fn email_lower(&self) -> Option<String> {
        let email = self.email.as_ref()?.as_deref()?.trim();
        (!email.is_empty()).then(|| email.to_lowercase())
    }

    /// The normalised phone this body sets, if any: an upsert's second match key.
    pub fn phone_norm(&self) -> Option<String> {
        self.phone.as_ref()?.as_deref().and_then(normalize_phone)
    }

    /// The fields of `current` that are empty, filled from this body; nothing `current` already
    /// holds changes (for an anonymous form submission that matched a contact: whoever knows an
    /// email must not be able to rename that contact or change its phone). The name stays what
    /// it was when it was set; tags and custom fields are filled only when there are none.
    pub fn fill_empty(self, current: ContactFields) -> Result<ContactFields, ValidationErrors> {
        let mut change = self.into_update();
        let keep = |slot: &mut Option<Option<String>>, held: &Option<String>| {
            if held.as_deref().is_some_and(|v| !v.trim().is_empty())
                || slot.as_ref().is_some_and(Option::is_none)
            {
                *slot = None;
            }
        };
        keep(&mut change.first_name, &current.first_name);
        keep(&mut change.last_name, &current.last_name);
        keep(&mut change.email, &current.email);
        keep(&mut change.phone, &current.phone);
        keep(&mut change.company_name, &current.company_name);
        keep(&mut change.address1, &current.address1);
        keep(&mut change.city, &current.city);
        keep(&mut change.state, &current.state);
        keep(&mut change.postal_code, &current.postal_code);
        keep(&mut change.country, &current.country);
        keep(&mut change.website, &current.website);
        keep(&mut change.timezone, &current.timezone);
        keep(&mut change.source, &current.source);
        keep(&mut change.gender, &current.gender);
        keep(&mut change.date_of_birth, &current.date_of_birth);
        keep(&mut change.assigned_to, &current.assigned_to);
        keep(&mut change.name, &current.name);
        if current.name.is_some() {
            // Naming it keeps it: a filled last name must not re-derive "First Last".
            change.name = Some(current.name.clone());
        }
        change.dnd = None;
        if !current.tags.is_empty() {
            change.tags = None;
        }
        if !current.custom_fields.is_empty() {
            change.custom_fields = None;
        }
        change.apply_to(current)
    }

    /// The same fields as a change to an existing contact (for an upsert that matched).
    pub fn into_update(self) -> UpdateContactInput {
        UpdateContactInput {
            first_name: self.first_name,
            last_name: self.last_name,
            name: self.name,
            email: self.email,
            phone: self.phone,
            company_name: self.company_name,
            address1: self.address1,
            city: self.city,
            state: self.state,
            postal_code: self.postal_code,
            country: self.country,
            website: self.website,
            timezone: self.timezone,
            source: self.source,
            gender: self.gender,
            date_of_birth: self.date_of_birth,
            assigned_to: self.assigned_to,
            dnd: self.dnd,
            tags: self.tags,
            custom_fields: self.custom_fields,
        }
    }
}

impl UpdateContactInput {
    /// Applies this change to `current`, validating every field it sets.
    pub fn apply_to(self, mut current: ContactFields) -> Result<ContactFields, ValidationErrors> {
        let mut e = ValidationErrors::new();
        // A name that was derived from first + last follows them; one set explicitly stays.
        let name_was_derived = current.name.is_none() || current.name == full_name(&current);
        let name_given = self.name.is_some();
        let mut text =
            |field: &'static str, slot: &mut Option<String>, v: Option<Option<String>>| {
                if let Some(v) = v {
                    *slot = v.and_then(|v| bounded_text(&mut e, field, &v, TEXT_MAX, false));
                }
            };
        text("firstName", &mut current.first_name, self.first_name);
        text("lastName", &mut current.last_name, self.last_name);
        text("name", &mut current.name, self.name);
        text("email", &mut current.email, self.email);
        text("phone", &mut current.phone, self.phone);
        text("companyName", &mut current.company_name, self.company_name);
        text("address1", &mut current.address1, self.address1);
        text("city", &mut current.city, self.city);
        text("state", &mut current.state, self.state);
        text("postalCode", &mut current.postal_code, self.postal_code);
        text("country", &mut current.country, self.country);
        text("website", &mut current.website, self.website);
        text("timezone", &mut current.timezone, self.timezone);
        text("source", &mut current.source, self.source);
        text("gender", &mut current.gender, self.gender);
        text(
            "dateOfBirth",
            &mut current.date_of_birth,
            self.date_of_birth,
        );
        text("assignedTo", &mut current.assigned_to, self.assigned_to);
        if let Some(dnd) = self.dnd {
            current.dnd = dnd;
        }
        if let Some(tags) = self.tags {
            current.tags = normalize_tags(&mut e, tags);
        }
        if let Some(fields) = self.custom_fields {
            current.custom_fields = normalize_custom_fields(&mut e, fields);
        }
        check_formats(&mut e, &current);
        if current.name.is_none() || (!name_given && name_was_derived) {
            current.name = full_name(&current);
        }
        e.finish(current)
    }
}

/// "First Last", or whichever of the two is set.
fn full_name(fields: &ContactFields) -> Option<String> {
    let full = [fields.first_name.as_deref(), fields.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!full.is_empty()).then_some(full)
}

fn check_formats(e: &mut ValidationErrors, c: &ContactFields) {
    if c.email
        .as_deref()
        .is_some_and(|m| !crate::user::looks_like_email(m))
    {
        e.add("email", "must be an email address");
    }
    let phone_ok = |p: &str| {
        let digits = p.chars().filter(char::is_ascii_digit).count();
        (5..=20).contains(&digits)
            && p.chars()
                .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    };
    if c.phone.as_deref().is_some_and(|p| !phone_ok(p)) {
        e.add("phone", "must be a phone number such as +1 888-888-8888");
    }
    if c.country
        .as_deref()
        .is_some_and(|cc| cc.len() != 2 || !cc.chars().all(|c| c.is_ascii_alphabetic()))
    {
        e.add("country", "must be a two-letter country code such as US");
    }
    if c.date_of_birth.as_deref().is_some_and(|d| {
        time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]")).is_err()
    }) {
        e.add("dateOfBirth", "must be a date in YYYY-MM-DD format");
    }
}

fn normalize_tags(e: &mut ValidationErrors, tags: Vec<String>) -> Vec<String> {
    if tags.len() > TAGS_MAX {
        e.add("tags", format!("must have at most {TAGS_MAX} entries"));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::with_capacity(tags.len());
    for tag in tags {
        // HighLevel stores tags lowercased; duplicates collapse.
        let tag = bounded_text(e, "tags", &tag, 100, false).map(|t| t.to_lowercase());
        if let Some(tag) = tag.filter(|t| !out.contains(t)) {
            out.push(tag);
        }
    }
    out
}

fn normalize_custom_fields(
    e: &mut ValidationErrors,
    fields: Vec<CustomFieldInput>,
) -> Vec<CustomFieldValue> {
    if fields.len() > CUSTOM_FIELDS_MAX {
        e.add(
            "customFields",
            format!("must have at most {CUSTOM_FIELDS_MAX} entries"),
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(fields.len());
    for field in fields {
        let Some(id) = field
            .id
            .or(field.key)
            .filter(|k| !k.trim().is_empty() && k.len() <= 100)
        else {
            e.add(
                "customFields",
                "each entry needs an id or key of at most 100 characters",
            );
            continue;
        };
        let value = field
            .field_value
            .or(field.value)
            .unwrap_or(serde_json::Value::Null);
        if value.to_string().len() > 10_000 {
            e.add(
                "customFields",
                "a value must be at most 10000 bytes of JSON",
            );
            continue;
        }
        out.push(CustomFieldValue { id, value });
    }
    out
}

/// A note on a contact. Its location is the contact's; the store keeps both together.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub id: NoteId,
    pub contact_id: ContactId,
    pub body: String,
    pub user_id: Option<UserId>,
    pub date_added: Timestamp,
    /// Who wrote it and who changed it last (attribution; not in the API's shape).
    pub created_by: Option<ChangedBy>,
    pub updated_by: Option<ChangedBy>,
}

impl Note {
    /// The note in the HighLevel response shape.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "id": self.id.as_str(),
            "body": self.body,
            "dateAdded": self.date_added.to_rfc3339(),
            "contactId": self.contact_id.as_str(),
        });
        if let (Some(user), Some(map)) = (&self.user_id, value.as_object_mut()) {
            map.insert("userId".into(), user.as_str().into());
        }
        value
    }
}

/// A note's body as clients send it, on create (`body` required) and update (all optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NoteInput {
    pub body: Option<String>,
    pub user_id: Option<String>,
}

impl NoteInput {
    fn validate(
        self,
        body_required: bool,
    ) -> Result<(Option<String>, Option<UserId>), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let body = match &self.body {
            Some(text) => bounded_text(&mut errors, "body", text, NOTE_BODY_MAX, true),
            None => {
                if body_required {
                    errors.add("body", "is required");
                }
                None
            }
        };
        let user = match self.user_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => match UserId::parse(raw) {
                Ok(id) => Some(id),
                Err(e) => {
                    errors.add("userId", e.to_string());
                    None
                }
            },
        };
        errors.finish((body, user))
    }

    /// A new note on `contact` written by `by`, or every problem with the input.
    pub fn into_note(
        self,
        contact: ContactId,
        now: Timestamp,
        by: &ChangedBy,
    ) -> Result<Note, ValidationErrors> {
        let (body, user_id) = self.validate(true)?;
        Ok(Note {
            id: NoteId::generate(),
            contact_id: contact,
            body: body.unwrap_or_default(),
            user_id,
            date_added: now,
            created_by: Some(by.clone()),
            updated_by: Some(by.clone()),
        })
    }

    /// Applies the fields given (an absent field keeps its value), changed by `by`.
    pub fn apply_to(self, mut note: Note, by: &ChangedBy) -> Result<Note, ValidationErrors> {
        let (body, user_id) = self.validate(false)?;
        note.updated_by = Some(by.clone());
        if let Some(body) = body {
            note.body = body;
        }
        if user_id.is_some() {
            note.user_id = user_id;
        }
        Ok(note)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(json: &str) -> Result<ContactFields, ValidationErrors> {
        serde_json::from_str::<CreateContactInput>(json)
            .unwrap()
            .into_fields()
    }

    #[test]
    fn create_builds_name_and_normalises_tags() {
        let f = create(r#"{"firstName":" Rosan ","lastName":"Deo","tags":["VIP","vip"," lead "]}"#)
            .unwrap();
        assert_eq!(f.name.as_deref(), Some("Rosan Deo"));
        assert_eq!(f.tags, ["vip", "lead"]);
    }

    #[test]
    fn filling_empty_fields_never_changes_a_held_value() {
        let current =
            create(r#"{"firstName":"Ann","email":"ann@example.com","phone":"+1 555 0100 1"}"#)
                .unwrap();
        let posted: CreateContactInput = serde_json::from_str(
            r#"{"firstName":"Mallory","lastName":"Evil","email":"ANN@example.com","phone":"+1 555 9999 9","city":"Dolomite"}"#,
        )
        .unwrap();
        let filled = posted.fill_empty(current.clone()).unwrap();
        assert_eq!(filled.first_name.as_deref(), Some("Ann"));
        assert_eq!(filled.email, current.email);
        assert_eq!(filled.phone, current.phone);
        assert_eq!(
            filled.name.as_deref(),
            Some("Ann"),
            "the name is not re-derived"
        );
        assert_eq!(
            filled.last_name.as_deref(),
            Some("Evil"),
            "an empty field is filled"
        );
        assert_eq!(filled.city.as_deref(), Some("Dolomite"));
    }

    #[test]
    fn create_needs_some_identity_and_valid_formats() {
        assert!(create(r#"{"city":"Dolomite"}"#).is_err());
        let err = create(r#"{"email":"nope","phone":"call me","country":"USA"}"#).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "phone", "country"]);
    }

    #[test]
    fn phones_normalise_to_plus_and_digits() {
        assert_eq!(
            normalize_phone("+1 (888) 555-0101").as_deref(),
            Some("+18885550101")
        );
        assert_eq!(
            normalize_phone("1.888.555.0101").as_deref(),
            Some("+18885550101")
        );
        assert_eq!(normalize_phone(" - "), None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(
            serde_json::from_str::<CreateContactInput>(r#"{"firstName":"a","foo":1}"#).is_err()
        );
    }

    #[test]
    fn a_derived_name_follows_first_and_last_but_an_explicit_one_stays() {
        let current = create(r#"{"firstName":"Ada"}"#).unwrap();
        let update: UpdateContactInput =
            serde_json::from_str(r#"{"lastName":"Lovelace"}"#).unwrap();
        let next = update.apply_to(current).unwrap();
        assert_eq!(next.name.as_deref(), Some("Ada Lovelace"));
        let named = create(r#"{"firstName":"Ada","name":"Countess"}"#).unwrap();
        let update: UpdateContactInput =
            serde_json::from_str(r#"{"lastName":"Lovelace"}"#).unwrap();
        assert_eq!(
            update.apply_to(named).unwrap().name.as_deref(),
            Some("Countess")
        );
    }

    #[test]
    fn update_keeps_absent_fields_and_clears_nulls() {
        let current = create(r#"{"firstName":"A","email":"a@x.io","city":"Paris"}"#).unwrap();
        let update: UpdateContactInput =
            serde_json::from_str(r#"{"city":null,"lastName":"B"}"#).unwrap();
        let next = update.apply_to(current).unwrap();
        assert_eq!(next.city, None);
        assert_eq!(next.email.as_deref(), Some("a@x.io"));
        assert_eq!(next.last_name.as_deref(), Some("B"));
    }
}

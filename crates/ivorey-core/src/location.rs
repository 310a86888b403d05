//! Locations (business accounts) and their business profile.

use serde::Serialize;

use crate::error::{ValidationErrors, bounded_text};
use crate::{LocationId, Timestamp};

/// A business account and its profile, as Settings > Business shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub id: LocationId,
    pub profile: BusinessProfile,
    pub created_at: Timestamp,
}

/// The editable business profile. Only `name` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BusinessProfile {
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
    pub website: Option<String>,
    pub timezone: Option<String>,
}

impl BusinessProfile {
    /// Trims and bounds every field; an email must look like one, a time zone like `Area/City`.
    pub fn validate(self) -> Result<Self, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let opt = |e: &mut ValidationErrors, field, v: Option<String>, max| {
            v.and_then(|v| bounded_text(e, field, &v, max, false))
        };
        let name = bounded_text(&mut e, "name", &self.name, 100, true).unwrap_or_default();
        let email = opt(&mut e, "email", self.email, 254);
        if email
            .as_deref()
            .is_some_and(|m| !crate::user::looks_like_email(m))
        {
            e.add("email", "must be an email address");
        }
        let timezone = opt(&mut e, "timezone", self.timezone, 64);
        if timezone
            .as_deref()
            .is_some_and(|tz| !crate::wall_clock::is_known_zone(tz))
        {
            e.add(
                "timezone",
                "must be an IANA time zone name such as America/New_York or UTC",
            );
        }
        let profile = BusinessProfile {
            name,
            email,
            phone: opt(&mut e, "phone", self.phone, 40),
            address: opt(&mut e, "address", self.address, 200),
            city: opt(&mut e, "city", self.city, 100),
            state: opt(&mut e, "state", self.state, 100),
            postal_code: opt(&mut e, "postalCode", self.postal_code, 20),
            country: opt(&mut e, "country", self.country, 2),
            website: opt(&mut e, "website", self.website, 200),
            timezone,
        };
        e.finish(profile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_requires_a_name_and_checks_email_and_timezone() {
        let bad = BusinessProfile {
            name: " ".into(),
            email: Some("nope".into()),
            timezone: Some("Mars Time".into()),
            ..Default::default()
        };
        let err = bad.validate().unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "timezone"]);
        let good = BusinessProfile {
            name: " Acme ".into(),
            timezone: Some("America/New_York".into()),
            ..Default::default()
        };
        assert_eq!(good.validate().unwrap().name, "Acme");
    }
}

//! Settings > Business: the business profile form, and in General Information the Location ID
//! with its [⧉] copy button. Members see the profile; only admins can change it.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_core::location::BusinessProfile;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::{Posted, Viewer};
use super::error::{WebError, WebResult};
use super::forms::{FormData, Input, Problems};
use super::layout::{Tone, copy_button, notice};
use super::shell::{Section, Shell};
use crate::state::AppState;
use ivorey_app::accounts;

/// The profile's fields: form name (as the services name them in errors), label, input kind,
/// autocomplete, most characters, hint.
type FieldSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    usize,
    Option<&'static str>,
);

const GENERAL: &[FieldSpec] = &[
    ("name", "Business name", "text", "organization", 100, None),
    ("email", "Business email", "email", "email", 254, None),
    ("phone", "Business phone", "tel", "tel", 40, None),
    (
        "website",
        "Website",
        "url",
        "url",
        200,
        Some("For example https://www.example.com"),
    ),
];

const ADDRESS: &[FieldSpec] = &[
    (
        "address",
        "Street address",
        "text",
        "street-address",
        200,
        None,
    ),
    ("city", "City", "text", "address-level2", 100, None),
    (
        "state",
        "State or region",
        "text",
        "address-level1",
        100,
        None,
    ),
    ("postalCode", "Postal code", "text", "postal-code", 20, None),
    (
        "country",
        "Country",
        "text",
        "country",
        2,
        Some("Two-letter code, for example US or GB"),
    ),
    (
        "timezone",
        "Time zone",
        "text",
        "off",
        64,
        Some("For example America/New_York, Europe/London or UTC"),
    ),
];

pub(crate) const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Amsterdam",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

fn labels() -> Vec<(&'static str, &'static str)> {
    GENERAL.iter().chain(ADDRESS).map(|f| (f.0, f.1)).collect()
}

fn values_of(profile: &BusinessProfile) -> FormData {
    let pairs = [
        ("name", Some(&profile.name)),
        ("email", profile.email.as_ref()),
        ("phone", profile.phone.as_ref()),
        ("address", profile.address.as_ref()),
        ("city", profile.city.as_ref()),
        ("state", profile.state.as_ref()),
        ("postalCode", profile.postal_code.as_ref()),
        ("country", profile.country.as_ref()),
        ("website", profile.website.as_ref()),
        ("timezone", profile.timezone.as_ref()),
    ];
    FormData(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.cloned().unwrap_or_default()))
            .collect(),
    )
}

fn profile_of(form: &FormData) -> BusinessProfile {
    let opt = |name: &str| Some(form.get(name).to_owned());
    BusinessProfile {
        name: form.get("name").to_owned(),
        email: opt("email"),
        phone: opt("phone"),
        address: opt("address"),
        city: opt("city"),
        state: opt("state"),
        postal_code: opt("postalCode"),
        country: opt("country"),
        website: opt("website"),
        timezone: opt("timezone"),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let found = state
        .store
        .get_location(&shell.location)
        .await?
        .ok_or_else(|| {
            WebError::plain(
                StatusCode::NOT_FOUND,
                "Business not found",
                "This business no longer exists.",
            )
        })?;
    let saved = done.done.as_deref() == Some("saved");
    Ok(page(
        &shell,
        &values_of(&found.profile),
        saved,
        &Problems::none(),
    ))
}

pub(crate) async fn save(
    State(state): State<AppState>,
    Path(location): Path<String>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let location = shell.admin(&state).await?;
    let now = state.clock.now();
    let profile = profile_of(&posted.form);
    let actor = shell.user.actor();
    match accounts::update_profile(state.store.as_ref(), now, &location, profile, &actor).await {
        Ok(_) => Ok(Redirect::to(&shell.url("/business?done=saved")).into_response()),
        Err(e) => {
            let problems = Problems::from_error(e, &labels())?;
            let page = page(&shell, &posted.form, false, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

fn fields(specs: &[FieldSpec], values: &FormData, read_only: bool, problems: &Problems) -> Markup {
    html! {
        div.grid {
            @for &(name, label, kind, autocomplete, max, hint) in specs {
                (Input {
                    label, name, value: values.get(name), kind, required: name == "name",
                    autocomplete: Some(autocomplete), max_chars: Some(max), hint, read_only,
                    list: (name == "timezone").then_some("zones"), ..Default::default()
                }.render(problems))
            }
        }
    }
}

fn page(shell: &Shell, values: &FormData, saved: bool, problems: &Problems) -> Markup {
    let admin = shell.is_admin();
    let location_id = shell.location.as_str();
    let content = html! {
        div.page-head { h1 { "Business Profile" } }
        @if saved { (notice(Tone::Success, html! { "The business profile was saved." })) }
        @if !admin {
            (notice(Tone::Info, html! { "Only admins of this business can change its profile. You can view it." }))
        }
        (problems.summary())
        form method="post" action=(shell.url("/business")) {
            (shell.csrf())
            section.card aria-labelledby="general-title" {
                h2 #general-title { "General Information" }
                div.field.id-field {
                    label for="location-id" { "Location ID" }
                    p.hint #location-id-hint {
                        "External tools ask for this (sometimes as Account ID or Workspace ID) together with a Private Integration token."
                    }
                    div.copy-row {
                        input #location-id type="text" readonly value=(location_id)
                            aria-describedby="location-id-hint" data-location-id=(location_id);
                        (copy_button(location_id, "Location ID"))
                    }
                }
                (fields(GENERAL, values, !admin, problems))
            }
            section.card aria-labelledby="address-title" {
                h2 #address-title { "Business Physical Address" }
                (fields(ADDRESS, values, !admin, problems))
                datalist #zones { @for zone in ZONES { option value=(zone) {} } }
            }
            @if admin {
                div.actions.sticky-actions { button.primary type="submit" { "Save changes" } }
            }
        }
    };
    shell.page(Section::Business, "Business Profile", &[], content)
}

//! A signed-in user looking at one of their businesses: who they are there (role), the settings
//! pages' left menu and breadcrumbs, and the admins-only check with its explanation page.

use axum::http::StatusCode;
use ivorey_core::LocationId;
use ivorey_core::user::{Membership, Role};
use maud::{Markup, html};

use super::error::{WebError, WebResult};
use super::format::Zone;
use super::layout::csrf_field;
use crate::error::ApiError;
use crate::session::SessionUser;
use crate::state::AppState;

/// The settings sections of the left menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Business,
    Team,
    Pipelines,
    Calendars,
    Integrations,
    Messaging,
}

impl Section {
    /// The left menu, in its order.
    pub(crate) const ALL: [Section; 6] = [
        Section::Business,
        Section::Team,
        Section::Pipelines,
        Section::Calendars,
        Section::Integrations,
        Section::Messaging,
    ];

    pub(crate) fn path(self) -> &'static str {
        match self {
            Section::Business => "/business",
            Section::Team => "/team",
            Section::Pipelines => "/pipelines",
            Section::Calendars => "/calendars",
            Section::Integrations => "/integrations",
            Section::Messaging => "/messaging",
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Section::Business => "Business",
            Section::Team => "Team",
            Section::Pipelines => "Pipelines",
            Section::Calendars => "Calendars",
            Section::Integrations => "Private Integrations",
            Section::Messaging => "Messaging",
        }
    }

    pub(crate) fn icon(self) -> &'static str {
        match self {
            Section::Business => "business",
            Section::Team => "users",
            Section::Pipelines => "board",
            Section::Calendars => "calendar",
            Section::Integrations => "key",
            Section::Messaging => "mail",
        }
    }
}

/// A signed-in user looking at one of their locations.
#[derive(Debug)]
pub(crate) struct Shell {
    pub user: SessionUser,
    pub memberships: Vec<Membership>,
    pub location: LocationId,
    pub location_name: String,
    pub role: Role,
    /// The business's time zone: every time on its pages is written in it.
    pub zone: Zone,
}

impl Shell {
    /// The user's view of `location`; a location they don't belong to is "not found".
    pub(crate) async fn load(
        state: &AppState,
        user: SessionUser,
        location: &str,
    ) -> WebResult<Self> {
        let memberships = state.store.memberships(&user.user.id).await?;
        let Some(current) = memberships
            .iter()
            .find(|m| m.location_id.as_str() == location)
            .cloned()
        else {
            return Err(WebError::plain(
                StatusCode::NOT_FOUND,
                "Business not found",
                "There is no business with this Location ID, or you are not a member of it.",
            ));
        };
        Ok(Shell {
            user,
            memberships,
            location: current.location_id,
            location_name: current.location_name,
            zone: Zone::new(current.location_timezone.as_deref()),
            role: current.role,
        })
    }

    pub(crate) fn csrf(&self) -> Markup {
        csrf_field(&self.user.session.csrf_token)
    }

    /// The signed-in user, as the changer of what their forms write.
    pub(crate) fn changer(&self) -> ivorey_core::changed_by::ChangedBy {
        ivorey_core::changed_by::ChangedBy::User(self.user.user.id.clone())
    }

    pub(crate) fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The location, if the user is one of its admins (the management API's own check);
    /// otherwise the explanation page of Private Integrations (see `admin_for`).
    pub(crate) async fn admin(&self, state: &AppState) -> WebResult<LocationId> {
        self.admin_for(state, Section::Integrations).await
    }

    /// The location, if the user is one of its admins; otherwise a page in `section` that
    /// explains who can see it and why, and where to go instead.
    pub(crate) async fn admin_for(
        &self,
        state: &AppState,
        section: Section,
    ) -> WebResult<LocationId> {
        match self.user.admin_of(state, self.location.as_str()).await {
            Ok(location) => Ok(location),
            Err(ApiError::Forbidden(_)) => Err(WebError::Page(
                StatusCode::FORBIDDEN,
                self.page(section, section.label(), &[], self.admins_only(section)),
            )),
            Err(e) => Err(e.into()),
        }
    }

    fn admins_only(&self, section: Section) -> Markup {
        let what = match section {
            Section::Team => "the team",
            Section::Pipelines => "pipelines",
            Section::Calendars => "calendars",
            other => other.label(),
        };
        let why = match section {
            Section::Integrations => {
                "Private Integrations hand out access to this business's data, so only its \
                 admins can see, create, change or delete them."
            }
            Section::Team => {
                "The team decides who can see this business's data, so only its admins can \
                 see its members, add people, change roles or remove anyone."
            }
            Section::Pipelines => {
                "Pipelines shape how everyone in this business tracks its deals, so only its \
                 admins can create, rename or reorder them. You can still work the deals on the \
                 Opportunities board."
            }
            Section::Calendars => {
                "Calendars decide when customers and tools can book this business, so only its \
                 admins can create them or change their hours. You can still book, move and \
                 cancel appointments in Calendars."
            }
            Section::Messaging => {
                "Messaging holds the passwords and signing secrets this business sends email \
                 and SMS with, so only its admins can see or change it. You can still read and \
                 answer conversations."
            }
            _ => {
                "These settings change how this business works for everyone, and may hold \
                 passwords, so only its admins can see or change them."
            }
        };
        // The page's own heading, as every settings page has: without it the card's h2 was
        // the first heading, and a screen reader's "next heading" skipped the page's name.
        html! {
            div.page-head { h1 { (section.label()) } }
            div.card.explain {
                h2 { "Only admins can manage " (what) }
                p {
                    "You are signed in as " strong { (self.user.user.email) }
                    ", a user of " strong { (self.location_name) } ". " (why)
                }
                p { "If you need something changed here, ask an admin of this business." }
                p.actions { a.button href=(self.url("/business")) { "Go to Business settings" } }
            }
        }
    }

    /// A path under this location's settings, e.g. `url("/business")`.
    pub(crate) fn url(&self, rest: &str) -> String {
        format!("/l/{}/settings{rest}", self.location)
    }

    /// A path under this location, e.g. `at("/contacts")`.
    pub(crate) fn at(&self, rest: &str) -> String {
        format!("/l/{}{rest}", self.location)
    }
}

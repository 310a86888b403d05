//! The frame around every signed-in page: the top bar (brand, business switcher, the main menu
//! of CRM areas, sign-out), and beneath it either the CRM content (`Shell::app_page`) or the
//! settings' left menu and breadcrumbs (`Shell::page`).

use maud::{Markup, html};

use super::layout::{document, icon, logo};
use super::shell::{Section, Shell};

/// The areas of the main menu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Area {
    Dashboard,
    Contacts,
    Conversations,
    Opportunities,
    Calendars,
    Forms,
    Payments,
    Settings,
}

impl Area {
    const ALL: [Area; 8] = [
        Area::Dashboard,
        Area::Contacts,
        Area::Conversations,
        Area::Opportunities,
        Area::Calendars,
        Area::Forms,
        Area::Payments,
        Area::Settings,
    ];

    /// The area's path under `/l/{location}`.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Area::Dashboard => "/dashboard",
            Area::Contacts => "/contacts",
            Area::Conversations => "/conversations",
            Area::Opportunities => "/opportunities",
            Area::Calendars => "/calendars",
            Area::Forms => "/forms",
            Area::Payments => "/payments",
            Area::Settings => "/settings/business",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Area::Dashboard => "Dashboard",
            Area::Contacts => "Contacts",
            Area::Conversations => "Conversations",
            Area::Opportunities => "Opportunities",
            Area::Calendars => "Calendars",
            Area::Forms => "Forms",
            Area::Payments => "Payments",
            Area::Settings => "Settings",
        }
    }

    fn icon(self) -> &'static str {
        match self {
            Area::Dashboard => "home",
            Area::Contacts => "users",
            Area::Conversations => "chat",
            Area::Opportunities => "board",
            Area::Calendars => "calendar",
            Area::Forms => "form",
            Area::Payments => "card",
            Area::Settings => "gear",
        }
    }
}

/// A whole signed-in page: the top bar, then `body` (already laid out by the caller). The
/// business switcher leads to `here` (a path under `/l/{location}`) in the other business.
pub(crate) fn signed_in(
    shell: &Shell,
    area: Area,
    here: &str,
    title: &str,
    body: Markup,
) -> Markup {
    document(
        title,
        html! {
            a.skip href="#main" { "Skip to content" }
            header.topbar {
                a.brand href=(shell.at(Area::Dashboard.path())) { (logo()) span { "Ivorey" } }
                (switcher(shell, here))
                nav.mainnav aria-label="Main" {
                    ul {
                        @for a in Area::ALL {
                            li {
                                a href=(shell.at(a.path()))
                                    aria-current=[(a == area).then_some("page")] {
                                    (icon(a.icon())) span { (a.label()) }
                                }
                            }
                        }
                    }
                }
                div.account {
                    span.who title=(shell.user.user.email) { (shell.user.user.email) }
                    form method="post" action="/logout" {
                        (shell.csrf())
                        button.link-button type="submit" { "Sign out" }
                    }
                }
            }
            (body)
        },
    )
}

/// The current business, and a menu of the others when the user has several; switching keeps
/// the area or settings section the user is in (`here`).
fn switcher(shell: &Shell, here: &str) -> Markup {
    html! {
        @if shell.memberships.len() > 1 {
            details.switcher.menu {
                summary aria-label={ "Business: " (shell.location_name) ". Switch business" } {
                    span.switcher-name { (shell.location_name) }
                    span.caret aria-hidden="true" { "▾" }
                }
                ul.menu-list {
                    @for m in &shell.memberships {
                        li {
                            a href={ "/l/" (m.location_id) (here) }
                                aria-current=[(m.location_id == shell.location).then_some("true")] {
                                (m.location_name)
                                span.role { (m.role.as_str()) }
                            }
                        }
                    }
                }
            }
        } @else {
            span.switcher-name.single { (shell.location_name) }
        }
    }
}

impl Shell {
    /// A full settings page: `crumbs` are the links between "Settings > Section" and `title`.
    pub(crate) fn page(
        &self,
        section: Section,
        title: &str,
        crumbs: &[(&str, String)],
        content: Markup,
    ) -> Markup {
        let body = html! {
            div.frame {
                nav.sidenav aria-label="Settings" {
                    p.sidenav-title { "Settings" }
                    ul {
                        @for s in Section::ALL {
                            li {
                                a href=(self.url(s.path()))
                                    aria-current=[(s == section).then_some("page")] {
                                    (icon(s.icon()))
                                    (s.label())
                                }
                            }
                        }
                    }
                }
                main #main tabindex="-1" {
                    nav.crumbs aria-label="Breadcrumb" {
                        ol {
                            li { a href=(self.url("/business")) { "Settings" } }
                            li { a href=(self.url(section.path())) { (section.label()) } }
                            @for (label, href) in crumbs {
                                li { a href=(href) { (label) } }
                            }
                        }
                    }
                    (content)
                }
            }
        };
        let here = format!("/settings{}", section.path());
        signed_in(self, Area::Settings, &here, title, body)
    }

    /// A CRM page of `area` (Dashboard, Contacts, Conversations).
    pub(crate) fn app_page(&self, area: Area, title: &str, content: Markup) -> Markup {
        let body = html! { main.app #main tabindex="-1" { (content) } };
        signed_in(self, area, area.path(), title, body)
    }
}

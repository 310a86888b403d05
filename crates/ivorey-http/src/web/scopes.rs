//! Scopes as people see them: the picker of the Scopes page (one drop-down per area of
//! `CATALOGUE`, View / Edit boxes with what each allows), the one-line summary of a list row,
//! and the granted-scopes table of an integration's page.

use ivorey_core::scope::{CATALOGUE, ScopeFamily};
use ivorey_core::{Scope, ScopeSet};
use maud::{Markup, html};

use super::forms::Problems;

/// Where a scope sits in the catalogue: its area, its family, and whether it is View or Edit.
pub(crate) fn locate(scope: Scope) -> Option<(&'static str, &'static ScopeFamily, bool)> {
    CATALOGUE.iter().find_map(|area| {
        area.families.iter().find_map(|family| {
            if family.view == Some(scope) {
                Some((area.name, family, false))
            } else if family.edit == Some(scope) {
                Some((area.name, family, true))
            } else {
                None
            }
        })
    })
}

/// "Contacts: View + Edit" per family, as a short sentence.
pub(crate) fn summary(scopes: ScopeSet) -> String {
    let parts: Vec<String> = CATALOGUE
        .iter()
        .flat_map(|area| area.families)
        .filter_map(|family| {
            let view = family.view.is_some_and(|s| scopes.contains(s));
            let edit = family.edit.is_some_and(|s| scopes.contains(s));
            let access = match (view, edit) {
                (true, true) => "View + Edit",
                (true, false) => "View",
                (false, true) => "Edit",
                (false, false) => return None,
            };
            Some(format!("{}: {access}", family.label))
        })
        .collect();
    if parts.is_empty() {
        "No scopes".to_owned()
    } else {
        parts.join(", ")
    }
}

/// The Scopes page's picker: the checked boxes post as repeated `scopes` fields. The "Scopes"
/// legend is visible unless the page's heading already says it.
pub(crate) fn picker(selected: &[String], show_legend: bool, problems: &Problems) -> Markup {
    let is_checked =
        |scope: Option<Scope>| scope.is_some_and(|s| selected.iter().any(|n| n == s.name()));
    let error = problems.field("scopes");
    html! {
        fieldset.scopes #f-scopes aria-describedby="scopes-reminder" {
            legend.visually-hidden[!show_legend] { "Scopes" }
            div.notice.notice-info #scopes-reminder {
                p {
                    strong { "Only select what the tool actually needs. " }
                    "If it only needs to read and update contacts, select View and Edit for "
                    "Contacts and leave the rest unchecked. You can change these later without "
                    "generating a new token."
                }
            }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            @for area in CATALOGUE {
                @let count = area.families.iter()
                    .flat_map(|f| [f.view, f.edit])
                    .filter(|s| is_checked(*s))
                    .count();
                details.area open[count > 0] {
                    summary {
                        span.area-name { (area.name) }
                        span.area-count data-area-count {
                            @if count > 0 { (count) " selected" } @else { "None selected" }
                        }
                    }
                    div.area-body {
                        @for family in area.families {
                            (family_row(family, area.families.len() > 1, &is_checked))
                        }
                    }
                }
            }
        }
    }
}

/// One family's View and Edit boxes; its name is shown when the area has several families
/// (and kept for screen readers when it only repeats the area's name).
fn family_row(
    family: &ScopeFamily,
    show_name: bool,
    is_checked: &dyn Fn(Option<Scope>) -> bool,
) -> Markup {
    html! {
        fieldset.family {
            legend.visually-hidden[!show_name] { (family.label) }
            div.choices {
                @for (scope, kind, allows) in [(family.view, "View", family.view_allows), (family.edit, "Edit", family.edit_allows)] {
                    @if let Some(scope) = scope {
                        label.choice {
                            input type="checkbox" name="scopes" value=(scope.name())
                                checked[is_checked(Some(scope))];
                            span.choice-text {
                                span.choice-kind { (kind) }
                                span.choice-allows { (allows) }
                                code.scope-name { (scope.name()) }
                            }
                        }
                    } @else {
                        div.choice.choice-none {
                            span.choice-kind { (kind) }
                            span.choice-allows { "Not available for " (family.label) "." }
                        }
                    }
                }
            }
        }
    }
}

/// The granted scopes by area, with what each allows.
pub(crate) fn granted(scopes: ScopeSet) -> Markup {
    html! {
        ul.granted {
            @for area in CATALOGUE {
                @for family in area.families {
                    @for (scope, kind, allows) in [(family.view, "View", family.view_allows), (family.edit, "Edit", family.edit_allows)] {
                        @if let Some(scope) = scope.filter(|s| scopes.contains(*s)) {
                            li {
                                span.badge.badge-scope { (family.label) " · " (kind) }
                                " " (allows) " "
                                code.scope-name { (scope.name()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_name_each_family_with_its_access() {
        let set: ScopeSet = [
            Scope::ContactsRead,
            Scope::ContactsWrite,
            Scope::LocationsRead,
        ]
        .into_iter()
        .collect();
        assert_eq!(
            summary(set),
            "Contacts: View + Edit, Business profile: View"
        );
        assert_eq!(summary(ScopeSet::EMPTY), "No scopes");
    }

    #[test]
    fn every_scope_is_located_in_the_catalogue() {
        for &scope in Scope::ALL {
            assert!(locate(scope).is_some(), "{scope}");
        }
    }
}

//! Who did it, in words: "Created by Zapier Integration, 2 hours ago" on a record, and the
//! lists of what an integration changed (its own page, the dashboard's activity feed).

use std::collections::HashMap;

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::Contact;
use ivorey_core::integration::Integration;
use ivorey_core::{IntegrationId, Timestamp};
use maud::{Markup, html};

use super::error::WebResult;
use super::shell::Shell;
use crate::state::AppState;

/// The name of a changer as this business knows it, and (for admins) a link to it.
pub(crate) async fn changer_name(
    state: &AppState,
    shell: &Shell,
    by: &ChangedBy,
) -> WebResult<(String, Option<String>)> {
    let store = state.store.as_ref();
    Ok(match by {
        ChangedBy::Integration(id) => {
            match store
                .get_integration(&shell.location, id, state.clock.now())
                .await?
            {
                Some(i) => (
                    i.name,
                    shell
                        .is_admin()
                        .then(|| shell.url(&format!("/integrations/{id}"))),
                ),
                None => ("a deleted integration".to_owned(), None),
            }
        }
        ChangedBy::User(id) => {
            let users = store.location_users(&shell.location).await?;
            match users.into_iter().find(|(u, _)| &u.id == id) {
                Some((u, _)) if u.name.trim().is_empty() => (u.email, None),
                Some((u, _)) => (u.name, None),
                None => ("a former team member".to_owned(), None),
            }
        }
        ChangedBy::Form(id) => match store.get_form(&shell.location, id).await? {
            Some(f) => (format!("the form {}", f.name), None),
            None => ("a deleted form".to_owned(), None),
        },
    })
}

/// "Created by X, 2 hours ago · Last changed by Y, just now" for a contact.
pub(crate) async fn contact_line(
    state: &AppState,
    shell: &Shell,
    contact: &Contact,
    now: Timestamp,
) -> WebResult<Markup> {
    let created = match &contact.created_by {
        Some(by) => Some(changer_name(state, shell, by).await?),
        None => None,
    };
    let updated = match &contact.updated_by {
        Some(by) if Some(by) != contact.created_by.as_ref() => {
            Some(changer_name(state, shell, by).await?)
        }
        _ => None,
    };
    let changed = contact.date_updated != contact.date_added;
    Ok(html! {
        p.muted.attribution {
            "Created"
            @if let Some(name) = &created { " by " (named(name)) }
            ", " (shell.zone.when(contact.date_added, now))
            @if changed {
                " · last changed"
                @if let Some(name) = &updated { " by " (named(name)) }
                @else if let Some(name) = created.as_ref().filter(|_| contact.updated_by.is_some()) {
                    " by " (named(name))
                }
                ", " (shell.zone.when(contact.date_updated, now))
            }
        }
    })
}

/// The names of the few changers of a page's records (its notes, tasks or messages), each
/// looked up once.
#[derive(Debug, Default)]
pub(crate) struct Names(HashMap<ChangedBy, (String, Option<String>)>);

impl Names {
    pub(crate) async fn of(state: &AppState, shell: &Shell, who: &[ChangedBy]) -> WebResult<Names> {
        let mut names = HashMap::new();
        for by in who {
            if !names.contains_key(by) {
                let name = changer_name(state, shell, by).await?;
                names.insert(by.clone(), name);
            }
        }
        Ok(Names(names))
    }

    /// `verb` and the changer's name ("added by Zapier"), or nothing for an unknown changer.
    pub(crate) fn line(&self, verb: &str, by: Option<&ChangedBy>) -> Markup {
        html! {
            @if let Some(name) = by.and_then(|by| self.0.get(by)) {
                (verb) " by " (named(name))
            }
        }
    }

    pub(crate) fn knows(&self, by: Option<&ChangedBy>) -> bool {
        by.is_some_and(|by| self.0.contains_key(by))
    }
}

fn named((name, link): &(String, Option<String>)) -> Markup {
    html! {
        @match link {
            Some(href) => a href=(href) { strong { (name) } },
            None => strong { (name) },
        }
    }
}

/// One thing an integration did to a contact.
#[derive(Debug)]
pub(crate) struct Done {
    pub integration: IntegrationId,
    pub integration_name: String,
    pub contact: Contact,
}

impl Done {
    /// "created" when the integration made the contact and nobody changed it since.
    fn verb(&self) -> &'static str {
        let by_it = ChangedBy::Integration(self.integration.clone());
        if self.contact.created_by.as_ref() == Some(&by_it)
            && self.contact.date_updated == self.contact.date_added
        {
            "created"
        } else {
            "changed"
        }
    }
}

/// The contacts each integration changed last, newest first, at most `limit` in all.
pub(crate) async fn recent_by_integrations(
    state: &AppState,
    shell: &Shell,
    integrations: &[Integration],
    limit: u32,
) -> WebResult<Vec<Done>> {
    let mut all = Vec::new();
    for i in integrations {
        let by = ChangedBy::Integration(i.id.clone());
        let contacts = state
            .store
            .contacts_last_changed_by(&shell.location, &by, limit)
            .await?;
        all.extend(contacts.into_iter().map(|contact| Done {
            integration: i.id.clone(),
            integration_name: i.name.clone(),
            contact,
        }));
    }
    all.sort_by(|a, b| {
        (b.contact.date_updated, &b.contact.id).cmp(&(a.contact.date_updated, &a.contact.id))
    });
    all.truncate(limit as usize);
    Ok(all)
}

/// A list of what was done: "Zapier Integration created Ada Lovelace, 2 minutes ago".
pub(crate) fn feed(shell: &Shell, done: &[Done], now: Timestamp, with_integration: bool) -> Markup {
    html! {
        ul.feed {
            @for d in done {
                li {
                    @if with_integration {
                        @if shell.is_admin() {
                            a href=(shell.url(&format!("/integrations/{}", d.integration))) {
                                strong { (d.integration_name) }
                            }
                        } @else {
                            strong { (d.integration_name) }
                        }
                        " "
                    }
                    (d.verb()) " the contact "
                    a href=(shell.at(&format!("/contacts/{}", d.contact.id))) { (d.contact.fields.display_name()) }
                    span.muted { ", " (shell.zone.when(d.contact.date_updated, now)) }
                }
            }
        }
    }
}

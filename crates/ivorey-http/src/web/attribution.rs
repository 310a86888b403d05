//! Who did it, in words: "Created by Zapier Integration, 2 hours ago" on a record, and the
//! lists of what an integration changed (its own page, the dashboard's activity feed).

use std::collections::HashMap;

use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::Contact;
use ivorey_core::integration::Integration;
use ivorey_core::{ContactId, IntegrationId, Timestamp};
use ivorey_store::{ChangedRecord, RecordKind};
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

/// One thing an integration did: a contact it created or changed, or a note, task,
/// opportunity or message.
#[derive(Debug)]
pub(crate) struct Done {
    pub integration: IntegrationId,
    pub integration_name: String,
    pub what: Did,
}

#[derive(Debug)]
pub(crate) enum Did {
    Contact(Contact),
    Record(ChangedRecord),
}

impl Done {
    fn at(&self) -> Timestamp {
        match &self.what {
            Did::Contact(c) => c.date_updated,
            Did::Record(r) => r.at,
        }
    }

    fn id(&self) -> &str {
        match &self.what {
            Did::Contact(c) => c.id.as_str(),
            Did::Record(r) => &r.id,
        }
    }

    /// Whether the integration made it and nobody changed it since.
    fn made_it(&self) -> bool {
        let by_it = Some(ChangedBy::Integration(self.integration.clone()));
        match &self.what {
            Did::Contact(c) => c.created_by == by_it && c.date_updated == c.date_added,
            Did::Record(r) => r.created_by == by_it,
        }
    }
}

/// What each integration changed last (contacts and the other records), newest first, at most
/// `limit` in all: two queries per integration, each served by an index that stops at `limit`.
pub(crate) async fn recent_by_integrations(
    state: &AppState,
    shell: &Shell,
    integrations: &[Integration],
    limit: u32,
) -> WebResult<Vec<Done>> {
    let store = state.store.as_ref();
    let mut all = Vec::new();
    for i in integrations {
        let by = ChangedBy::Integration(i.id.clone());
        let contacts = store
            .contacts_last_changed_by(&shell.location, &by, limit)
            .await?;
        let records = store
            .records_last_changed_by(&shell.location, &by, limit)
            .await?;
        let what = contacts
            .into_iter()
            .map(Did::Contact)
            .chain(records.into_iter().map(Did::Record));
        all.extend(what.map(|what| Done {
            integration: i.id.clone(),
            integration_name: i.name.clone(),
            what,
        }));
    }
    all.sort_by(|a, b| (b.at(), b.id()).cmp(&(a.at(), a.id())));
    all.truncate(limit as usize);
    Ok(all)
}

/// A record's words in a feed line: the first 60 characters, quoted.
fn quoted(text: &str) -> String {
    let text = text.trim();
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("“{}…”", short.trim_end())
    } else {
        format!("“{short}”")
    }
}

/// "created the contact Ada Lovelace", "wrote a note on Ada Lovelace: “Asked for a quote”".
fn line(shell: &Shell, d: &Done) -> Markup {
    let contact = |id: &ContactId, name: String, anchor: &str| {
        html! { a href=(shell.at(&format!("/contacts/{id}{anchor}"))) { (name) } }
    };
    let made = d.made_it();
    match &d.what {
        Did::Contact(c) => html! {
            (if made { "created" } else { "changed" }) " the contact "
            (contact(&c.id, c.fields.display_name(), ""))
        },
        Did::Record(r) => {
            let name = r.contact.display_name();
            match r.kind {
                RecordKind::Note => html! {
                    (if made { "wrote a note on " } else { "edited a note on " })
                    (contact(&r.contact_id, name, "#notes")) ": " (quoted(&r.label))
                },
                RecordKind::Task => html! {
                    (if made { "added the task " } else { "changed the task " })
                    (quoted(&r.label)) " for " (contact(&r.contact_id, name, "#tasks"))
                },
                RecordKind::Opportunity => html! {
                    (if made { "created the opportunity " } else { "changed the opportunity " })
                    (quoted(&r.label)) " for " (contact(&r.contact_id, name, ""))
                },
                RecordKind::Message | RecordKind::InboundMessage => {
                    let verb = if r.kind == RecordKind::Message {
                        "sent a message to "
                    } else {
                        "recorded a reply from "
                    };
                    let thread = r
                        .conversation_id
                        .as_ref()
                        .map(|c| shell.at(&format!("/conversations/{c}")));
                    html! {
                        (verb) (contact(&r.contact_id, name, ""))
                        @if !r.label.trim().is_empty() {
                            ": "
                            @match thread {
                                Some(href) => a href=(href) { (quoted(&r.label)) },
                                None => (quoted(&r.label)),
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A list of what was done: "Zapier Integration created the contact Ada Lovelace, 2 minutes
/// ago".
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
                    (line(shell, d))
                    span.muted { ", " (shell.zone.when(d.at(), now)) }
                }
            }
        }
    }
}

//! A contact's page: every standard and custom field, tags (add, remove), notes (add, edit,
//! delete), tasks (add, complete, delete) and its conversation, each change a small form that
//! posts and comes back here.

use axum::extract::{Path, Query, State};
use ivorey_core::Timestamp;
use ivorey_core::contact::{Contact, Note};
use ivorey_core::custom_field::CustomField;
use ivorey_core::task::Task;
use ivorey_core::user::User;
use maud::{Markup, html};
use serde::Deserialize;

use super::{load, path};
use crate::state::AppState;
use crate::web::attribution::{self, Names};
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::frame::Area;
use crate::web::layout::{Tone, icon, notice};
use crate::web::shell::Shell;

/// `?done=` confirmations and `?note=` (the note being edited).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DetailParams {
    #[serde(default)]
    done: String,
    #[serde(default)]
    note: String,
}

/// The standard fields shown in the details card, as (label, value).
fn facts(c: &Contact) -> Vec<(&'static str, Option<&str>)> {
    let f = &c.fields;
    vec![
        ("First name", f.first_name.as_deref()),
        ("Last name", f.last_name.as_deref()),
        ("Email", f.email.as_deref()),
        ("Phone", f.phone.as_deref()),
        ("Company", f.company_name.as_deref()),
        ("Street address", f.address1.as_deref()),
        ("City", f.city.as_deref()),
        ("State or region", f.state.as_deref()),
        ("Postal code", f.postal_code.as_deref()),
        ("Country", f.country.as_deref()),
        ("Website", f.website.as_deref()),
        ("Time zone", f.timezone.as_deref()),
        ("Source", f.source.as_deref()),
        ("Gender", f.gender.as_deref()),
        ("Date of birth", f.date_of_birth.as_deref()),
    ]
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(params): Query<DetailParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let contact = load(&state, &shell, &id).await?;
    let store = state.store.as_ref();
    let notes = store.list_notes(&shell.location, &contact.id).await?;
    let tasks = store.list_tasks(&shell.location, &contact.id).await?;
    let fields = store
        .list_custom_fields(&shell.location, Some("contact"))
        .await?;
    let conversation = store
        .conversation_of_contact(&shell.location, &contact.id)
        .await?;
    let team: Vec<User> = store
        .location_users(&shell.location)
        .await?
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    let now = state.clock.now();
    let name = contact.fields.display_name();
    let attribution = attribution::contact_line(&state, &shell, &contact, now).await?;
    let changers = notes
        .iter()
        .flat_map(|n| [&n.created_by, &n.updated_by])
        .chain(tasks.iter().flat_map(|t| [&t.created_by, &t.updated_by]))
        .flatten()
        .cloned()
        .collect::<Vec<_>>();
    let names = Names::of(&state, &shell, &changers).await?;
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/contacts")) { "Contacts" } }
                li { a href=(path(&shell, &contact.id, "")) { (name) } }
            }
        }
        div.page-head {
            div {
                h1 { (name) }
                (attribution)
            }
            div.actions {
                a.button href=(path(&shell, &contact.id, "/edit")) { "Edit" }
                a.button.danger-outline href=(path(&shell, &contact.id, "/delete")) { "Delete" }
            }
        }
        (done_notice(&params.done))
        div.record {
            div.record-main {
                (details_card(&contact, &fields))
                (tags_card(&shell, &contact))
                (conversation_card(&shell, &contact, conversation.as_ref(), now))
            }
            div.record-side {
                (tasks_card(&shell, &contact, &tasks, &names, now))
                (notes_card(&shell, &contact, &notes, &team, &names, &params.note, now))
            }
        }
    };
    Ok(shell.app_page(Area::Contacts, &name, content))
}

fn done_notice(done: &str) -> Markup {
    let message = match done {
        "created" => "The contact was added.",
        "merged" => {
            "A contact with this email or phone already existed, so it was updated instead of \
             adding a second one."
        }
        "saved" => "The contact was saved.",
        "tagged" => "The tag was added.",
        "untagged" => "The tag was removed.",
        "note-added" => "The note was added.",
        "note-saved" => "The note was saved.",
        "note-deleted" => "The note was deleted.",
        "task-added" => "The task was added.",
        "task-done" => "The task was marked complete.",
        "task-reopened" => "The task was reopened.",
        "task-deleted" => "The task was deleted.",
        _ => return html! {},
    };
    notice(Tone::Success, html! { (message) })
}

fn details_card(contact: &Contact, fields: &[CustomField]) -> Markup {
    let custom: Vec<(&str, String)> = contact
        .fields
        .custom_fields
        .iter()
        .map(|v| {
            let label = fields
                .iter()
                .find(|f| f.id.as_str() == v.id || f.field_key == v.id)
                .map_or(v.id.as_str(), |f| f.name.as_str());
            let value = match &v.value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            (label, value)
        })
        .collect();
    html! {
        section.card aria-labelledby="details-title" {
            h2 #details-title { "Details" }
            dl.facts {
                @for (label, value) in facts(contact) {
                    @if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
                        dt { (label) }
                        dd { (value) }
                    }
                }
                dt { "Do not disturb" }
                dd { @if contact.fields.dnd { "On: no messages are sent" } @else { "Off" } }
            }
            @if !custom.is_empty() {
                h3 { "Custom fields" }
                dl.facts {
                    @for (label, value) in &custom {
                        dt { (label) }
                        dd { (value) }
                    }
                }
            }
        }
    }
}

fn tags_card(shell: &Shell, contact: &Contact) -> Markup {
    html! {
        section.card aria-labelledby="tags-title" #tags {
            h2 #tags-title { "Tags" }
            @if contact.fields.tags.is_empty() {
                p.muted { "No tags yet. Tags group contacts, for example by interest or by where they came from." }
            } @else {
                ul.tag-list {
                    @for tag in &contact.fields.tags {
                        li.tag-item {
                            span.badge.badge-scope { (tag) }
                            form.inline method="post" action=(path(shell, &contact.id, "/tags/remove")) {
                                (shell.csrf())
                                input type="hidden" name="tag" value=(tag);
                                button.link-button type="submit" aria-label={ "Remove tag " (tag) } { "Remove" }
                            }
                        }
                    }
                }
            }
            form.inline-add method="post" action=(path(shell, &contact.id, "/tags")) {
                (shell.csrf())
                label for="f-new-tag" { "Add a tag" }
                div.copy-row {
                    input #f-new-tag type="text" name="tag" maxlength="100" required autocomplete="off";
                    button type="submit" { (icon("tag")) "Add" }
                }
            }
        }
    }
}

fn conversation_card(
    shell: &Shell,
    contact: &Contact,
    conversation: Option<&ivorey_core::conversation::Conversation>,
    now: Timestamp,
) -> Markup {
    html! {
        section.card aria-labelledby="conversation-title" {
            h2 #conversation-title { "Conversation" }
            @match conversation.filter(|c| c.has_messages) {
                Some(c) => {
                    p {
                        @if c.unread_count > 0 { span.badge.badge-warn { (c.unread_count) " unread" } " " }
                        "Last message " (shell.zone.when(c.last_activity_at, now)) ": "
                        span.muted { (c.last_message_body.as_deref().unwrap_or("")) }
                    }
                    a.button href=(shell.at(&format!("/conversations/{}", c.id))) { (icon("chat")) "Open the conversation" }
                }
                None => {
                    p.muted {
                        "No messages with " (contact.fields.display_name()) " yet. Messages sent \
                         and received through your integrations and the inbox appear here."
                    }
                }
            }
        }
    }
}

fn tasks_card(
    shell: &Shell,
    contact: &Contact,
    tasks: &[Task],
    names: &Names,
    now: Timestamp,
) -> Markup {
    html! {
        section.card aria-labelledby="tasks-title" #tasks {
            h2 #tasks-title { "Tasks" }
            @if tasks.is_empty() {
                p.muted { "No tasks. Add one to be reminded on the dashboard when it is due." }
            } @else {
                ul.task-list {
                    @for t in tasks {
                        li.task-item.done[t.completed] {
                            form.inline method="post" action=(path(shell, &contact.id, &format!("/tasks/{}/complete", t.id))) {
                                (shell.csrf())
                                input type="hidden" name="completed" value=(if t.completed { "false" } else { "true" });
                                button.link-button.check-button type="submit"
                                    aria-label={ (if t.completed { "Reopen " } else { "Complete " }) (t.title) } {
                                    @if t.completed { "☑" } @else { "☐" }
                                }
                            }
                            div.task-text {
                                strong { (t.title) }
                                @if let Some(body) = &t.body { p.clamp { (body) } }
                                p.muted {
                                    @if t.completed { "Done" } @else if t.due_date < now {
                                        span.badge.badge-danger { "Overdue" } " "
                                    }
                                    " Due " (shell.zone.date_time(t.due_date))
                                    @if names.knows(t.created_by.as_ref()) {
                                        " · " (names.line("added", t.created_by.as_ref()))
                                    }
                                    @if t.completed && t.updated_by != t.created_by && names.knows(t.updated_by.as_ref()) {
                                        " · " (names.line("last changed", t.updated_by.as_ref()))
                                    }
                                }
                            }
                            form.inline method="post" action=(path(shell, &contact.id, &format!("/tasks/{}/delete", t.id))) data-confirm="Delete this task?" {
                                (shell.csrf())
                                button.link-button type="submit" aria-label={ "Delete task " (t.title) } { "Delete" }
                            }
                        }
                    }
                }
            }
            form.stack method="post" action=(path(shell, &contact.id, "/tasks")) {
                (shell.csrf())
                h3 { "Add a task" }
                div.field {
                    label for="f-task-title" { "Title" }
                    input #f-task-title type="text" name="title" maxlength="255" required;
                }
                div.field {
                    label for="f-task-due" { "Due (" (shell.zone.label()) " time)" }
                    input #f-task-due type="datetime-local" name="due" required;
                }
                div.field {
                    label for="f-task-body" { "Details" span.optional { " (optional)" } }
                    textarea #f-task-body name="body" rows="2" maxlength="5000" {}
                }
                button type="submit" { (icon("plus")) "Add task" }
            }
        }
    }
}

fn notes_card(
    shell: &Shell,
    contact: &Contact,
    notes: &[Note],
    team: &[User],
    names: &Names,
    editing: &str,
    now: Timestamp,
) -> Markup {
    let author = |note: &Note| {
        note.user_id
            .as_ref()
            .and_then(|id| team.iter().find(|u| &u.id == id))
            .map(|u| u.name.clone())
    };
    html! {
        section.card aria-labelledby="notes-title" #notes {
            h2 #notes-title { "Notes" }
            form.stack method="post" action=(path(shell, &contact.id, "/notes")) {
                (shell.csrf())
                div.field {
                    label for="f-note" { "New note" }
                    textarea #f-note name="body" rows="3" maxlength="5000" required {}
                }
                button type="submit" { (icon("plus")) "Add note" }
            }
            @if notes.is_empty() {
                p.muted { "No notes yet." }
            }
            ul.note-list {
                @for n in notes {
                    li.note {
                        @if n.id.as_str() == editing {
                            form.stack method="post" action=(path(shell, &contact.id, &format!("/notes/{}", n.id))) {
                                (shell.csrf())
                                div.field {
                                    label for="f-note-edit" { "Edit the note" }
                                    textarea #f-note-edit name="body" rows="4" maxlength="5000" required { (n.body) }
                                }
                                div.actions.left {
                                    button.primary type="submit" { "Save note" }
                                    a.button href={ (path(shell, &contact.id, "")) "#notes" } { "Cancel" }
                                }
                            }
                        } @else {
                            p.pre-line { (n.body) }
                            div.muted.note-meta {
                                @if names.knows(n.created_by.as_ref()) {
                                    (names.line("Written", n.created_by.as_ref())) " · "
                                } @else if let Some(name) = author(n) { (name) " · " }
                                (shell.zone.when(n.date_added, now))
                                @if n.updated_by != n.created_by && names.knows(n.updated_by.as_ref()) {
                                    " · " (names.line("edited", n.updated_by.as_ref()))
                                }
                                " · "
                                a href={ (path(shell, &contact.id, &format!("?note={}", n.id))) "#notes" } aria-label="Edit this note" { "Edit" }
                                form.inline method="post" action=(path(shell, &contact.id, &format!("/notes/{}/delete", n.id))) data-confirm="Delete this note?" {
                                    (shell.csrf())
                                    button.link-button type="submit" aria-label="Delete this note" { "Delete" }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

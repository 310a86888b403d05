//! Tasks on contacts: the record and the validated create / update inputs in HighLevel's
//! field names (`title`, `body`, `dueDate`, `completed`, `assignedTo`).

use serde::Deserialize;

use crate::changed_by::ChangedBy;
use crate::error::{ValidationErrors, bounded_text};
use crate::ids::TaskId;
use crate::{ContactId, Timestamp, UserId};

const TITLE_MAX: usize = 255;
const BODY_MAX: usize = 5000;

/// A task on a contact. Its location is the contact's; the store keeps both together.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub id: TaskId,
    pub contact_id: ContactId,
    pub title: String,
    pub body: Option<String>,
    pub due_date: Timestamp,
    pub completed: bool,
    pub assigned_to: Option<UserId>,
    pub date_added: Timestamp,
    pub date_updated: Timestamp,
    /// Who added it and who changed it last (attribution; not in the API's shape).
    pub created_by: Option<ChangedBy>,
    pub updated_by: Option<ChangedBy>,
}

impl Task {
    /// The task in the HighLevel response shape (`TaskSchema`).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "id": self.id.as_str(),
            "contactId": self.contact_id.as_str(),
            "title": self.title,
            "dueDate": self.due_date.to_rfc3339(),
            "completed": self.completed,
            "dateAdded": self.date_added.to_rfc3339(),
            "dateUpdated": self.date_updated.to_rfc3339(),
        });
        if let Some(map) = value.as_object_mut() {
            if let Some(body) = &self.body {
                map.insert("body".into(), body.as_str().into());
            }
            if let Some(user) = &self.assigned_to {
                map.insert("assignedTo".into(), user.as_str().into());
            }
        }
        value
    }
}

/// The body of `POST` and `PUT /contacts/{contactId}/tasks[/{taskId}]`. On update an absent
/// field keeps its value and `null` clears `body` or `assignedTo`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TaskInput {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub body: Option<Option<String>>,
    pub due_date: Option<String>,
    pub completed: Option<bool>,
    #[serde(default, deserialize_with = "crate::serde_util::double_option")]
    pub assigned_to: Option<Option<String>>,
}

impl TaskInput {
    /// A new task on `contact`, added by `by`; `title`, `dueDate` and `completed` are required
    /// (as upstream).
    pub fn into_task(
        self,
        contact: ContactId,
        now: Timestamp,
        by: &ChangedBy,
    ) -> Result<Task, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.title.is_none() {
            e.add("title", "is required");
        }
        if self.due_date.is_none() {
            e.add("dueDate", "is required");
        }
        if self.completed.is_none() {
            e.add("completed", "is required");
        }
        let blank = Task {
            id: TaskId::generate(),
            contact_id: contact,
            title: String::new(),
            body: None,
            due_date: now,
            completed: false,
            assigned_to: None,
            date_added: now,
            date_updated: now,
            created_by: Some(by.clone()),
            updated_by: None,
        };
        match self.apply_to(blank, now, by) {
            Ok(task) => e.finish(task),
            Err(more) => {
                e.0.extend(more.0);
                Err(e)
            }
        }
    }

    /// Applies the fields given, validating each; `by` made the change.
    pub fn apply_to(
        self,
        mut task: Task,
        now: Timestamp,
        by: &ChangedBy,
    ) -> Result<Task, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if let Some(title) = &self.title
            && let Some(title) = bounded_text(&mut e, "title", title, TITLE_MAX, true)
        {
            task.title = title;
        }
        if let Some(body) = self.body {
            task.body = body.and_then(|b| bounded_text(&mut e, "body", &b, BODY_MAX, false));
        }
        if let Some(due) = &self.due_date {
            match Timestamp::parse_rfc3339(due.trim()) {
                Some(at) => task.due_date = at,
                None => e.add(
                    "dueDate",
                    "must be an ISO 8601 date-time such as 2020-10-25T11:00:00Z",
                ),
            }
        }
        if let Some(completed) = self.completed {
            task.completed = completed;
        }
        if let Some(assigned) = self.assigned_to {
            task.assigned_to = match assigned.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(raw) => match UserId::parse(raw) {
                    Ok(id) => Some(id),
                    Err(_) => {
                        e.add("assignedTo", "must be the id of a user of the location");
                        None
                    }
                },
            };
        }
        task.date_updated = now;
        task.updated_by = Some(by.clone());
        e.finish(task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by() -> ChangedBy {
        ChangedBy::User(UserId::generate())
    }

    #[test]
    fn a_task_remembers_who_added_it_and_who_changed_it_last() {
        let adder = ChangedBy::Integration(crate::IntegrationId::generate());
        let task = input(r#"{"title":"Call","dueDate":"2026-01-01T10:00:00Z","completed":false}"#)
            .into_task(ContactId::generate(), Timestamp(0), &adder)
            .unwrap();
        assert_eq!(task.created_by.as_ref(), Some(&adder));
        assert_eq!(task.updated_by.as_ref(), Some(&adder));
        let changer = by();
        let done = input(r#"{"completed":true}"#)
            .apply_to(task, Timestamp(5), &changer)
            .unwrap();
        assert_eq!(done.created_by, Some(adder));
        assert_eq!(done.updated_by, Some(changer));
    }

    fn input(json: &str) -> TaskInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn create_needs_title_due_date_and_completed() {
        let err = input("{}")
            .into_task(ContactId::generate(), Timestamp(0), &by())
            .unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "dueDate", "completed"]);
    }

    #[test]
    fn update_keeps_absent_fields_and_clears_nulls() {
        let task = input(
            r#"{"title":"Call","body":"x","dueDate":"2020-10-25T11:00:00Z","completed":false}"#,
        )
        .into_task(ContactId::generate(), Timestamp(0), &by())
        .unwrap();
        assert_eq!(task.due_date, Timestamp(1_603_623_600_000));
        let next = input(r#"{"body":null,"completed":true}"#)
            .apply_to(task, Timestamp(5), &by())
            .unwrap();
        assert_eq!(
            (next.title.as_str(), next.body.clone(), next.completed),
            ("Call", None, true)
        );
        assert!(
            input(r#"{"dueDate":"soon"}"#)
                .apply_to(next, Timestamp(6), &by())
                .is_err()
        );
    }
}

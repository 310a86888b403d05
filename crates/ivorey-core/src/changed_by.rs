//! Attribution: who created or last changed a record (an integration through the public API, a
//! user through the web app, or a public form), stored beside the record as one short text.

use crate::ids::FormId;
use crate::{IntegrationId, UserId};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ChangedBy {
    Integration(IntegrationId),
    User(UserId),
    Form(FormId),
}

impl ChangedBy {
    /// `integration:<id>`, `user:<id>` or `form:<id>`, as stored.
    pub fn encode(&self) -> String {
        match self {
            ChangedBy::Integration(id) => format!("integration:{id}"),
            ChangedBy::User(id) => format!("user:{id}"),
            ChangedBy::Form(id) => format!("form:{id}"),
        }
    }

    /// The stored text back; `None` for anything else (never a reason to refuse a read).
    pub fn decode(text: &str) -> Option<ChangedBy> {
        let (kind, id) = text.split_once(':')?;
        match kind {
            "integration" => IntegrationId::parse(id).ok().map(ChangedBy::Integration),
            "user" => UserId::parse(id).ok().map(ChangedBy::User),
            "form" => FormId::parse(id).ok().map(ChangedBy::Form),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_as_written() {
        let all = [
            ChangedBy::Integration(IntegrationId::generate()),
            ChangedBy::User(UserId::generate()),
            ChangedBy::Form(FormId::generate()),
        ];
        for by in all {
            assert_eq!(ChangedBy::decode(&by.encode()), Some(by));
        }
        assert_eq!(ChangedBy::decode("robot:1"), None);
        assert_eq!(ChangedBy::decode("integration:not-an-id"), None);
    }
}

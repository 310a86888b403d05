//! Newtype ids. Every record id is 20 random alphanumeric characters, as in the HighLevel API, and
//! each kind of id is its own type so a contact id can never be passed where a location id goes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Length of every Ivorey id.
pub const ID_LEN: usize = 20;

/// Why a string is not an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be a 20-character alphanumeric id")]
pub struct InvalidId;

fn is_valid_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// A fresh random id from the OS CSPRNG.
            pub fn generate() -> Self {
                Self(crate::random::base62(ID_LEN))
            }

            /// Accepts only a well-formed id.
            pub fn parse(s: &str) -> Result<Self, InvalidId> {
                if is_valid_id(s) { Ok(Self(s.to_owned())) } else { Err(InvalidId) }
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(s: String) -> Result<Self, InvalidId> {
                if is_valid_id(&s) { Ok(Self(s)) } else { Err(InvalidId) }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }
    };
}

define_id!(
    /// A business account (HighLevel's "sub-account" / location).
    LocationId
);
define_id!(
    /// A person who signs in to Ivorey.
    UserId
);
define_id!(
    /// A Private Integration.
    IntegrationId
);
define_id!(
    /// A contact of a location.
    ContactId
);
define_id!(
    /// A note on a contact.
    NoteId
);
define_id!(
    /// A sales pipeline of a location.
    PipelineId
);
define_id!(
    /// One stage of a pipeline.
    StageId
);
define_id!(
    /// An opportunity (a deal with a contact, in a pipeline stage).
    OpportunityId
);
define_id!(
    /// A booking calendar of a location.
    CalendarId
);
define_id!(
    /// An appointment (HighLevel's calendar event).
    AppointmentId
);

define_id!(
    /// A form definition of a location.
    FormId
);
define_id!(
    /// One submission of a form.
    SubmissionId
);
define_id!(
    /// An order (payments).
    OrderId
);
define_id!(
    /// A payment transaction recorded against an order.
    TransactionId
);
define_id!(
    /// A task on a contact.
    TaskId
);
define_id!(
    /// A custom field definition of a location.
    CustomFieldId
);

define_id!(
    /// A conversation: the thread of messages with one contact.
    ConversationId
);
define_id!(
    /// One message in a conversation.
    MessageId
);
define_id!(
    /// A contacts import from a CSV file.
    ImportId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        let id = LocationId::generate();
        assert_eq!(LocationId::parse(id.as_str()), Ok(id));
    }

    #[test]
    fn malformed_ids_are_refused() {
        for bad in [
            "",
            "short",
            "abcdefghijklmnopqrs!",
            "abcdefghijklmnopqrstu",
            "ÄbcdefghijklmnopqrsT",
        ] {
            assert_eq!(ContactId::parse(bad), Err(InvalidId), "{bad:?}");
        }
    }

    #[test]
    fn ids_deserialize_only_when_valid() {
        assert!(serde_json::from_str::<UserId>("\"abcdefghij0123456789\"").is_ok());
        assert!(serde_json::from_str::<UserId>("\"abc\"").is_err());
    }
}

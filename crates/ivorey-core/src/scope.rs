//! The scope catalogue: HighLevel scope names, grouped into the areas the Settings UI shows.
//! View is `.readonly`, Edit is `.write`, and Edit does not imply View.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! scopes {
    ($($variant:ident => $name:literal,)*) => {
        /// One permission a Private Integration can hold.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Scope {
            $($variant,)*
        }

        impl Scope {
            /// Every scope, in catalogue order.
            pub const ALL: &'static [Scope] = &[$(Scope::$variant,)*];

            /// The HighLevel wire name, e.g. `contacts.readonly`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Scope::$variant => $name,)*
                }
            }

            /// Parses a wire name; unknown names are `None`.
            pub fn parse(name: &str) -> Option<Scope> {
                match name {
                    $($name => Some(Scope::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

scopes! {
    LocationsRead => "locations.readonly",
    CustomFieldsRead => "locations/customFields.readonly",
    CustomFieldsWrite => "locations/customFields.write",
    TagsRead => "locations/tags.readonly",
    TagsWrite => "locations/tags.write",
    ContactsRead => "contacts.readonly",
    ContactsWrite => "contacts.write",
    CalendarsRead => "calendars.readonly",
    CalendarsWrite => "calendars.write",
    CalendarEventsRead => "calendars/events.readonly",
    CalendarEventsWrite => "calendars/events.write",
    ConversationsRead => "conversations.readonly",
    ConversationsWrite => "conversations.write",
    MessagesRead => "conversations/message.readonly",
    MessagesWrite => "conversations/message.write",
    OpportunitiesRead => "opportunities.readonly",
    OpportunitiesWrite => "opportunities.write",
    FormsRead => "forms.readonly",
    FormsWrite => "forms.write",
    OrdersRead => "payments/orders.readonly",
    OrdersWrite => "payments/orders.write",
    OrdersCollectPayment => "payments/orders.collectPayment",
    TransactionsRead => "payments/transactions.readonly",
    UsersRead => "users.readonly",
    UsersWrite => "users.write",
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Scope::parse(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown scope {name:?}")))
    }
}

/// A set of scopes as a bit set: the per-request check is one AND.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ScopeSet(u32);

impl ScopeSet {
    pub const EMPTY: ScopeSet = ScopeSet(0);

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & (1 << scope as u8) != 0
    }

    pub fn insert(&mut self, scope: Scope) {
        self.0 |= 1 << scope as u8;
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }

    /// Parses wire names; on failure returns every unknown name, so the caller can name them all.
    pub fn parse_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, Vec<String>> {
        let mut set = ScopeSet::EMPTY;
        let mut unknown = Vec::new();
        for name in names {
            let name = name.trim();
            match Scope::parse(name) {
                Some(scope) => set.insert(scope),
                None => unknown.push(name.to_owned()),
            }
        }
        if unknown.is_empty() {
            Ok(set)
        } else {
            Err(unknown)
        }
    }

    /// The space-separated storage form (stable across catalogue reordering, unlike the bits).
    pub fn to_storage(self) -> String {
        self.iter().map(Scope::name).collect::<Vec<_>>().join(" ")
    }

    /// Reads the storage form; names no longer in the catalogue are dropped, never granted.
    pub fn from_storage(s: &str) -> Self {
        let mut set = ScopeSet::EMPTY;
        for scope in s.split_ascii_whitespace().filter_map(Scope::parse) {
            set.insert(scope);
        }
        set
    }
}

impl FromIterator<Scope> for ScopeSet {
    fn from_iter<I: IntoIterator<Item = Scope>>(iter: I) -> Self {
        let mut set = ScopeSet::EMPTY;
        for scope in iter {
            set.insert(scope);
        }
        set
    }
}

impl fmt::Debug for ScopeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl Serialize for ScopeSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// One line of the Scopes page: a kind of data with its View and Edit scopes.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeFamily {
    pub label: &'static str,
    pub view: Option<Scope>,
    pub edit: Option<Scope>,
    /// What View allows, in plain language.
    pub view_allows: &'static str,
    /// What Edit allows, in plain language.
    pub edit_allows: &'static str,
}

/// One area of the account, as the Settings UI groups scopes.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct ScopeArea {
    pub name: &'static str,
    pub families: &'static [ScopeFamily],
}

const fn family(
    label: &'static str,
    view: Option<Scope>,
    edit: Option<Scope>,
    view_allows: &'static str,
    edit_allows: &'static str,
) -> ScopeFamily {
    ScopeFamily {
        label,
        view,
        edit,
        view_allows,
        edit_allows,
    }
}

use Scope::*;

/// The areas in the order the UI lists them; every scope appears exactly once.
pub const CATALOGUE: &[ScopeArea] = &[
    ScopeArea {
        name: "Contacts",
        families: &[family(
            "Contacts",
            Some(ContactsRead),
            Some(ContactsWrite),
            "Read contacts, their tags, notes and tasks.",
            "Create, update and delete contacts.",
        )],
    },
    ScopeArea {
        name: "Calendars",
        families: &[
            family(
                "Calendars",
                Some(CalendarsRead),
                Some(CalendarsWrite),
                "Read calendars and free slots.",
                "Create, change and delete calendars.",
            ),
            family(
                "Appointments",
                Some(CalendarEventsRead),
                Some(CalendarEventsWrite),
                "Read appointments and blocked slots.",
                "Book, move and cancel appointments.",
            ),
        ],
    },
    ScopeArea {
        name: "Conversations",
        families: &[
            family(
                "Conversations",
                Some(ConversationsRead),
                Some(ConversationsWrite),
                "Read conversations.",
                "Create, update and delete conversations.",
            ),
            family(
                "Messages",
                Some(MessagesRead),
                Some(MessagesWrite),
                "Read messages.",
                "Send SMS, email and other messages.",
            ),
        ],
    },
    ScopeArea {
        name: "Opportunities",
        families: &[family(
            "Opportunities",
            Some(OpportunitiesRead),
            Some(OpportunitiesWrite),
            "Read opportunities and pipelines.",
            "Create, update, move and delete opportunities.",
        )],
    },
    ScopeArea {
        name: "Forms",
        families: &[family(
            "Forms",
            Some(FormsRead),
            Some(FormsWrite),
            "Read forms and their submissions.",
            "Upload files to form submissions.",
        )],
    },
    ScopeArea {
        name: "Payments",
        families: &[
            family(
                "Orders",
                Some(OrdersRead),
                Some(OrdersWrite),
                "Read orders and fulfillments.",
                "Record fulfillments of orders.",
            ),
            family(
                "Transactions",
                Some(TransactionsRead),
                None,
                "Read transactions.",
                "",
            ),
            family(
                "Payment recording",
                None,
                Some(OrdersCollectPayment),
                "",
                "Record manual payments (cash, card, cheque, transfer) against orders.",
            ),
        ],
    },
    ScopeArea {
        name: "Business profile",
        families: &[family(
            "Business profile",
            Some(LocationsRead),
            None,
            "Read the business name, address, contact details and time zone.",
            "",
        )],
    },
    ScopeArea {
        name: "Custom fields and tags",
        families: &[
            family(
                "Custom fields",
                Some(CustomFieldsRead),
                Some(CustomFieldsWrite),
                "Read custom field definitions.",
                "Create, change and delete custom fields.",
            ),
            family(
                "Tags",
                Some(TagsRead),
                Some(TagsWrite),
                "Read the location's tags.",
                "Create, rename and delete tags.",
            ),
        ],
    },
    ScopeArea {
        name: "Users",
        families: &[family(
            "Users",
            Some(UsersRead),
            Some(UsersWrite),
            "Read the users of this business.",
            "Create, change and remove users.",
        )],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_name_round_trips() {
        for &scope in Scope::ALL {
            assert_eq!(Scope::parse(scope.name()), Some(scope));
        }
        assert!(Scope::ALL.len() <= 32, "ScopeSet is a u32 bit set");
    }

    #[test]
    fn catalogue_lists_every_scope_exactly_once() {
        let mut seen = Vec::new();
        for area in CATALOGUE {
            for fam in area.families {
                seen.extend(fam.view);
                seen.extend(fam.edit);
            }
        }
        seen.sort();
        assert_eq!(seen, Scope::ALL.to_vec());
    }

    #[test]
    fn unknown_names_are_all_reported() {
        let err =
            ScopeSet::parse_names(["contacts.readonly", "contacts.admin", "nope"]).unwrap_err();
        assert_eq!(err, vec!["contacts.admin".to_owned(), "nope".to_owned()]);
    }

    #[test]
    fn edit_does_not_imply_view() {
        let set = ScopeSet::parse_names(["contacts.write"]).unwrap();
        assert!(set.contains(Scope::ContactsWrite));
        assert!(!set.contains(Scope::ContactsRead));
    }

    #[test]
    fn storage_form_round_trips_and_drops_unknown_names() {
        let set: ScopeSet = [Scope::ContactsRead, Scope::UsersWrite]
            .into_iter()
            .collect();
        assert_eq!(ScopeSet::from_storage(&set.to_storage()), set);
        assert_eq!(ScopeSet::from_storage("contacts.readonly retired.scope"), {
            let mut s = ScopeSet::EMPTY;
            s.insert(Scope::ContactsRead);
            s
        });
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics_and_accepts_only_catalogue_names(name in "\\PC{0,40}") {
            match Scope::parse(&name) {
                Some(scope) => proptest::prop_assert_eq!(scope.name(), name.as_str()),
                None => proptest::prop_assert!(Scope::ALL.iter().all(|s| s.name() != name)),
            }
        }
    }
}

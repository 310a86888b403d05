//! Contacts: the fields as JSON text beside the columns queries compare. How a contact's row and
//! its index rows (tags, words, the posting index) are written is the backend's
//! (`SqlBackend::write_contact`, SQLite with the row functions here); lists and searches are the
//! backend's too.

use async_trait::async_trait;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::{ContactId, LocationId};

use super::{Db, Dialect, Param, Row, Sql, SqlBackend, changed_by, id, ts};
use crate::contact_search::SearchPlan;
use crate::{
    ContactPage, ContactQuery, ContactStore, ContactWrite, StoreError, StoreResult, params, run,
};

/// The columns `contact` reads, in its order.
pub const CONTACT_COLUMNS: &str =
    "id, location_id, data, date_added, date_updated, created_by, updated_by";

/// The columns of a contact as migration 12 found them (its Rust step reads contacts before
/// attribution existed); `contact_before_attribution` reads them.
pub const CONTACT_COLUMNS_V12: &str = "id, location_id, data, date_added, date_updated";

static INSERT: Sql = Sql::new(
    "INSERT INTO contacts (id, location_id, data, search_text, email_lower, date_added,
         date_updated, phone_norm, first_name_lower, last_name_lower, created_by, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
);
static UPDATE: Sql = Sql::new(
    "UPDATE contacts SET data = $3, search_text = $4, email_lower = $5, date_updated = $6,
         phone_norm = $7, first_name_lower = $8, last_name_lower = $9, updated_by = $10
     WHERE id = $1 AND location_id = $2",
);
static GET: Sql = Sql::new(
    "SELECT id, location_id, data, date_added, date_updated, created_by, updated_by FROM contacts
     WHERE id = $1 AND location_id = $2",
);
// The upsert lookups, one key or a batch's keys, each by the key's own index. Without
// statistics for `contacts` (a new database; `PRAGMA optimize` writes them only at a later
// start) SQLite plans `location_id = ? AND email_lower = ? ORDER BY date_added, id` as a walk
// of the location's date index (`contacts_by_location_keyset`), which yields the order: for a
// key no contact has, as for every row an import creates, that reads every contact of the
// location. It made the import of 100,000 rows slow down with each row (95 rows a second by
// 27,500 contacts); `INDEXED BY` names the index. A batch's keys come from a JSON array on
// SQLite and a `text[]` on PostgreSQL.
macro_rules! by_key {
    ($where:literal) => {
        concat!(
            "SELECT id, location_id, data, date_added, date_updated, created_by, updated_by
             FROM contacts ",
            $where
        )
    };
}
static BY_EMAIL_SQLITE: Sql = Sql::new(by_key!(
    "INDEXED BY contacts_by_location_email
     WHERE location_id = $1 AND email_lower = $2 ORDER BY date_added, id LIMIT 1"
));
static BY_PHONE_SQLITE: Sql = Sql::new(by_key!(
    "INDEXED BY contacts_by_location_phone
     WHERE location_id = $1 AND phone_norm = $2 ORDER BY date_added, id LIMIT 1"
));
static BY_EMAIL_POSTGRES: Sql = Sql::new(by_key!(
    "WHERE location_id = $1 AND email_lower = $2 ORDER BY date_added, id LIMIT 1"
));
static BY_PHONE_POSTGRES: Sql = Sql::new(by_key!(
    "WHERE location_id = $1 AND phone_norm = $2 ORDER BY date_added, id LIMIT 1"
));
static BY_EMAILS_SQLITE: Sql = Sql::new(by_key!(
    "INDEXED BY contacts_by_location_email
     WHERE location_id = $1 AND email_lower IN (SELECT value FROM json_each($2))"
));
static BY_PHONES_SQLITE: Sql = Sql::new(by_key!(
    "INDEXED BY contacts_by_location_phone
     WHERE location_id = $1 AND phone_norm IN (SELECT value FROM json_each($2))"
));
static BY_EMAILS_POSTGRES: Sql = Sql::new(by_key!(
    "WHERE location_id = $1 AND email_lower = ANY ($2::text[])"
));
static BY_PHONES_POSTGRES: Sql = Sql::new(by_key!(
    "WHERE location_id = $1 AND phone_norm = ANY ($2::text[])"
));
static DELETE: Sql = Sql::new("DELETE FROM contacts WHERE id = $1 AND location_id = $2");

/// A contact from a row of `CONTACT_COLUMNS`.
pub fn contact(row: &dyn Row) -> StoreResult<Contact> {
    let mut c = contact_before_attribution(row)?;
    c.created_by = changed_by(row, 5)?;
    c.updated_by = changed_by(row, 6)?;
    Ok(c)
}

/// A contact from a row of `CONTACT_COLUMNS_V12`, without attribution.
pub fn contact_before_attribution(row: &dyn Row) -> StoreResult<Contact> {
    Ok(Contact {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        fields: row.json::<ContactFields>(2, "contact data")?,
        date_added: ts(row, 3)?,
        date_updated: ts(row, 4)?,
        created_by: None,
        updated_by: None,
    })
}

/// The values of a contact's row beside its id and location: its JSON and the columns queries
/// compare, derived once per write.
#[derive(Debug)]
pub struct ContactRow {
    pub data: String,
    pub search: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub first: String,
    pub last: String,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl ContactRow {
    pub fn of(c: &Contact) -> StoreResult<ContactRow> {
        Ok(ContactRow {
            data: serde_json::to_string(&c.fields)
                .map_err(|e| StoreError::Other(format!("encoding contact: {e}")))?,
            search: c.search_text(),
            email: c.email_lower(),
            phone: c.phone_norm(),
            first: c.first_name_lower(),
            last: c.last_name_lower(),
            created_by: c.created_by.as_ref().map(ChangedBy::encode),
            updated_by: c.updated_by.as_ref().map(ChangedBy::encode),
        })
    }

    /// The parameters of an insert (`new`: `$1`..`$12`) or an update (`$1`..`$10`, without the
    /// date added and the creator, which never change): id, location, data, search text,
    /// email, [date added,] date updated, phone, first and last name lowercased, [created by,]
    /// updated by.
    pub fn params<'a>(&'a self, c: &'a Contact, new: bool) -> Vec<Param<'a>> {
        let mut p = vec![
            (&c.id).into(),
            (&c.location_id).into(),
            (&self.data).into(),
            (&self.search).into(),
            self.email.as_deref().into(),
        ];
        if new {
            p.push(c.date_added.into());
        }
        p.extend([
            c.date_updated.into(),
            self.phone.as_deref().into(),
            (&self.first).into(),
            (&self.last).into(),
        ]);
        if new {
            p.push(self.created_by.as_deref().into());
        }
        p.push(self.updated_by.as_deref().into());
        p
    }
}

/// Inserts the contact's row; the caller writes its index rows once the row is in.
pub async fn insert_contact_row(db: &mut dyn Db, c: &Contact) -> StoreResult<()> {
    let row = ContactRow::of(c)?;
    match db.execute(&INSERT, &row.params(c, true)).await {
        Err(StoreError::Conflict(_)) => Err(StoreError::Conflict("contact already exists")),
        other => other.map(drop),
    }
}

/// Rewrites the contact's row in place; `NotFound` when it is not in its location.
pub async fn update_contact_row(db: &mut dyn Db, c: &Contact) -> StoreResult<()> {
    let row = ContactRow::of(c)?;
    db.change(&UPDATE, &row.params(c, false)).await
}

/// The location's contacts with one of `keys` in the column `email` says (else the phone's).
async fn by_keys(
    db: &mut dyn Db,
    location: &LocationId,
    keys: &[String],
    email: bool,
) -> StoreResult<Vec<Contact>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    match db.dialect() {
        Dialect::Sqlite => {
            let json = serde_json::to_string(keys)
                .map_err(|e| StoreError::Other(format!("encoding contact keys: {e}")))?;
            let sql = if email {
                &BY_EMAILS_SQLITE
            } else {
                &BY_PHONES_SQLITE
            };
            db.rows(sql, params![location, &json], contact).await
        }
        Dialect::Postgres => {
            let sql = if email {
                &BY_EMAILS_POSTGRES
            } else {
                &BY_PHONES_POSTGRES
            };
            db.rows(sql, &[location.into(), Param::TextArray(keys)], contact)
                .await
        }
    }
}

#[async_trait]
impl<B: SqlBackend> ContactStore for B {
    async fn insert_contact(&self, c: &Contact) -> StoreResult<()> {
        run!(self.write, [c], |db| B::write_contact(db, &c, true).await)
    }

    async fn insert_contacts(&self, contacts: &[Contact]) -> StoreResult<()> {
        let writes: Vec<ContactWrite> =
            contacts.iter().cloned().map(ContactWrite::Insert).collect();
        self.write(super::work(move |db| {
            Box::pin(async move { B::write_contacts(db, &writes).await })
        }))
        .await
    }

    async fn find_contacts_by_keys(
        &self,
        location: &LocationId,
        emails: &[String],
        phones: &[String],
    ) -> StoreResult<Vec<Contact>> {
        run!(self.read, [location, emails, phones], |db| {
            let mut found = by_keys(db, &location, &emails, true).await?;
            let mut seen: std::collections::HashSet<ContactId> =
                found.iter().map(|c| c.id.clone()).collect();
            for c in by_keys(db, &location, &phones, false).await? {
                if seen.insert(c.id.clone()) {
                    found.push(c);
                }
            }
            Ok(found)
        })
    }

    async fn get_contact(
        &self,
        location: &LocationId,
        contact_id: &ContactId,
    ) -> StoreResult<Option<Contact>> {
        run!(self.lookup, [location, contact_id], |db| {
            db.opt(&GET, params![&contact_id, &location], contact).await
        })
    }

    async fn find_contact_by_email(
        &self,
        location: &LocationId,
        email_lower: &str,
    ) -> StoreResult<Option<Contact>> {
        run!(self.lookup, [location, email_lower], |db| {
            let sql = match db.dialect() {
                Dialect::Sqlite => &BY_EMAIL_SQLITE,
                Dialect::Postgres => &BY_EMAIL_POSTGRES,
            };
            db.opt(sql, params![&location, &email_lower], contact).await
        })
    }

    async fn find_contact_by_phone(
        &self,
        location: &LocationId,
        phone_norm: &str,
    ) -> StoreResult<Option<Contact>> {
        run!(self.lookup, [location, phone_norm], |db| {
            let sql = match db.dialect() {
                Dialect::Sqlite => &BY_PHONE_SQLITE,
                Dialect::Postgres => &BY_PHONE_POSTGRES,
            };
            db.opt(sql, params![&location, &phone_norm], contact).await
        })
    }

    async fn update_contact(&self, c: &Contact) -> StoreResult<()> {
        run!(self.write, [c], |db| B::write_contact(db, &c, false).await)
    }

    async fn delete_contact(
        &self,
        location: &LocationId,
        contact_id: &ContactId,
    ) -> StoreResult<()> {
        // Its index rows go by the cascade (SQLite's FTS5 row by migration 13's trigger).
        run!(self.write, [location, contact_id], |db| {
            db.change(&DELETE, params![&contact_id, &location]).await
        })
    }

    async fn list_contacts(
        &self,
        location: &LocationId,
        query: &ContactQuery,
    ) -> StoreResult<ContactPage> {
        let (contacts, total) = self
            .find_contacts(SearchPlan::for_list(location, query))
            .await?;
        Ok(ContactPage { contacts, total })
    }
}

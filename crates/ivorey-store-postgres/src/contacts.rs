//! Contacts: the fields as JSON text, the lowercased columns queries compare, and the index
//! rows (tags, words) searches are driven from.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::contact_terms::contact_terms;
use ivorey_core::{ContactId, LocationId};
use ivorey_store::contact_search::SearchPlan;
use ivorey_store::{ContactPage, ContactQuery, ContactStore, StoreError, StoreResult};
use tokio_postgres::Row;

use crate::PgStore;
use crate::contact_search::run_search;
use crate::error::{corrupt, db_err};
use crate::row::{get, id, ts};

pub(crate) const COLUMNS: &str = "id, location_id, data, date_added, date_updated";

fn encode(fields: &ContactFields) -> StoreResult<String> {
    serde_json::to_string(fields).map_err(|e| StoreError::Other(format!("encoding contact: {e}")))
}

pub(crate) fn from_row(row: &Row) -> StoreResult<Contact> {
    let data: &str = get(row, "data")?;
    Ok(Contact {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        fields: serde_json::from_str(data).map_err(|_| corrupt("contact data"))?,
        date_added: ts(row, "date_added")?,
        date_updated: ts(row, "date_updated")?,
    })
}

/// Inserts the contact's row (its JSON and the columns queries use); the caller writes its
/// index rows once the row is in.
pub(crate) async fn insert_row(tx: &Transaction<'_>, c: &Contact) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO contacts (id, location_id, data, search_text, email_lower, \
         date_added, date_updated, phone_norm, first_name_lower, last_name_lower) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &c.id.as_str(),
            &c.location_id.as_str(),
            &encode(&c.fields)?,
            &c.search_text(),
            &c.email_lower(),
            &c.date_added.millis(),
            &c.date_updated.millis(),
            &c.phone_norm(),
            &c.first_name_lower(),
            &c.last_name_lower(),
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Rewrites the contact's row in place; 0 when it is not in its location.
pub(crate) async fn update_row(tx: &Transaction<'_>, c: &Contact) -> StoreResult<u64> {
    tx.execute(
        "UPDATE contacts SET data = $3, search_text = $4, email_lower = $5, \
         date_updated = $6, phone_norm = $7, first_name_lower = $8, \
         last_name_lower = $9 WHERE id = $1 AND location_id = $2",
        &[
            &c.id.as_str(),
            &c.location_id.as_str(),
            &encode(&c.fields)?,
            &c.search_text(),
            &c.email_lower(),
            &c.date_updated.millis(),
            &c.phone_norm(),
            &c.first_name_lower(),
            &c.last_name_lower(),
        ],
    )
    .await
    .map_err(db_err)
}

/// Replaces the contact's index rows, its tags (`contact_tags`) and its words
/// (`contact_terms`), with those of its current fields, in two statements per table. Every
/// write of a contact calls it in the write's transaction.
pub(crate) async fn write_index_rows(tx: &Transaction<'_>, c: &Contact) -> StoreResult<()> {
    let (location, id) = (c.location_id.as_str(), c.id.as_str());
    tx.execute(
        "DELETE FROM contact_tags WHERE location_id = $1 AND contact_id = $2",
        &[&location, &id],
    )
    .await
    .map_err(db_err)?;
    if !c.fields.tags.is_empty() {
        tx.execute(
            "INSERT INTO contact_tags (location_id, contact_id, tag) \
             SELECT $1, $2, t FROM unnest($3::text[]) t ON CONFLICT DO NOTHING",
            &[&location, &id, &c.fields.tags],
        )
        .await
        .map_err(db_err)?;
    }
    tx.execute(
        "DELETE FROM contact_terms WHERE location_id = $1 AND contact_id = $2",
        &[&location, &id],
    )
    .await
    .map_err(db_err)?;
    let terms: Vec<String> = contact_terms(c).into_iter().collect();
    insert_words(tx, c, &terms, WORDS_AND_POSTINGS).await
}

/// The contact's word rows (none may exist yet), `$4` its words.
const WORDS: &str = "INSERT INTO contact_terms (location_id, contact_id, date_added, term) \
     SELECT $1, $2, $3, t FROM unnest($4::text[]) t";

/// `WORDS`, and the contact's row of the posting index (`contact_postings`: its words, of
/// which the index computes the lexemes), in one statement (one round trip). The row is left
/// as it is when the words are the same (a tag or a custom field changed): no new row
/// version, no index entries.
const WORDS_AND_POSTINGS: &str = "WITH words AS (INSERT INTO contact_terms \
     (location_id, contact_id, date_added, term) SELECT $1, $2, $3, t FROM unnest($4::text[]) t) \
     INSERT INTO contact_postings AS p (location_id, contact_id, date_added, terms) \
     VALUES ($1, $2, $3, $4::text[]) ON CONFLICT (location_id, contact_id) \
     DO UPDATE SET date_added = excluded.date_added, terms = excluded.terms \
     WHERE p.terms IS DISTINCT FROM excluded.terms \
     OR p.date_added IS DISTINCT FROM excluded.date_added";

/// Runs `WORDS` or `WORDS_AND_POSTINGS` for the contact's `terms`.
async fn insert_words(
    tx: &Transaction<'_>,
    c: &Contact,
    terms: &[String],
    statement: &str,
) -> StoreResult<()> {
    tx.execute(
        statement,
        &[
            &c.location_id.as_str(),
            &c.id.as_str(),
            &c.date_added.millis(),
            &terms,
        ],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Writes the word rows of every contact stored before `contact_terms` existed (migration
/// 12's Rust step, in its transaction).
pub(crate) async fn index_existing_contacts(tx: &Transaction<'_>) -> StoreResult<()> {
    let rows = tx
        .query(&format!("SELECT {COLUMNS} FROM contacts"), &[])
        .await
        .map_err(db_err)?;
    for row in &rows {
        let c = from_row(row)?;
        let terms: Vec<String> = contact_terms(&c).into_iter().collect();
        insert_words(tx, &c, &terms, WORDS).await?;
    }
    Ok(())
}

#[async_trait]
impl ContactStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        insert_row(&tx, contact).await?;
        write_index_rows(&tx, contact).await?;
        tx.commit().await.map_err(db_err)
    }

    #[tracing::instrument(skip_all)]
    async fn get_contact(
        &self,
        location: &LocationId,
        id: &ContactId,
    ) -> StoreResult<Option<Contact>> {
        let client = self.client().await?;
        let sql = format!("SELECT {COLUMNS} FROM contacts WHERE id = $1 AND location_id = $2");
        let row = client
            .query_opt(&sql, &[&id.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn find_contact_by_email(
        &self,
        location: &LocationId,
        email_lower: &str,
    ) -> StoreResult<Option<Contact>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM contacts WHERE location_id = $1 AND email_lower = $2 \
             ORDER BY date_added, id LIMIT 1"
        );
        let row = client
            .query_opt(&sql, &[&location.as_str(), &email_lower])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn find_contact_by_phone(
        &self,
        location: &LocationId,
        phone_norm: &str,
    ) -> StoreResult<Option<Contact>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM contacts WHERE location_id = $1 AND phone_norm = $2 \
             ORDER BY date_added, id LIMIT 1"
        );
        let row = client
            .query_opt(&sql, &[&location.as_str(), &phone_norm])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn update_contact(&self, contact: &Contact) -> StoreResult<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let changed = update_row(&tx, contact).await?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        write_index_rows(&tx, contact).await?;
        tx.commit().await.map_err(db_err)
    }

    #[tracing::instrument(skip_all)]
    async fn delete_contact(&self, location: &LocationId, id: &ContactId) -> StoreResult<()> {
        let client = self.client().await?;
        let deleted = client
            .execute(
                "DELETE FROM contacts WHERE id = $1 AND location_id = $2",
                &[&id.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if deleted == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn list_contacts(
        &self,
        location: &LocationId,
        query: &ContactQuery,
    ) -> StoreResult<ContactPage> {
        let plan = SearchPlan::for_list(location, query);
        let (contacts, total) = run_search(self, &plan).await?;
        Ok(ContactPage { contacts, total })
    }
}

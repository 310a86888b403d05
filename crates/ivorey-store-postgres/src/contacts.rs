//! Contacts: the fields as JSON text, plus the lowercased search text and email kept beside
//! them for queries.

use async_trait::async_trait;
use deadpool_postgres::Transaction;
use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::contact_search::TOTAL_CAP;
use ivorey_core::{ContactId, LocationId};
use ivorey_store::{
    ContactPage, ContactQuery, ContactStore, StoreError, StoreResult, contains_pattern,
};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{from_db_count, get, id, ts};

pub(crate) const COLUMNS: &str = "id, location_id, data, date_added, date_updated";

/// A text query matches the lowercased search text as a literal substring. `$2` is NULL for
/// "no query"; `contains_pattern` escapes the LIKE wildcards.
const MATCHES: &str = "location_id = $1 AND ($2::text IS NULL OR search_text LIKE $2 ESCAPE '\\')";

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

/// Replaces the contact's rows in `contact_tags` with its current tags, in one statement.
async fn write_tags(tx: &Transaction<'_>, c: &Contact) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM contact_tags WHERE location_id = $1 AND contact_id = $2",
        &[&c.location_id.as_str(), &c.id.as_str()],
    )
    .await
    .map_err(db_err)?;
    if c.fields.tags.is_empty() {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO contact_tags (location_id, contact_id, tag) \
         SELECT $1, $2, t FROM unnest($3::text[]) t ON CONFLICT DO NOTHING",
        &[&c.location_id.as_str(), &c.id.as_str(), &c.fields.tags],
    )
    .await
    .map_err(db_err)?;
    Ok(())
}

#[async_trait]
impl ContactStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn insert_contact(&self, contact: &Contact) -> StoreResult<()> {
        let data = encode(&contact.fields)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        tx.execute(
            "INSERT INTO contacts (id, location_id, data, search_text, email_lower, \
             date_added, date_updated, phone_norm, first_name_lower, last_name_lower) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &contact.id.as_str(),
                &contact.location_id.as_str(),
                &data,
                &contact.search_text(),
                &contact.email_lower(),
                &contact.date_added.millis(),
                &contact.date_updated.millis(),
                &contact.phone_norm(),
                &contact.first_name_lower(),
                &contact.last_name_lower(),
            ],
        )
        .await
        .map_err(db_err)?;
        write_tags(&tx, contact).await?;
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
        let data = encode(&contact.fields)?;
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(db_err)?;
        let changed = tx
            .execute(
                "UPDATE contacts SET data = $3, search_text = $4, email_lower = $5, \
                 date_updated = $6, phone_norm = $7, first_name_lower = $8, \
                 last_name_lower = $9 WHERE id = $1 AND location_id = $2",
                &[
                    &contact.id.as_str(),
                    &contact.location_id.as_str(),
                    &data,
                    &contact.search_text(),
                    &contact.email_lower(),
                    &contact.date_updated.millis(),
                    &contact.phone_norm(),
                    &contact.first_name_lower(),
                    &contact.last_name_lower(),
                ],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        write_tags(&tx, contact).await?;
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
        let pattern = query.query.as_deref().map(contains_pattern);
        let (after_date, after_id) = match &query.after {
            Some((date, id)) => (Some(date.millis()), Some(id.as_str())),
            None => (None, None),
        };
        let limit = i64::from(query.limit);
        let client = self.client().await?;
        // The row comparison walks the (location_id, date_added, id) index; ids compare
        // bytewise because the column is COLLATE "C". The first page has its own statement so
        // the planner never has to keep a `$3 IS NULL OR ...` branch open.
        let cursor = match after_date {
            Some(_) => "AND (date_added, id) > ($3, $4::text)",
            None => "AND $3::bigint IS NULL AND $4::text IS NULL",
        };
        let page_sql = format!(
            "SELECT {COLUMNS} FROM contacts WHERE {MATCHES} {cursor} \
             ORDER BY date_added, id LIMIT $5"
        );
        let rows = client
            .query(
                &page_sql,
                &[&location.as_str(), &pattern, &after_date, &after_id, &limit],
            )
            .await
            .map_err(db_err)?;
        let contacts = rows.iter().map(from_row).collect::<StoreResult<Vec<_>>>()?;
        // The total ignores the cursor and is counted up to TOTAL_CAP, as search does: an exact
        // count of a million-contact location on every page would cost more than the page.
        let cap = TOTAL_CAP as i64;
        let total_sql =
            format!("SELECT count(*) FROM (SELECT 1 FROM contacts WHERE {MATCHES} LIMIT $3) c");
        let row = client
            .query_one(&total_sql, &[&location.as_str(), &pattern, &cap])
            .await
            .map_err(db_err)?;
        let total = from_db_count(row.try_get(0).map_err(db_err)?);
        Ok(ContactPage { contacts, total })
    }
}

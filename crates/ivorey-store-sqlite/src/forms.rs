//! Forms and submissions in SQLite. Migration 7's foreign keys keep a submission's form and
//! contact in its location, so a refused reference surfaces as a foreign-key violation and
//! becomes `NotFound`.

use async_trait::async_trait;
use ivorey_core::form::{Form, FormField, Submission};
use ivorey_core::ids::{FormId, SubmissionId};
use ivorey_core::{ContactId, LocationId, Timestamp};
use ivorey_store::{
    ContactWrite, FormStore, StoreError, StoreResult, SubmissionPage, SubmissionQuery,
    contains_pattern,
};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};
use ivorey_store::sql::contacts::{insert_contact_row, update_contact_row};
use ivorey_store::sql::{Sql, SqlBackend};

const FORM_COLUMNS: &str = "id, location_id, name, fields, created_at, updated_at";

fn form_from_row(row: &Row<'_>) -> rusqlite::Result<Form> {
    let fields: String = row.get(3)?;
    Ok(Form {
        id: FormId::parse(&row.get::<_, String>(0)?).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&row.get::<_, String>(1)?)
            .map_err(|e| conversion_err(1, e))?,
        name: row.get(2)?,
        fields: serde_json::from_str::<Vec<FormField>>(&fields)
            .map_err(|e| conversion_err(3, e))?,
        created_at: Timestamp(row.get(4)?),
        updated_at: Timestamp(row.get(5)?),
    })
}

fn submission_from_row(row: &Row<'_>) -> rusqlite::Result<Submission> {
    let data: String = row.get(7)?;
    Ok(Submission {
        id: SubmissionId::parse(&row.get::<_, String>(0)?).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&row.get::<_, String>(1)?)
            .map_err(|e| conversion_err(1, e))?,
        form_id: FormId::parse(&row.get::<_, String>(2)?).map_err(|e| conversion_err(2, e))?,
        contact_id: ContactId::parse(&row.get::<_, String>(3)?)
            .map_err(|e| conversion_err(3, e))?,
        name: row.get(4)?,
        email: row.get(5)?,
        phone: row.get(6)?,
        values: serde_json::from_str(&data).map_err(|e| conversion_err(7, e))?,
        created_at: Timestamp(row.get(8)?),
    })
}

fn encode(value: &impl Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(e.to_string()))
}

/// A reference outside the location is `NotFound`.
fn write_err(e: rusqlite::Error) -> StoreError {
    let foreign_key = matches!(&e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY);
    if foreign_key {
        StoreError::NotFound
    } else if is_unique_violation(&e) {
        StoreError::Conflict("record already exists")
    } else {
        db_err(e)
    }
}

static INSERT_SUBMISSION: Sql = Sql::new(
    "INSERT INTO form_submissions (id, location_id, form_id, contact_id, name, email, phone,
         search_text, data, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
);

#[async_trait]
impl FormStore for SqliteStore {
    async fn create_form(&self, form: &Form) -> StoreResult<()> {
        let f = form.clone();
        self.call(move |conn| {
            conn.prepare_cached(
                "INSERT INTO forms (id, location_id, name, fields, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .map_err(db_err)?
            .execute(params![
                f.id.as_str(),
                f.location_id.as_str(),
                f.name,
                encode(&f.fields)?,
                f.created_at.0,
                f.updated_at.0
            ])
            .map_err(write_err)?;
            Ok(())
        })
        .await
    }

    async fn list_forms(
        &self,
        location: &LocationId,
        skip: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Form>, u64)> {
        let location = location.clone();
        let skip = i64::try_from(skip).unwrap_or(i64::MAX);
        self.read(move |conn| {
            let sql = format!(
                "SELECT {FORM_COLUMNS} FROM forms WHERE location_id = ?1
                 ORDER BY created_at, id LIMIT ?2 OFFSET ?3"
            );
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(params![location.as_str(), limit, skip], form_from_row)
                .map_err(db_err)?;
            let forms = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
            let total: i64 = conn
                .prepare_cached("SELECT COUNT(*) FROM forms WHERE location_id = ?1")
                .map_err(db_err)?
                .query_row(params![location.as_str()], |r| r.get(0))
                .map_err(db_err)?;
            Ok((forms, u64::try_from(total).unwrap_or(0)))
        })
        .await
    }

    async fn get_form(&self, location: &LocationId, id: &FormId) -> StoreResult<Option<Form>> {
        self.read_now(|conn| {
            let sql =
                format!("SELECT {FORM_COLUMNS} FROM forms WHERE id = ?1 AND location_id = ?2");
            conn.prepare_cached(&sql)
                .map_err(db_err)?
                .query_row(params![id.as_str(), location.as_str()], form_from_row)
                .optional()
                .map_err(db_err)
        })
    }

    async fn find_form(&self, id: &FormId) -> StoreResult<Option<Form>> {
        self.read_now(|conn| {
            let sql = format!("SELECT {FORM_COLUMNS} FROM forms WHERE id = ?1");
            conn.prepare_cached(&sql)
                .map_err(db_err)?
                .query_row(params![id.as_str()], form_from_row)
                .optional()
                .map_err(db_err)
        })
    }

    async fn update_form(&self, form: &Form) -> StoreResult<()> {
        let f = form.clone();
        self.call(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE forms SET name = ?3, fields = ?4, updated_at = ?5
                     WHERE id = ?1 AND location_id = ?2",
                )
                .map_err(db_err)?
                .execute(params![
                    f.id.as_str(),
                    f.location_id.as_str(),
                    f.name,
                    encode(&f.fields)?,
                    f.updated_at.0
                ])
                .map_err(db_err)?;
            if changed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn delete_form(&self, location: &LocationId, id: &FormId) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM forms WHERE id = ?1 AND location_id = ?2",
                    params![id.as_str(), location.as_str()],
                )
                .map_err(db_err)?;
            if removed == 0 {
                Err(StoreError::NotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    async fn record_submission(
        &self,
        contact: &ContactWrite,
        submission: &Submission,
    ) -> StoreResult<()> {
        let values = encode(&submission.values)?;
        let (write, s) = (contact.clone(), submission.clone());
        let work = ivorey_store::sql::work(move |db| {
            Box::pin(async move {
                let c = write.contact();
                if c.location_id != s.location_id || c.id != s.contact_id {
                    return Err(StoreError::NotFound);
                }
                match &write {
                    ContactWrite::Insert(_) => insert_contact_row(db, c).await?,
                    ContactWrite::Update(_) => update_contact_row(db, c).await?,
                }
                <SqliteStore as SqlBackend>::index_contact(db, c).await?;
                let search = s.search_text();
                let p = ivorey_store::params![
                    &s.id,
                    &s.location_id,
                    &s.form_id,
                    &s.contact_id,
                    s.name.as_deref(),
                    s.email.as_deref(),
                    s.phone.as_deref(),
                    &search,
                    &values,
                    s.created_at
                ];
                db.execute(&INSERT_SUBMISSION, p).await.map(drop)
            })
        });
        SqlBackend::write(self, work).await
    }

    async fn list_submissions(
        &self,
        location: &LocationId,
        q: &SubmissionQuery,
    ) -> StoreResult<SubmissionPage> {
        let (location, q) = (location.clone(), q.clone());
        self.read(move |conn| {
            let pattern = q.query.as_deref().map(contains_pattern);
            let form = q.form_id.as_ref().map(|f| f.as_str().to_owned());
            let (from, until) = (q.from.map(|t| t.0), q.until.map(|t| t.0));
            let filter = "location_id = ?1 AND (?2 IS NULL OR form_id = ?2)
                AND (?3 IS NULL OR created_at >= ?3) AND (?4 IS NULL OR created_at < ?4)
                AND (?5 IS NULL OR search_text LIKE ?5 ESCAPE '\\')";
            let sql = format!(
                "SELECT id, location_id, form_id, contact_id, name, email, phone, data, created_at
                 FROM form_submissions WHERE {filter}
                 ORDER BY created_at DESC, id DESC LIMIT ?6 OFFSET ?7"
            );
            let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
            let mut stmt = conn.prepare_cached(&sql).map_err(db_err)?;
            let rows = stmt
                .query_map(
                    params![
                        location.as_str(),
                        form,
                        from,
                        until,
                        pattern,
                        q.limit,
                        offset
                    ],
                    submission_from_row,
                )
                .map_err(db_err)?;
            let submissions = rows.collect::<Result<Vec<_>, _>>().map_err(db_err)?;
            let total: i64 = conn
                .prepare_cached(&format!(
                    "SELECT COUNT(*) FROM form_submissions WHERE {filter}"
                ))
                .map_err(db_err)?
                .query_row(
                    params![location.as_str(), form, from, until, pattern],
                    |r| r.get(0),
                )
                .map_err(db_err)?;
            Ok(SubmissionPage {
                submissions,
                total: u64::try_from(total).unwrap_or(0),
            })
        })
        .await
    }
}

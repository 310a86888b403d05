//! Forms and submissions. Migration 7's foreign keys keep a submission's form and contact in
//! its location; a refused reference is a foreign-key violation, which `db_err` maps to
//! `NotFound`.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::form::{Form, Submission};
use ivorey_core::ids::FormId;
use ivorey_store::{
    ContactWrite, FormStore, StoreError, StoreResult, SubmissionPage, SubmissionQuery,
    contains_pattern,
};
use serde::Serialize;
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{from_db_count, get, id, ts};
use ivorey_store::sql::contacts::{insert_contact_row, update_contact_row};
use ivorey_store::sql::{Sql, SqlBackend};

const FORM_COLUMNS: &str = "id, location_id, name, fields, created_at, updated_at";
const SUBMISSION_COLUMNS: &str =
    "id, location_id, form_id, contact_id, name, email, phone, data, created_at";
/// The submission filters; `$2`..`$5` are NULL when not given.
const SUBMISSION_FILTER: &str = "location_id = $1 AND ($2::text IS NULL OR form_id = $2) \
     AND ($3::bigint IS NULL OR created_at >= $3) AND ($4::bigint IS NULL OR created_at < $4) \
     AND ($5::text IS NULL OR search_text LIKE $5 ESCAPE '\\')";

fn encode(value: &impl Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(format!("encoding: {e}")))
}

fn form_from_row(row: &Row) -> StoreResult<Form> {
    let fields: &str = get(row, "fields")?;
    Ok(Form {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        name: get(row, "name")?,
        fields: serde_json::from_str(fields).map_err(|_| corrupt("form fields"))?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

fn submission_from_row(row: &Row) -> StoreResult<Submission> {
    let data: &str = get(row, "data")?;
    Ok(Submission {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        form_id: id(row, "form_id")?,
        contact_id: id(row, "contact_id")?,
        name: get(row, "name")?,
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        values: serde_json::from_str(data).map_err(|_| corrupt("submission data"))?,
        created_at: ts(row, "created_at")?,
    })
}

static INSERT_SUBMISSION: Sql = Sql::new(
    "INSERT INTO form_submissions (id, location_id, form_id, contact_id, name, email, phone,
         search_text, data, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
);

#[async_trait]
impl FormStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn create_form(&self, f: &Form) -> StoreResult<()> {
        let fields = encode(&f.fields)?;
        let client = self.client().await?;
        client
            .execute(
                "INSERT INTO forms (id, location_id, name, fields, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &f.id.as_str(),
                    &f.location_id.as_str(),
                    &f.name,
                    &fields,
                    &f.created_at.millis(),
                    &f.updated_at.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn list_forms(
        &self,
        location: &LocationId,
        skip: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Form>, u64)> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {FORM_COLUMNS} FROM forms WHERE location_id = $1 \
             ORDER BY created_at, id LIMIT $2 OFFSET $3"
        );
        let skip = i64::try_from(skip).unwrap_or(i64::MAX);
        let rows = client
            .query(&sql, &[&location.as_str(), &i64::from(limit), &skip])
            .await
            .map_err(db_err)?;
        let forms = rows
            .iter()
            .map(form_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let row = client
            .query_one(
                "SELECT count(*) FROM forms WHERE location_id = $1",
                &[&location.as_str()],
            )
            .await
            .map_err(db_err)?;
        Ok((forms, from_db_count(row.try_get(0).map_err(db_err)?)))
    }

    #[tracing::instrument(skip_all)]
    async fn get_form(&self, location: &LocationId, form: &FormId) -> StoreResult<Option<Form>> {
        let client = self.client().await?;
        let sql = format!("SELECT {FORM_COLUMNS} FROM forms WHERE id = $1 AND location_id = $2");
        let row = client
            .query_opt(&sql, &[&form.as_str(), &location.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(form_from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn find_form(&self, form: &FormId) -> StoreResult<Option<Form>> {
        let client = self.client().await?;
        let sql = format!("SELECT {FORM_COLUMNS} FROM forms WHERE id = $1");
        let row = client
            .query_opt(&sql, &[&form.as_str()])
            .await
            .map_err(db_err)?;
        row.as_ref().map(form_from_row).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn update_form(&self, f: &Form) -> StoreResult<()> {
        let fields = encode(&f.fields)?;
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE forms SET name = $3, fields = $4, updated_at = $5 \
                 WHERE id = $1 AND location_id = $2",
                &[
                    &f.id.as_str(),
                    &f.location_id.as_str(),
                    &f.name,
                    &fields,
                    &f.updated_at.millis(),
                ],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
    async fn delete_form(&self, location: &LocationId, form: &FormId) -> StoreResult<()> {
        let client = self.client().await?;
        let removed = client
            .execute(
                "DELETE FROM forms WHERE id = $1 AND location_id = $2",
                &[&form.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if removed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }

    #[tracing::instrument(skip_all)]
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
                <PgStore as SqlBackend>::index_contact(db, c).await?;
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

    #[tracing::instrument(skip_all)]
    async fn list_submissions(
        &self,
        location: &LocationId,
        q: &SubmissionQuery,
    ) -> StoreResult<SubmissionPage> {
        let pattern = q.query.as_deref().map(contains_pattern);
        let form = q.form_id.as_ref().map(FormId::as_str);
        let (from, until) = (q.from.map(|t| t.millis()), q.until.map(|t| t.millis()));
        let offset = i64::try_from(q.offset).unwrap_or(i64::MAX);
        let client = self.client().await?;
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM form_submissions WHERE {SUBMISSION_FILTER} \
             ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7"
        );
        let rows = client
            .query(
                &sql,
                &[
                    &location.as_str(),
                    &form,
                    &from,
                    &until,
                    &pattern,
                    &i64::from(q.limit),
                    &offset,
                ],
            )
            .await
            .map_err(db_err)?;
        let submissions = rows
            .iter()
            .map(submission_from_row)
            .collect::<StoreResult<Vec<_>>>()?;
        let count = format!("SELECT count(*) FROM form_submissions WHERE {SUBMISSION_FILTER}");
        let row = client
            .query_one(
                &count,
                &[&location.as_str(), &form, &from, &until, &pattern],
            )
            .await
            .map_err(db_err)?;
        Ok(SubmissionPage {
            submissions,
            total: from_db_count(row.try_get(0).map_err(db_err)?),
        })
    }
}

//! Forms and submissions. Migration 7's foreign keys keep a submission's form and contact in
//! its location, so a refused reference surfaces as a foreign-key violation: `NotFound`. A
//! submission writes its contact (row and index rows) in the same transaction.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::form::{Form, Submission};
use ivorey_core::ids::FormId;
use serde::Serialize;

use super::{Param, Row, Sql, SqlBackend, id, ts};
use crate::{
    ContactWrite, FormStore, StoreError, StoreResult, SubmissionPage, SubmissionQuery,
    contains_pattern, params, run,
};

/// The columns `form` reads.
macro_rules! form_columns {
    () => {
        "id, location_id, name, fields, created_at, updated_at, thank_you, redirect_url"
    };
}

static CREATE: Sql = Sql::new(
    "INSERT INTO forms (id, location_id, name, fields, created_at, updated_at, thank_you,
         redirect_url)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
);
static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    form_columns!(),
    " FROM forms WHERE location_id = $1 ORDER BY created_at, id LIMIT $2 OFFSET $3"
));
static COUNT: Sql = Sql::new("SELECT count(*) FROM forms WHERE location_id = $1");
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    form_columns!(),
    " FROM forms WHERE id = $1 AND location_id = $2"
));
static FIND: Sql = Sql::new(concat!(
    "SELECT ",
    form_columns!(),
    " FROM forms WHERE id = $1"
));
static UPDATE: Sql = Sql::new(
    "UPDATE forms SET name = $3, fields = $4, updated_at = $5, thank_you = $6,
       redirect_url = $7
     WHERE id = $1 AND location_id = $2",
);
static DELETE: Sql = Sql::new("DELETE FROM forms WHERE id = $1 AND location_id = $2");

static INSERT_SUBMISSION: Sql = Sql::new(
    "INSERT INTO form_submissions (id, location_id, form_id, contact_id, name, email, phone,
         search_text, data, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
);

/// The submission filters: `$1` location, then `$2` form, `$3` from, `$4` until and `$5`
/// pattern, each NULL when not given. The casts give PostgreSQL the type of a parameter only
/// tested for NULL.
macro_rules! submission_filter {
    () => {
        "location_id = $1 AND (CAST($2 AS TEXT) IS NULL OR form_id = $2)
         AND (CAST($3 AS BIGINT) IS NULL OR created_at >= $3)
         AND (CAST($4 AS BIGINT) IS NULL OR created_at < $4)
         AND (CAST($5 AS TEXT) IS NULL OR search_text LIKE $5 ESCAPE '\\')"
    };
}
static LIST_SUBMISSIONS: Sql = Sql::new(concat!(
    "SELECT id, location_id, form_id, contact_id, name, email, phone, data, created_at
     FROM form_submissions WHERE ",
    submission_filter!(),
    " ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7"
));
static COUNT_SUBMISSIONS: Sql = Sql::new(concat!(
    "SELECT count(*) FROM form_submissions WHERE ",
    submission_filter!()
));

fn form(row: &dyn Row) -> StoreResult<Form> {
    Ok(Form {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        name: row.string(2)?,
        fields: row.json(3, "form fields")?,
        created_at: ts(row, 4)?,
        updated_at: ts(row, 5)?,
        thank_you: row.opt_string(6)?,
        redirect_url: row.opt_string(7)?,
    })
}

fn submission(row: &dyn Row) -> StoreResult<Submission> {
    Ok(Submission {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        form_id: id(row, 2)?,
        contact_id: id(row, 3)?,
        name: row.opt_string(4)?,
        email: row.opt_string(5)?,
        phone: row.opt_string(6)?,
        values: row.json(7, "submission data")?,
        created_at: ts(row, 8)?,
    })
}

fn count(row: &dyn Row) -> StoreResult<u64> {
    Ok(u64::try_from(row.int(0)?).unwrap_or(0))
}

fn encode(value: &impl Serialize) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Other(format!("encoding: {e}")))
}

fn offset(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[async_trait]
impl<B: SqlBackend> FormStore for B {
    async fn create_form(&self, f: &Form) -> StoreResult<()> {
        let fields = encode(&f.fields)?;
        run!(self.write, [f, fields], |db| {
            let p = params![
                &f.id,
                &f.location_id,
                &f.name,
                &fields,
                f.created_at,
                f.updated_at,
                f.thank_you.as_ref(),
                f.redirect_url.as_ref()
            ];
            db.execute(&CREATE, p).await.map(drop)
        })
    }

    async fn list_forms(
        &self,
        location: &LocationId,
        skip: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Form>, u64)> {
        run!(self.read, [location], |db| {
            let p = params![&location, i64::from(limit), offset(skip)];
            let forms = db.rows(&LIST, p, form).await?;
            let total = db.one(&COUNT, params![&location], count).await?;
            Ok((forms, total))
        })
    }

    async fn get_form(&self, location: &LocationId, id: &FormId) -> StoreResult<Option<Form>> {
        run!(self.lookup, [location, id], |db| {
            db.opt(&GET, params![&id, &location], form).await
        })
    }

    async fn find_form(&self, id: &FormId) -> StoreResult<Option<Form>> {
        run!(self.lookup, [id], |db| {
            db.opt(&FIND, params![&id], form).await
        })
    }

    async fn update_form(&self, f: &Form) -> StoreResult<()> {
        let fields = encode(&f.fields)?;
        run!(self.write, [f, fields], |db| {
            let p = params![
                &f.id,
                &f.location_id,
                &f.name,
                &fields,
                f.updated_at,
                f.thank_you.as_ref(),
                f.redirect_url.as_ref()
            ];
            db.change(&UPDATE, p).await
        })
    }

    async fn delete_form(&self, location: &LocationId, id: &FormId) -> StoreResult<()> {
        run!(self.write, [location, id], |db| {
            db.change(&DELETE, params![&id, &location]).await
        })
    }

    async fn record_submission(
        &self,
        contact: &ContactWrite,
        submission: &Submission,
    ) -> StoreResult<()> {
        let values = encode(&submission.values)?;
        let (write, s) = (contact, submission);
        run!(self.write, [write, s, values], |db| {
            let c = write.contact();
            if c.location_id != s.location_id || c.id != s.contact_id {
                return Err(StoreError::NotFound);
            }
            match &write {
                ContactWrite::Insert(_) => B::write_contact(db, c, true).await?,
                ContactWrite::Update(_) => B::write_contact(db, c, false).await?,
            }
            let search = s.search_text();
            let p = params![
                &s.id,
                &s.location_id,
                &s.form_id,
                &s.contact_id,
                s.name.as_ref(),
                s.email.as_ref(),
                s.phone.as_ref(),
                &search,
                &values,
                s.created_at
            ];
            db.execute(&INSERT_SUBMISSION, p).await.map(drop)
        })
    }

    async fn list_submissions(
        &self,
        location: &LocationId,
        q: &SubmissionQuery,
    ) -> StoreResult<SubmissionPage> {
        let pattern = q.query.as_deref().map(contains_pattern);
        run!(self.read, [location, q, pattern], |db| {
            let filters = [
                Param::from(&location),
                Param::from(q.form_id.as_ref()),
                Param::from(q.from),
                Param::from(q.until),
                Param::from(pattern.as_ref()),
            ];
            let mut p = filters.to_vec();
            p.extend([
                Param::from(i64::from(q.limit)),
                Param::from(offset(q.offset)),
            ]);
            let submissions = db.rows(&LIST_SUBMISSIONS, &p, submission).await?;
            let total = db.one(&COUNT_SUBMISSIONS, &filters, count).await?;
            Ok(SubmissionPage { submissions, total })
        })
    }
}

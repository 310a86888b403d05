//! Custom field definitions of a location; options are a JSON array. A taken key is
//! `Conflict`.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::custom_field::CustomField;
use ivorey_core::ids::CustomFieldId;

use super::{Row, Sql, SqlBackend, id, ts};
use crate::{CustomFieldStore, StoreError, StoreResult, params, run};

static LIST: Sql = Sql::new(
    "SELECT id, location_id, model, name, field_key, data_type, placeholder, options, position,
         date_added
     FROM custom_fields WHERE location_id = $1 AND (CAST($2 AS TEXT) IS NULL OR model = $2)
     ORDER BY position, id",
);
static GET: Sql = Sql::new(
    "SELECT id, location_id, model, name, field_key, data_type, placeholder, options, position,
         date_added
     FROM custom_fields WHERE location_id = $1 AND id = $2",
);
static BY_KEY: Sql = Sql::new(
    "SELECT id, location_id, model, name, field_key, data_type, placeholder, options, position,
         date_added
     FROM custom_fields WHERE location_id = $1 AND field_key = $2",
);
static INSERT: Sql = Sql::new(
    "INSERT INTO custom_fields (id, location_id, model, name, field_key, data_type, placeholder,
         options, position, date_added)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
);
static UPDATE: Sql = Sql::new(
    "UPDATE custom_fields SET name = $3, placeholder = $4, options = $5, position = $6
     WHERE id = $1 AND location_id = $2",
);
static DELETE: Sql = Sql::new("DELETE FROM custom_fields WHERE id = $1 AND location_id = $2");

fn field(row: &dyn Row) -> StoreResult<CustomField> {
    Ok(CustomField {
        id: id(row, 0)?,
        location_id: id(row, 1)?,
        model: row.string(2)?,
        name: row.string(3)?,
        field_key: row.string(4)?,
        data_type: row.string(5)?,
        placeholder: row.opt_string(6)?,
        options: row.json(7, "custom field options")?,
        position: row.int(8)?,
        date_added: ts(row, 9)?,
    })
}

fn options_json(field: &CustomField) -> StoreResult<String> {
    serde_json::to_string(&field.options).map_err(|e| StoreError::Other(e.to_string()))
}

#[async_trait]
impl<B: SqlBackend> CustomFieldStore for B {
    async fn list_custom_fields(
        &self,
        location: &LocationId,
        model: Option<&str>,
    ) -> StoreResult<Vec<CustomField>> {
        let model = model.map(str::to_owned);
        run!(self.read, [location, model], |db| {
            db.rows(&LIST, params![&location, model.as_deref()], field)
                .await
        })
    }

    async fn get_custom_field(
        &self,
        location: &LocationId,
        field_id: &CustomFieldId,
    ) -> StoreResult<Option<CustomField>> {
        run!(self.lookup, [location, field_id], |db| {
            db.opt(&GET, params![&location, &field_id], field).await
        })
    }

    async fn find_custom_field_by_key(
        &self,
        location: &LocationId,
        field_key: &str,
    ) -> StoreResult<Option<CustomField>> {
        run!(self.lookup, [location, field_key], |db| {
            db.opt(&BY_KEY, params![&location, &field_key], field).await
        })
    }

    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let options = options_json(f)?;
        run!(self.write, [f, options], |db| {
            let p = params![
                &f.id,
                &f.location_id,
                &f.model,
                &f.name,
                &f.field_key,
                &f.data_type,
                &f.placeholder,
                &options,
                f.position,
                f.date_added
            ];
            match db.execute(&INSERT, p).await {
                Err(StoreError::Conflict(_)) => {
                    Err(StoreError::Conflict("custom field key already exists"))
                }
                other => other.map(drop),
            }
        })
    }

    async fn update_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let options = options_json(f)?;
        run!(self.write, [f, options], |db| {
            let p = params![
                &f.id,
                &f.location_id,
                &f.name,
                &f.placeholder,
                &options,
                f.position
            ];
            db.change(&UPDATE, p).await
        })
    }

    async fn delete_custom_field(
        &self,
        location: &LocationId,
        field_id: &CustomFieldId,
    ) -> StoreResult<()> {
        run!(self.write, [location, field_id], |db| {
            db.change(&DELETE, params![&field_id, &location]).await
        })
    }
}

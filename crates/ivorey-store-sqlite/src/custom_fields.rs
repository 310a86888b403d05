//! Custom field definitions in SQLite; options are a JSON array. A taken key is `Conflict`.

use async_trait::async_trait;
use ivorey_core::custom_field::CustomField;
use ivorey_core::ids::CustomFieldId;
use ivorey_core::{LocationId, Timestamp};
use ivorey_store::{CustomFieldStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

use crate::locations::conversion_err;
use crate::{SqliteStore, db_err, is_unique_violation};

const COLUMNS: &str = "id, location_id, model, name, field_key, data_type, placeholder, options, position, date_added";

fn field_from_row(row: &Row<'_>) -> rusqlite::Result<CustomField> {
    let id: String = row.get(0)?;
    let location: String = row.get(1)?;
    let options: String = row.get(7)?;
    Ok(CustomField {
        id: CustomFieldId::parse(&id).map_err(|e| conversion_err(0, e))?,
        location_id: LocationId::parse(&location).map_err(|e| conversion_err(1, e))?,
        model: row.get(2)?,
        name: row.get(3)?,
        field_key: row.get(4)?,
        data_type: row.get(5)?,
        placeholder: row.get(6)?,
        options: serde_json::from_str(&options).map_err(|e| conversion_err(7, e))?,
        position: row.get(8)?,
        date_added: Timestamp(row.get(9)?),
    })
}

fn options_json(field: &CustomField) -> StoreResult<String> {
    serde_json::to_string(&field.options).map_err(|e| StoreError::Other(e.to_string()))
}

impl SqliteStore {
    fn one_field(
        &self,
        sql: &str,
        location: &LocationId,
        key: &str,
    ) -> StoreResult<Option<CustomField>> {
        self.read_now(|conn| {
            conn.prepare_cached(sql)
                .map_err(db_err)?
                .query_row(params![location.as_str(), key], field_from_row)
                .optional()
                .map_err(db_err)
        })
    }
}

#[async_trait]
impl CustomFieldStore for SqliteStore {
    async fn list_custom_fields(
        &self,
        location: &LocationId,
        model: Option<&str>,
    ) -> StoreResult<Vec<CustomField>> {
        let (location, model) = (location.clone(), model.map(str::to_owned));
        self.read(move |conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM custom_fields
                     WHERE location_id = ?1 AND (?2 IS NULL OR model = ?2) ORDER BY position, id"
                ))
                .map_err(db_err)?;
            let rows = stmt
                .query_map(params![location.as_str(), model], field_from_row)
                .map_err(db_err)?;
            rows.collect::<Result<Vec<_>, _>>().map_err(db_err)
        })
        .await
    }

    async fn get_custom_field(
        &self,
        location: &LocationId,
        id: &CustomFieldId,
    ) -> StoreResult<Option<CustomField>> {
        let sql = format!("SELECT {COLUMNS} FROM custom_fields WHERE location_id = ?1 AND id = ?2");
        self.one_field(&sql, location, id.as_str())
    }

    async fn find_custom_field_by_key(
        &self,
        location: &LocationId,
        field_key: &str,
    ) -> StoreResult<Option<CustomField>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM custom_fields WHERE location_id = ?1 AND field_key = ?2"
        );
        self.one_field(&sql, location, field_key)
    }

    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let f = f.clone();
        self.call(move |conn| {
            conn.prepare_cached(&format!(
                "INSERT INTO custom_fields ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))
            .map_err(db_err)?
            .execute(params![
                f.id.as_str(), f.location_id.as_str(), f.model, f.name, f.field_key, f.data_type,
                f.placeholder, options_json(&f)?, f.position, f.date_added.0
            ])
            .map_err(|e| {
                if is_unique_violation(&e) {
                    StoreError::Conflict("custom field key already exists")
                } else {
                    db_err(e)
                }
            })?;
            Ok(())
        })
        .await
    }

    async fn update_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let f = f.clone();
        self.call(move |conn| {
            let changed = conn
                .prepare_cached(
                    "UPDATE custom_fields SET name = ?3, placeholder = ?4, options = ?5, position = ?6
                     WHERE id = ?1 AND location_id = ?2",
                )
                .map_err(db_err)?
                .execute(params![
                    f.id.as_str(), f.location_id.as_str(), f.name, f.placeholder,
                    options_json(&f)?, f.position
                ])
                .map_err(db_err)?;
            if changed == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        })
        .await
    }

    async fn delete_custom_field(
        &self,
        location: &LocationId,
        id: &CustomFieldId,
    ) -> StoreResult<()> {
        let (location, id) = (location.clone(), id.clone());
        self.call(move |conn| {
            let removed = conn
                .execute(
                    "DELETE FROM custom_fields WHERE id = ?1 AND location_id = ?2",
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
}

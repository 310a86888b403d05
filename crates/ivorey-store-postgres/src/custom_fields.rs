//! Custom field definitions; options are a JSON array in TEXT. A taken key is `Conflict`.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::custom_field::CustomField;
use ivorey_core::ids::CustomFieldId;
use ivorey_store::{CustomFieldStore, StoreError, StoreResult};
use tokio_postgres::Row;

use crate::PgStore;
use crate::error::{corrupt, db_err};
use crate::row::{get, id, ts};

const COLUMNS: &str = "id, location_id, model, name, field_key, data_type, placeholder, options, position, date_added";

fn from_row(row: &Row) -> StoreResult<CustomField> {
    let options: &str = get(row, "options")?;
    Ok(CustomField {
        id: id(row, "id")?,
        location_id: id(row, "location_id")?,
        model: get(row, "model")?,
        name: get(row, "name")?,
        field_key: get(row, "field_key")?,
        data_type: get(row, "data_type")?,
        placeholder: get(row, "placeholder")?,
        options: serde_json::from_str(options).map_err(|_| corrupt("custom field options"))?,
        position: get(row, "position")?,
        date_added: ts(row, "date_added")?,
    })
}

fn options_json(field: &CustomField) -> StoreResult<String> {
    serde_json::to_string(&field.options).map_err(|e| StoreError::Other(e.to_string()))
}

impl PgStore {
    async fn one_field(
        &self,
        column: &str,
        location: &LocationId,
        key: &str,
    ) -> StoreResult<Option<CustomField>> {
        let client = self.client().await?;
        let sql =
            format!("SELECT {COLUMNS} FROM custom_fields WHERE location_id = $1 AND {column} = $2");
        let row = client
            .query_opt(&sql, &[&location.as_str(), &key])
            .await
            .map_err(db_err)?;
        row.as_ref().map(from_row).transpose()
    }
}

#[async_trait]
impl CustomFieldStore for PgStore {
    #[tracing::instrument(skip_all)]
    async fn list_custom_fields(
        &self,
        location: &LocationId,
        model: Option<&str>,
    ) -> StoreResult<Vec<CustomField>> {
        let client = self.client().await?;
        let sql = format!(
            "SELECT {COLUMNS} FROM custom_fields \
             WHERE location_id = $1 AND ($2::text IS NULL OR model = $2) ORDER BY position, id"
        );
        let rows = client
            .query(&sql, &[&location.as_str(), &model])
            .await
            .map_err(db_err)?;
        rows.iter().map(from_row).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn get_custom_field(
        &self,
        location: &LocationId,
        id: &CustomFieldId,
    ) -> StoreResult<Option<CustomField>> {
        self.one_field("id", location, id.as_str()).await
    }

    #[tracing::instrument(skip_all)]
    async fn find_custom_field_by_key(
        &self,
        location: &LocationId,
        field_key: &str,
    ) -> StoreResult<Option<CustomField>> {
        self.one_field("field_key", location, field_key).await
    }

    #[tracing::instrument(skip_all)]
    async fn insert_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let client = self.client().await?;
        let sql = format!(
            "INSERT INTO custom_fields ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        client
            .execute(
                &sql,
                &[
                    &f.id.as_str(),
                    &f.location_id.as_str(),
                    &f.model,
                    &f.name,
                    &f.field_key,
                    &f.data_type,
                    &f.placeholder,
                    &options_json(f)?,
                    &f.position,
                    &f.date_added.millis(),
                ],
            )
            .await
            .map_err(|e| match db_err(e) {
                StoreError::Conflict(_) => StoreError::Conflict("custom field key already exists"),
                other => other,
            })?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn update_custom_field(&self, f: &CustomField) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "UPDATE custom_fields SET name = $3, placeholder = $4, options = $5, \
                 position = $6 WHERE id = $1 AND location_id = $2",
                &[
                    &f.id.as_str(),
                    &f.location_id.as_str(),
                    &f.name,
                    &f.placeholder,
                    &options_json(f)?,
                    &f.position,
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
    async fn delete_custom_field(
        &self,
        location: &LocationId,
        id: &CustomFieldId,
    ) -> StoreResult<()> {
        let client = self.client().await?;
        let changed = client
            .execute(
                "DELETE FROM custom_fields WHERE id = $1 AND location_id = $2",
                &[&id.as_str(), &location.as_str()],
            )
            .await
            .map_err(db_err)?;
        if changed == 0 {
            Err(StoreError::NotFound)
        } else {
            Ok(())
        }
    }
}

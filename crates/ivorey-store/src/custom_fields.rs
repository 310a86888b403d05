//! Custom field definitions of a location. The key (`contact.<slug>`) is unique per location.

use async_trait::async_trait;
use ivorey_core::LocationId;
use ivorey_core::custom_field::CustomField;
use ivorey_core::ids::CustomFieldId;

use crate::error::StoreResult;

#[async_trait]
pub trait CustomFieldStore {
    /// The location's fields of `model` (all models when `None`), by position, then id.
    async fn list_custom_fields(
        &self,
        location: &LocationId,
        model: Option<&str>,
    ) -> StoreResult<Vec<CustomField>>;
    async fn get_custom_field(
        &self,
        location: &LocationId,
        id: &CustomFieldId,
    ) -> StoreResult<Option<CustomField>>;
    async fn find_custom_field_by_key(
        &self,
        location: &LocationId,
        field_key: &str,
    ) -> StoreResult<Option<CustomField>>;
    /// `Conflict` if the location already has a field with this key.
    async fn insert_custom_field(&self, field: &CustomField) -> StoreResult<()>;
    /// Saves name, placeholder, options and position; `NotFound` if absent in its location.
    async fn update_custom_field(&self, field: &CustomField) -> StoreResult<()>;
    /// `NotFound` if absent in the location.
    async fn delete_custom_field(
        &self,
        location: &LocationId,
        id: &CustomFieldId,
    ) -> StoreResult<()>;
}

//! Serde helpers shared by request bodies.

use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "double_option")]`: tells an absent field (`None`)
/// from an explicit `null` (`Some(None)`), so a PATCH can clear a value.
pub fn double_option<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

//! Request bodies of the opportunity endpoints, in HighLevel's field names. Unknown fields are
//! refused (422 naming them). `monetaryValue` is kept as the raw JSON text the client wrote, so
//! the domain reads it as an exact decimal and never through a float.

use ivorey_core::opportunity::OpportunityInput;
use ivorey_core::serde_util::double_option;
use serde::Deserialize;
use serde_json::value::RawValue;

/// The raw text of a JSON value that may be `null` or absent.
type RawField = Option<Option<Box<RawValue>>>;

fn raw_text(value: RawField) -> Option<Option<String>> {
    value.map(|v| v.map(|raw| raw.get().to_owned()))
}

/// The body of `POST /opportunities/`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateBody {
    pub location_id: Option<String>,
    pipeline_id: Option<String>,
    pipeline_stage_id: Option<String>,
    contact_id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    monetary_value: RawField,
    #[serde(default, deserialize_with = "double_option")]
    assigned_to: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    source: Option<Option<String>>,
}

impl CreateBody {
    pub fn input(self) -> OpportunityInput {
        OpportunityInput {
            pipeline_id: self.pipeline_id,
            pipeline_stage_id: self.pipeline_stage_id,
            contact_id: self.contact_id,
            name: self.name,
            status: self.status,
            monetary_value: raw_text(self.monetary_value),
            assigned_to: self.assigned_to,
            source: self.source,
            lost_reason_id: None,
        }
    }
}

/// The body of `PUT /opportunities/{id}`: absent fields stay. The contact and location of an
/// opportunity never change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateBody {
    pipeline_id: Option<String>,
    pipeline_stage_id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    monetary_value: RawField,
    #[serde(default, deserialize_with = "double_option")]
    assigned_to: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    source: Option<Option<String>>,
}

impl UpdateBody {
    pub fn input(self) -> OpportunityInput {
        OpportunityInput {
            pipeline_id: self.pipeline_id,
            pipeline_stage_id: self.pipeline_stage_id,
            contact_id: None,
            name: self.name,
            status: self.status,
            monetary_value: raw_text(self.monetary_value),
            assigned_to: self.assigned_to,
            source: self.source,
            lost_reason_id: None,
        }
    }
}

/// The body of `POST /opportunities/upsert`: the opportunity of `contactId` in `pipelineId` is
/// updated if the location has one, else created.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpsertBody {
    pub location_id: Option<String>,
    pipeline_id: Option<String>,
    pipeline_stage_id: Option<String>,
    contact_id: Option<String>,
    name: Option<String>,
    status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    monetary_value: RawField,
    #[serde(default, deserialize_with = "double_option")]
    assigned_to: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    source: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    lost_reason_id: Option<Option<String>>,
}

impl UpsertBody {
    pub fn input(self) -> OpportunityInput {
        OpportunityInput {
            pipeline_id: self.pipeline_id,
            pipeline_stage_id: self.pipeline_stage_id,
            contact_id: self.contact_id,
            name: self.name,
            status: self.status,
            monetary_value: raw_text(self.monetary_value),
            assigned_to: self.assigned_to,
            source: self.source,
            lost_reason_id: self.lost_reason_id,
        }
    }
}

/// The body of `PUT /opportunities/{id}/status`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatusBody {
    status: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    lost_reason_id: Option<Option<String>>,
}

impl StatusBody {
    pub fn input(self) -> OpportunityInput {
        OpportunityInput {
            status: self.status,
            lost_reason_id: self.lost_reason_id,
            ..OpportunityInput::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monetary_value_keeps_the_text_the_client_wrote() {
        let body: CreateBody =
            serde_json::from_str(r#"{"monetaryValue": 0.10000000000000001, "source": null}"#)
                .unwrap();
        let input = body.input();
        let text = input.monetary_value.flatten();
        assert_eq!(text.as_deref(), Some("0.10000000000000001"));
        assert_eq!(input.source, Some(None), "null is kept apart from absent");
        let body: UpdateBody = serde_json::from_str(r#"{"monetaryValue": null}"#).unwrap();
        assert_eq!(body.input().monetary_value, Some(None));
        assert!(serde_json::from_str::<UpdateBody>(r#"{"locationId": "x"}"#).is_err());
    }
}

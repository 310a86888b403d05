//! Opportunities: deals with a contact that move through the stages of a pipeline, with a status
//! and an exact monetary value; and the validated API inputs, in HighLevel's field names.

mod money;
mod pipeline;

use serde_json::{Map, Value};

pub use self::money::{MONETARY_MAX_MINOR, MonetaryValue};
pub use self::pipeline::{Pipeline, STAGES_MAX, STARTER_NAME, STARTER_STAGES, Stage};
use crate::changed_by::ChangedBy;
use crate::error::{ValidationErrors, bounded_text};
use crate::ids::InvalidId;
use crate::{ContactId, LocationId, OpportunityId, PipelineId, StageId, Timestamp};

const NAME_MAX: usize = 255;
const TEXT_MAX: usize = 255;

/// Where a deal stands. HighLevel's `all` is a search filter, not a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OpportunityStatus {
    Open,
    Won,
    Lost,
    Abandoned,
}

impl OpportunityStatus {
    pub const ALL: [OpportunityStatus; 4] = [Self::Open, Self::Won, Self::Lost, Self::Abandoned];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Won => "won",
            Self::Lost => "lost",
            Self::Abandoned => "abandoned",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }
}

/// A stored opportunity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opportunity {
    pub id: OpportunityId,
    pub location_id: LocationId,
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub contact_id: ContactId,
    pub name: String,
    pub status: OpportunityStatus,
    pub monetary_value: MonetaryValue,
    pub assigned_to: Option<String>,
    pub source: Option<String>,
    pub lost_reason_id: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub last_status_change_at: Timestamp,
    pub last_stage_change_at: Timestamp,
    /// Who created it and who changed it last (attribution; not in the API's shape).
    pub created_by: Option<ChangedBy>,
    pub updated_by: Option<ChangedBy>,
}

impl Opportunity {
    /// Lowercased name: what a text query matches against.
    pub fn search_text(&self) -> String {
        self.name.to_lowercase()
    }

    /// The opportunity in HighLevel's `SearchOpportunitiesResponseSchema` shape. Absent optional
    /// fields are left out rather than `null`, which that schema's string types do not allow.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        let mut put = |key: &str, value: Value| {
            map.insert(key.to_owned(), value);
        };
        put("id", self.id.as_str().into());
        put("name", self.name.as_str().into());
        put("monetaryValue", self.monetary_value.to_json());
        put("pipelineId", self.pipeline_id.as_str().into());
        put("pipelineStageId", self.stage_id.as_str().into());
        put("status", self.status.as_str().into());
        put("contactId", self.contact_id.as_str().into());
        put("locationId", self.location_id.as_str().into());
        for (key, value) in [
            ("assignedTo", &self.assigned_to),
            ("source", &self.source),
            ("lostReasonId", &self.lost_reason_id),
        ] {
            if let Some(value) = value {
                put(key, value.as_str().into());
            }
        }
        put(
            "lastStatusChangeAt",
            self.last_status_change_at.to_rfc3339().into(),
        );
        put(
            "lastStageChangeAt",
            self.last_stage_change_at.to_rfc3339().into(),
        );
        put("createdAt", self.created_at.to_rfc3339().into());
        put("updatedAt", self.updated_at.to_rfc3339().into());
        Value::Object(map)
    }
}

/// What a client sent, as text; the HTTP layer fills it from the JSON body. `Some(None)` is an
/// explicit `null` (clears the value). `monetary_value` is the JSON text of the value exactly
/// as written, so it can be read without a float.
#[derive(Debug, Clone, Default)]
pub struct OpportunityInput {
    pub pipeline_id: Option<String>,
    pub pipeline_stage_id: Option<String>,
    pub contact_id: Option<String>,
    pub name: Option<String>,
    pub status: Option<String>,
    pub monetary_value: Option<Option<String>>,
    pub assigned_to: Option<Option<String>>,
    pub source: Option<Option<String>>,
    pub lost_reason_id: Option<Option<String>>,
}

/// A validated change: each `Some` replaces the stored value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpportunityChange {
    pub pipeline_id: Option<PipelineId>,
    pub stage_id: Option<StageId>,
    pub contact_id: Option<ContactId>,
    pub name: Option<String>,
    pub status: Option<OpportunityStatus>,
    pub monetary_value: Option<MonetaryValue>,
    pub assigned_to: Option<Option<String>>,
    pub source: Option<Option<String>>,
    pub lost_reason_id: Option<Option<String>>,
}

fn parse_id<T>(
    e: &mut ValidationErrors,
    field: &'static str,
    raw: Option<String>,
    parse: fn(&str) -> Result<T, InvalidId>,
) -> Option<T> {
    let raw = raw?;
    let parsed = parse(raw.trim());
    if parsed.is_err() {
        e.add(field, "must be a 20-character alphanumeric id");
    }
    parsed.ok()
}

impl OpportunityInput {
    /// Checks every field present; each of `required` (wire names) must be present too.
    pub fn validate(
        self,
        required: &[&'static str],
    ) -> Result<OpportunityChange, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let present = [
            ("pipelineId", self.pipeline_id.is_some()),
            ("contactId", self.contact_id.is_some()),
            ("name", self.name.is_some()),
            ("status", self.status.is_some()),
        ];
        for (field, _) in present
            .iter()
            .filter(|(f, there)| !there && required.contains(f))
        {
            e.add(field, "should not be empty");
        }
        let status = self.status.and_then(|s| {
            let parsed = OpportunityStatus::parse(s.trim());
            if parsed.is_none() {
                e.add("status", "must be one of open, won, lost, abandoned");
            }
            parsed
        });
        let monetary_value = self.monetary_value.and_then(|text| match text {
            None => Some(MonetaryValue::default()),
            Some(text) => MonetaryValue::parse_json(&text)
                .map_err(|why| e.add("monetaryValue", why))
                .ok(),
        });
        let mut text = |field, v: Option<Option<String>>, max| {
            v.map(|v| v.and_then(|v| bounded_text(&mut e, field, &v, max, false)))
        };
        let assigned_to = text("assignedTo", self.assigned_to, TEXT_MAX);
        let source = text("source", self.source, TEXT_MAX);
        let lost_reason_id = text("lostReasonId", self.lost_reason_id, 100);
        let change = OpportunityChange {
            pipeline_id: parse_id(&mut e, "pipelineId", self.pipeline_id, PipelineId::parse),
            stage_id: parse_id(
                &mut e,
                "pipelineStageId",
                self.pipeline_stage_id,
                StageId::parse,
            ),
            contact_id: parse_id(&mut e, "contactId", self.contact_id, ContactId::parse),
            name: self
                .name
                .and_then(|n| bounded_text(&mut e, "name", &n, NAME_MAX, true)),
            status,
            monetary_value,
            assigned_to,
            source,
            lost_reason_id,
        };
        e.finish(change)
    }
}

/// The stage a new or moved opportunity starts in. Pipelines are made with at least one stage;
/// one without any (a hand-edited database) is the client's problem to hear about, not a panic.
fn first_stage(e: &mut ValidationErrors, pipeline: &Pipeline) -> Option<StageId> {
    let first = pipeline.first_stage().map(|stage| stage.id.clone());
    if first.is_none() {
        e.add("pipelineId", "names a pipeline without stages");
    }
    first
}

impl OpportunityChange {
    /// A new opportunity from a change that passed `validate` with the create fields required.
    /// `pipeline` is the location's pipeline that `pipeline_id` names, if there is one;
    /// `contact_found` whether `contact_id` names a contact of the location. Without a stage,
    /// the opportunity starts in the pipeline's first one.
    pub fn create(
        self,
        location: &LocationId,
        pipeline: Option<&Pipeline>,
        contact_found: bool,
        now: Timestamp,
        by: &ChangedBy,
    ) -> Result<Opportunity, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let Some(contact_id) = self.contact_id.clone().filter(|_| contact_found) else {
            e.add("contactId", "must be a contact of this location");
            return Err(self.merge_refs(e, pipeline));
        };
        let (Some(pipeline), Some(name), Some(status)) = (pipeline, self.name.clone(), self.status)
        else {
            return Err(self.merge_refs(e, pipeline));
        };
        let stage_id = match &self.stage_id {
            Some(_) => self.stage_in(&mut e, pipeline),
            None => first_stage(&mut e, pipeline),
        };
        let Some(stage_id) = stage_id else {
            return Err(e);
        };
        let opportunity = Opportunity {
            id: OpportunityId::generate(),
            location_id: location.clone(),
            pipeline_id: pipeline.id.clone(),
            stage_id,
            contact_id,
            name,
            status,
            monetary_value: self.monetary_value.unwrap_or_default(),
            assigned_to: self.assigned_to.flatten(),
            source: self.source.flatten(),
            lost_reason_id: self
                .lost_reason_id
                .flatten()
                .filter(|_| status == OpportunityStatus::Lost),
            created_at: now,
            updated_at: now,
            last_status_change_at: now,
            last_stage_change_at: now,
            created_by: Some(by.clone()),
            updated_by: Some(by.clone()),
        };
        e.finish(opportunity)
    }

    /// Applies the change to `current`. `pipeline` is the location's pipeline that the result
    /// sits in (the new `pipeline_id`, else the current one), if it exists. Moving to another
    /// pipeline without naming a stage moves to that pipeline's first stage.
    pub fn apply_to(
        self,
        mut current: Opportunity,
        pipeline: Option<&Pipeline>,
        now: Timestamp,
        by: &ChangedBy,
    ) -> Result<Opportunity, ValidationErrors> {
        current.updated_by = Some(by.clone());
        let mut e = ValidationErrors::new();
        let Some(pipeline) = pipeline else {
            return Err(self.merge_refs(e, None));
        };
        let stage = match &self.stage_id {
            Some(_) => self.stage_in(&mut e, pipeline),
            None if pipeline.id != current.pipeline_id => first_stage(&mut e, pipeline),
            None => Some(current.stage_id.clone()),
        };
        let Some(stage) = stage else {
            return Err(e);
        };
        if stage != current.stage_id {
            current.last_stage_change_at = now;
        }
        current.pipeline_id = pipeline.id.clone();
        current.stage_id = stage;
        if let Some(name) = self.name {
            current.name = name;
        }
        if let Some(status) = self.status.filter(|s| *s != current.status) {
            current.status = status;
            current.last_status_change_at = now;
        }
        if let Some(value) = self.monetary_value {
            current.monetary_value = value;
        }
        if let Some(assigned_to) = self.assigned_to {
            current.assigned_to = assigned_to;
        }
        if let Some(source) = self.source {
            current.source = source;
        }
        if let Some(reason) = self.lost_reason_id {
            current.lost_reason_id = reason;
        }
        // A lost reason belongs to a lost deal; reopening or winning it drops the reason.
        if current.status != OpportunityStatus::Lost {
            current.lost_reason_id = None;
        }
        current.updated_at = now;
        Ok(current)
    }

    /// The stage the change names, checked against `pipeline`; `None` when it names none.
    fn stage_in(&self, e: &mut ValidationErrors, pipeline: &Pipeline) -> Option<StageId> {
        let stage = self.stage_id.as_ref()?;
        if pipeline.stage(stage).is_none() {
            e.add("pipelineStageId", "must be a stage of the pipeline");
            return None;
        }
        Some(stage.clone())
    }

    /// Adds the pipeline and stage problems to `e`, so a client learns all of them at once.
    fn merge_refs(&self, mut e: ValidationErrors, pipeline: Option<&Pipeline>) -> ValidationErrors {
        match pipeline {
            Some(pipeline) => {
                self.stage_in(&mut e, pipeline);
            }
            None => e.add("pipelineId", "must be a pipeline of this location"),
        }
        e
    }
}

#[cfg(test)]
mod tests;

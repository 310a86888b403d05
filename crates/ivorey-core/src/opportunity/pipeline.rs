//! Pipelines: a location's named, ordered lists of stages that opportunities move through.
//! HighLevel has no API to create them (admins set them up), so they come from the app service.

use serde_json::{Value, json};

use crate::error::{ValidationErrors, bounded_text};
use crate::{LocationId, PipelineId, StageId, Timestamp};

pub const STAGES_MAX: usize = 50;
const NAME_MAX: usize = 100;

/// One stage; `position` counts from 0 in pipeline order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    pub id: StageId,
    pub name: String,
    pub position: u32,
}

/// A pipeline and its stages, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    pub id: PipelineId,
    pub location_id: LocationId,
    pub name: String,
    pub stages: Vec<Stage>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Pipeline {
    /// A new pipeline with fresh ids. It needs a name and at least one stage, because a new
    /// opportunity lands in the first stage when the client names none.
    pub fn new(
        location: &LocationId,
        name: &str,
        stage_names: &[&str],
        now: Timestamp,
    ) -> Result<Pipeline, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = bounded_text(&mut e, "name", name, NAME_MAX, true).unwrap_or_default();
        if stage_names.is_empty() || stage_names.len() > STAGES_MAX {
            e.add("stages", format!("must have 1 to {STAGES_MAX} entries"));
        }
        let mut stages: Vec<Stage> = Vec::with_capacity(stage_names.len());
        for (position, stage) in stage_names.iter().take(STAGES_MAX).enumerate() {
            let Some(stage) = bounded_text(&mut e, "stages", stage, NAME_MAX, true) else {
                continue;
            };
            // Clients show stages by name; two alike would be indistinguishable.
            if stages.iter().any(|s| s.name.eq_ignore_ascii_case(&stage)) {
                e.add("stages", format!("has {stage:?} twice"));
                continue;
            }
            stages.push(Stage {
                id: StageId::generate(),
                name: stage,
                position: u32::try_from(position).unwrap_or(u32::MAX),
            });
        }
        e.finish(Pipeline {
            id: PipelineId::generate(),
            location_id: location.clone(),
            name,
            stages,
            created_at: now,
            updated_at: now,
        })
    }

    pub fn first_stage(&self) -> Option<&Stage> {
        self.stages.first()
    }

    pub fn stage(&self, id: &StageId) -> Option<&Stage> {
        self.stages.iter().find(|s| &s.id == id)
    }

    /// The pipeline in HighLevel's `PipelinesResponseSchema` shape.
    pub fn to_json(&self) -> Value {
        let stages: Vec<Value> = self
            .stages
            .iter()
            .map(|s| json!({"id": s.id, "name": s.name, "position": s.position}))
            .collect();
        json!({
            "id": self.id,
            "name": self.name,
            "stages": stages,
            "locationId": self.location_id,
            "dateAdded": self.created_at.to_rfc3339(),
            "dateUpdated": self.updated_at.to_rfc3339(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_keep_their_order_and_names_are_checked() {
        let loc = LocationId::generate();
        let p = Pipeline::new(&loc, " Sales ", &["Lead", " Won "], Timestamp(5)).unwrap();
        assert_eq!(p.name, "Sales");
        let names: Vec<(&str, u32)> = p.stages.iter().map(|s| (&*s.name, s.position)).collect();
        assert_eq!(names, [("Lead", 0), ("Won", 1)]);
        assert_eq!(p.first_stage().map(|s| &s.id), Some(&p.stages[0].id));
        let err = Pipeline::new(&loc, "", &[], Timestamp(5)).unwrap_err();
        let fields: Vec<_> = err.0.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "stages"]);
        assert!(Pipeline::new(&loc, "P", &["a", "A"], Timestamp(5)).is_err());
    }
}

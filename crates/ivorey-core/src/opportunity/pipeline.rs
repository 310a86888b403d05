//! Pipelines: a location's named, ordered lists of stages that opportunities move through.
//! HighLevel has no API to create them (admins set them up), so they come from the app service.

use serde_json::{Value, json};

use crate::error::{ValidationErrors, bounded_text};
use crate::{LocationId, PipelineId, StageId, Timestamp};

pub const STAGES_MAX: usize = 50;
const NAME_MAX: usize = 100;

/// The pipeline every new location starts with, so that a tool's first `createOpportunity`
/// has somewhere to land.
pub const STARTER_NAME: &str = "Sales Pipeline";
pub const STARTER_STAGES: [&str; 4] = ["New Lead", "Contacted", "Proposal Sent", "Closed"];

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

    /// The starter pipeline of a new location (`STARTER_NAME`, `STARTER_STAGES`).
    pub fn starter(location: &LocationId, now: Timestamp) -> Pipeline {
        Pipeline::new(location, STARTER_NAME, &STARTER_STAGES, now)
            .expect("the starter pipeline's names are valid")
    }

    /// Gives the pipeline a new name.
    pub fn rename(&mut self, name: &str, now: Timestamp) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = bounded_text(&mut e, "name", name, NAME_MAX, true);
        self.name = e.finish(name)?.unwrap_or_default();
        self.updated_at = now;
        Ok(())
    }

    /// Adds a stage at the end (where a board's last column is).
    pub fn add_stage(&mut self, name: &str, now: Timestamp) -> Result<StageId, ValidationErrors> {
        let name = self.checked_stage_name(name, None)?;
        if self.stages.len() >= STAGES_MAX {
            return Err(ValidationErrors::single(
                "stage",
                format!("cannot be added: a pipeline has at most {STAGES_MAX} stages"),
            ));
        }
        let id = StageId::generate();
        self.stages.push(Stage {
            id: id.clone(),
            name,
            position: 0,
        });
        self.renumber(now);
        Ok(id)
    }

    /// Renames stage `id`; `NotFound`-like absence is a validation problem of the field.
    pub fn rename_stage(
        &mut self,
        id: &StageId,
        name: &str,
        now: Timestamp,
    ) -> Result<(), ValidationErrors> {
        let name = self.checked_stage_name(name, Some(id))?;
        let stage = self.stages.iter_mut().find(|s| &s.id == id);
        let stage = stage.ok_or_else(|| not_a_stage("stage"))?;
        stage.name = name;
        self.updated_at = now;
        Ok(())
    }

    /// Moves stage `id` one place earlier (`earlier`) or later; at either end nothing moves.
    pub fn move_stage(
        &mut self,
        id: &StageId,
        earlier: bool,
        now: Timestamp,
    ) -> Result<(), ValidationErrors> {
        let at = self.index_of(id)?;
        let to = if earlier {
            at.checked_sub(1)
        } else {
            Some(at + 1).filter(|to| *to < self.stages.len())
        };
        if let Some(to) = to {
            self.stages.swap(at, to);
            self.renumber(now);
        }
        Ok(())
    }

    /// Removes stage `id`, which must not be the last one: a pipeline keeps a first stage for
    /// new opportunities. Its opportunities are the caller's to move (the store refuses to
    /// delete a stage that still has any).
    pub fn remove_stage(
        &mut self,
        id: &StageId,
        now: Timestamp,
    ) -> Result<Stage, ValidationErrors> {
        let at = self.index_of(id)?;
        if self.stages.len() == 1 {
            return Err(ValidationErrors::single(
                "stage",
                "cannot be deleted: a pipeline needs at least one stage",
            ));
        }
        let removed = self.stages.remove(at);
        self.renumber(now);
        Ok(removed)
    }

    fn index_of(&self, id: &StageId) -> Result<usize, ValidationErrors> {
        self.stages
            .iter()
            .position(|s| &s.id == id)
            .ok_or_else(|| not_a_stage("stage"))
    }

    /// A trimmed, bounded stage name unlike every other stage's (but `except`'s own).
    fn checked_stage_name(
        &self,
        name: &str,
        except: Option<&StageId>,
    ) -> Result<String, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = bounded_text(&mut e, "stageName", name, NAME_MAX, true);
        let name = e.finish(name)?.unwrap_or_default();
        let taken = self
            .stages
            .iter()
            .any(|s| Some(&s.id) != except && s.name.eq_ignore_ascii_case(&name));
        if taken {
            return Err(ValidationErrors::single(
                "stageName",
                format!("is already used by another stage ({name:?})"),
            ));
        }
        Ok(name)
    }

    fn renumber(&mut self, now: Timestamp) {
        for (position, stage) in self.stages.iter_mut().enumerate() {
            stage.position = u32::try_from(position).unwrap_or(u32::MAX);
        }
        self.updated_at = now;
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

fn not_a_stage(field: &'static str) -> ValidationErrors {
    ValidationErrors::single(field, "must be a stage of the pipeline")
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

    fn names(p: &Pipeline) -> Vec<(&str, u32)> {
        p.stages.iter().map(|s| (&*s.name, s.position)).collect()
    }

    #[test]
    fn stages_are_added_renamed_moved_and_removed_in_order() {
        let loc = LocationId::generate();
        let mut p = Pipeline::starter(&loc, Timestamp(1));
        assert_eq!(p.name, STARTER_NAME);
        let won = p.add_stage(" Won ", Timestamp(2)).unwrap();
        assert_eq!(p.updated_at, Timestamp(2));
        p.move_stage(&won, true, Timestamp(3)).unwrap();
        let closed = p.stages[4].id.clone();
        p.rename_stage(&closed, "Lost", Timestamp(4)).unwrap();
        let first = p.stages[0].id.clone();
        p.move_stage(&first, true, Timestamp(5)).unwrap();
        assert_eq!(p.stages[0].id, first, "the first stage stays first");
        let removed = p
            .remove_stage(&p.stages[1].id.clone(), Timestamp(6))
            .unwrap();
        assert_eq!(removed.name, "Contacted");
        assert_eq!(
            names(&p),
            [
                ("New Lead", 0),
                ("Proposal Sent", 1),
                ("Won", 2),
                ("Lost", 3)
            ]
        );
    }

    #[test]
    fn stage_edits_refuse_duplicates_blanks_strangers_and_the_last_stage() {
        let loc = LocationId::generate();
        let mut p = Pipeline::new(&loc, "P", &["Lead", "Won"], Timestamp(1)).unwrap();
        let before = p.clone();
        assert!(p.add_stage("won", Timestamp(2)).is_err());
        assert!(p.add_stage("  ", Timestamp(2)).is_err());
        let lead = p.stages[0].id.clone();
        assert!(p.rename_stage(&lead, "WON", Timestamp(2)).is_err());
        p.rename_stage(&lead, "lead", Timestamp(2)).unwrap();
        let stranger = StageId::generate();
        assert!(p.rename_stage(&stranger, "X", Timestamp(3)).is_err());
        assert!(p.move_stage(&stranger, true, Timestamp(3)).is_err());
        assert!(p.remove_stage(&stranger, Timestamp(3)).is_err());
        assert_eq!(p.stages.len(), before.stages.len());
        p.remove_stage(&lead, Timestamp(4)).unwrap();
        let last = p.stages[0].id.clone();
        assert!(p.remove_stage(&last, Timestamp(5)).is_err());
        assert!(p.rename("", Timestamp(5)).is_err());
        assert_eq!(p.name, "P");
    }

    #[test]
    fn a_full_pipeline_takes_no_more_stages() {
        let loc = LocationId::generate();
        let names: Vec<String> = (0..STAGES_MAX).map(|n| format!("S{n}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut p = Pipeline::new(&loc, "Full", &names, Timestamp(1)).unwrap();
        let e = p.add_stage("One more", Timestamp(2)).unwrap_err();
        assert_eq!(e.0[0].field, "stage");
        assert_eq!(p.stages.len(), STAGES_MAX);
    }
}

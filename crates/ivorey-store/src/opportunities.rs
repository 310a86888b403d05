//! Pipelines and opportunities: the store trait, and what a board reads (a column's page, the
//! totals per stage).

use async_trait::async_trait;
use ivorey_core::changed_by::ChangedBy;
use ivorey_core::opportunity::{Opportunity, OpportunityStatus, Pipeline};
use ivorey_core::{ContactId, LocationId, OpportunityId, PipelineId, StageId, Timestamp};

use crate::error::StoreResult;
use crate::records::{OpportunityPage, OpportunityQuery};

/// `update_pipeline`'s refusal to delete a stage that still has opportunities.
pub const STAGE_IN_USE: &str =
    "The stage still has opportunities: move them to another stage first.";
/// `delete_pipeline`'s refusal while opportunities are in it.
pub const PIPELINE_IN_USE: &str =
    "The pipeline still has opportunities: delete or move them first.";

/// A stage's opportunities and their value in minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTotal {
    pub stage_id: StageId,
    pub count: u64,
    pub value_minor: i64,
}

/// A card of a board column: the opportunity, and the name its contact is shown by.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardCard {
    pub opportunity: Opportunity,
    pub contact_name: String,
}

/// A page of one board column, newest arrivals first: after the `(last_stage_change_at, id)`
/// cursor when given, at most `limit`.
#[derive(Debug, Clone, PartialEq)]
pub struct BoardQuery {
    pub pipeline_id: PipelineId,
    pub stage_id: StageId,
    pub status: Option<OpportunityStatus>,
    pub after: Option<(Timestamp, OpportunityId)>,
    pub limit: u32,
}

/// Pipelines and opportunities. The database itself keeps an opportunity's contact, pipeline
/// and stage in its location (and the stage in its pipeline), so no caller can link records of
/// two locations; deleting a contact deletes its opportunities.
#[async_trait]
pub trait OpportunityStore {
    /// Stores a pipeline and all its stages in one transaction.
    async fn create_pipeline(&self, pipeline: &Pipeline) -> StoreResult<()>;
    /// The location's pipelines, oldest first, each with its stages in order.
    async fn list_pipelines(&self, location: &LocationId) -> StoreResult<Vec<Pipeline>>;
    async fn get_pipeline(
        &self,
        location: &LocationId,
        id: &PipelineId,
    ) -> StoreResult<Option<Pipeline>>;
    /// `NotFound` if its contact, pipeline or stage is not in its location (or the stage not in
    /// its pipeline); `Conflict` if the contact already has an opportunity in that pipeline.
    async fn insert_opportunity(&self, opportunity: &Opportunity) -> StoreResult<()>;
    async fn get_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<Option<Opportunity>>;
    /// The contact's opportunity in the pipeline (at most one exists): the upsert key.
    async fn find_opportunity(
        &self,
        location: &LocationId,
        contact: &ContactId,
        pipeline: &PipelineId,
    ) -> StoreResult<Option<Opportunity>>;
    /// Saves every field but id, location, contact and `created_at`. `NotFound` if absent in
    /// its location or if the new pipeline or stage is not there; `Conflict` as for insert.
    async fn update_opportunity(&self, opportunity: &Opportunity) -> StoreResult<()>;
    /// `NotFound` if absent in the location.
    async fn delete_opportunity(
        &self,
        location: &LocationId,
        id: &OpportunityId,
    ) -> StoreResult<()>;
    /// A page in `(created_at, id)` order after the query's cursor and offset, and the total
    /// matching the filters.
    async fn search_opportunities(
        &self,
        location: &LocationId,
        query: &OpportunityQuery,
    ) -> StoreResult<OpportunityPage>;
    /// Saves a pipeline's name and stages as `pipeline` holds them, in one transaction: stages
    /// renamed, reordered and added, and a stored stage missing from it deleted. First, every
    /// opportunity of each `moves` pair's first stage moves to its second (both stages of the
    /// pipeline, else `NotFound`), attributed to `by` at `pipeline.updated_at`. `NotFound` if
    /// the pipeline is absent in its location; `Conflict(STAGE_IN_USE)` if a deleted stage
    /// still has opportunities.
    async fn update_pipeline(
        &self,
        pipeline: &Pipeline,
        moves: &[(StageId, StageId)],
        by: &ChangedBy,
    ) -> StoreResult<()>;
    /// `NotFound` if absent in the location; `Conflict(PIPELINE_IN_USE)` while it has
    /// opportunities.
    async fn delete_pipeline(&self, location: &LocationId, id: &PipelineId) -> StoreResult<()>;
    /// Per stage of the pipeline that has any: its opportunities (of `status` when given) and
    /// their summed value. Stages without any are absent.
    async fn stage_totals(
        &self,
        location: &LocationId,
        pipeline: &PipelineId,
        status: Option<OpportunityStatus>,
    ) -> StoreResult<Vec<StageTotal>>;
    /// One board column: the stage's opportunities, the most recently moved in first.
    async fn board_column(
        &self,
        location: &LocationId,
        query: &BoardQuery,
    ) -> StoreResult<Vec<BoardCard>>;
}

//! The dashboard's view of the deals: the open value of the first pipeline, stage by stage,
//! each with a bar against the largest (a `meter`, which needs no inline style under the CSP).

use ivorey_core::opportunity::{OpportunityStatus, Pipeline};
use ivorey_store::StageTotal;
use maud::{Markup, html};

use crate::state::AppState;
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::opportunities::money;
use crate::web::shell::Shell;

/// The first pipeline and its stages' open totals, when the location has a pipeline.
pub(crate) async fn open_by_stage(
    state: &AppState,
    shell: &Shell,
) -> WebResult<Option<(Pipeline, Vec<StageTotal>)>> {
    let store = state.store.as_ref();
    let Some(pipeline) = store
        .list_pipelines(&shell.location)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let open = Some(OpportunityStatus::Open);
    let totals = store
        .stage_totals(&shell.location, &pipeline.id, open)
        .await?;
    Ok(Some((pipeline, totals)))
}

/// The open value in all of the pipeline's stages.
pub(crate) fn open_value(totals: &[StageTotal]) -> i64 {
    totals.iter().map(|t| t.value_minor).sum()
}

pub(crate) fn card(shell: &Shell, found: Option<&(Pipeline, Vec<StageTotal>)>) -> Markup {
    html! {
        section.card aria-labelledby="pipeline-title" {
            @match found {
                None => {
                    h2 #pipeline-title { "Open deals" }
                    p.muted { "Set up a pipeline in Settings > Pipelines to follow your deals here." }
                }
                Some((pipeline, totals)) => {
                    div.card-head {
                        h2 #pipeline-title { "Open deals in " (pipeline.name) }
                        a.link href=(shell.at(&format!("/opportunities?pipeline={}", pipeline.id))) { "Open the board" }
                    }
                    @let largest = totals.iter().map(|t| t.value_minor).max().unwrap_or(0).max(1);
                    @if totals.is_empty() {
                        p.muted { "No open deals yet. Opportunities your team or your integrations create appear here by stage." }
                    } @else {
                        table.compact.stage-values {
                            thead { tr { th scope="col" { "Stage" } th scope="col" .num { "Deals" } th scope="col" .num { "Value" } th scope="col" { span.visually-hidden { "Share of the largest stage" } } } }
                            tbody {
                                @for stage in &pipeline.stages {
                                    @let total = totals.iter().find(|t| t.stage_id == stage.id);
                                    @let value = total.map_or(0, |t| t.value_minor);
                                    tr {
                                        th scope="row" { (stage.name) }
                                        td.num { (format::number(total.map_or(0, |t| t.count))) }
                                        td.num { (money(value)) }
                                        td { meter min="0" max=(largest) value=(value) aria-label={ (stage.name) " value" } {} }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

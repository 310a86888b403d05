//! The transactions list: every payment recorded, newest first, filtered by how it was paid.

use axum::extract::{Path, Query, State};
use ivorey_core::order::PaymentMode;
use ivorey_store::TransactionQuery;
use maud::{Markup, html};
use serde::Deserialize;

use super::{PAGE_SIZE, amount, contact_names, name_of, tabs};
use crate::state::AppState;
use crate::web::auth::Viewer;
use crate::web::error::WebResult;
use crate::web::format;
use crate::web::frame::Area;
use crate::web::layout::icon;
use crate::web::shell::Shell;

pub(crate) const MODES: [(PaymentMode, &str); 5] = [
    (PaymentMode::Cash, "Cash"),
    (PaymentMode::Card, "Card"),
    (PaymentMode::Cheque, "Cheque"),
    (PaymentMode::BankTransfer, "Bank transfer"),
    (PaymentMode::Other, "Other"),
];

pub(crate) fn mode_label(mode: PaymentMode) -> &'static str {
    MODES
        .iter()
        .find(|(m, _)| *m == mode)
        .map_or("Other", |(_, l)| l)
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Params {
    #[serde(default)]
    mode: String,
    #[serde(default)]
    page: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<Params>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let page: u64 = params.page.parse().unwrap_or(1).clamp(1, 10_000);
    let query = TransactionQuery {
        mode: PaymentMode::parse(&params.mode),
        offset: (page - 1) * u64::from(PAGE_SIZE),
        limit: PAGE_SIZE,
        ..TransactionQuery::default()
    };
    let found = state
        .store
        .list_transactions(&shell.location, &query)
        .await?;
    let names = contact_names(&state, &shell, found.items.iter().map(|t| &t.contact_id)).await?;
    let pages = found.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let link = |p: u64| {
        let pairs = [("mode", params.mode.as_str()), ("page", &p.to_string())];
        format!(
            "?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let content = html! {
        div.page-head { h1 { "Payments" } }
        (tabs(&shell, false))
        form.card.filter-bar method="get" action=(shell.at("/payments/transactions")) {
            div.field {
                label for="f-mode" { "Paid by" }
                select #f-mode name="mode" {
                    option value="" { "Any way" }
                    @for (m, label) in MODES { option value=(m.as_str()) selected[m.as_str() == params.mode] { (label) } }
                }
            }
            button.primary type="submit" { (icon("search")) "Filter" }
        }
        @if found.items.is_empty() {
            div.card.empty {
                h2 { "No transactions" }
                p { "Payments recorded on an order, here or through the API, are listed here." }
            }
        } @else {
            section.card.table-card {
                p.muted { (format::count_of(found.total, "transaction")) }
                div.table-scroll {
                    table.list {
                        thead { tr {
                            th scope="col" { "When" } th scope="col" { "Contact" } th scope="col" { "Order" }
                            th scope="col" { "Paid by" } th scope="col" .num { "Amount" } th scope="col" { "Note" }
                        } }
                        tbody {
                            @for t in &found.items {
                                tr {
                                    td.muted { (shell.zone.date_time(t.created_at)) }
                                    td { a href=(shell.at(&format!("/contacts/{}", t.contact_id))) { (name_of(&names, &t.contact_id)) } }
                                    td { a href=(shell.at(&format!("/payments/orders/{}", t.order_id))) { code { (t.order_id) } } }
                                    td { (mode_label(t.mode)) }
                                    td.num { (amount(t.currency, t.amount)) }
                                    td.muted { (t.details.notes.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label="Pages" {
                    @if page > 1 { a.button href=(link(page - 1)) rel="prev" { "Newer" } }
                    span.muted { "Page " (page) " of " (format::number(pages)) }
                    @if page < pages { a.button href=(link(page + 1)) rel="next" { "Older" } }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Payments, "Transactions", content))
}

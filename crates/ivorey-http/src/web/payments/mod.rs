//! Payments, as the business follows them: its orders (status and words filters, newest first),
//! its transactions (by how they were paid), and an order's page with its items, what is paid
//! and due, its payments, and the form that records one (`order`), through the same
//! `ivorey_app::payments::record_payment` as `POST /payments/orders/{id}/record-payment`.

pub(crate) mod order;
pub(crate) mod transactions;

use axum::extract::{Path, Query, State};
use ivorey_core::ContactId;
use ivorey_core::order::{Order, OrderStatus};
use ivorey_store::OrderQuery;
use maud::{Markup, html};
use serde::Deserialize;

use super::auth::Viewer;
use super::error::WebResult;
use super::format;
use super::frame::Area;
use super::layout::icon;
use super::shell::Shell;
use crate::state::AppState;

pub(crate) const PAGE_SIZE: u32 = 25;

pub(crate) const STATUSES: [(OrderStatus, &str); 3] = [
    (OrderStatus::Pending, "Not paid"),
    (OrderStatus::PartiallyPaid, "Partly paid"),
    (OrderStatus::Paid, "Paid"),
];

pub(crate) fn status_badge(status: OrderStatus) -> Markup {
    let (class, label) = match status {
        OrderStatus::Paid => ("badge badge-ok", "Paid"),
        OrderStatus::PartiallyPaid => ("badge badge-warn", "Partly paid"),
        OrderStatus::Pending => ("badge badge-info", "Not paid"),
    };
    html! { span class=(class) { (label) } }
}

/// `1,250.00 USD`
pub(crate) fn amount(order_currency: ivorey_core::payment::Currency, minor: i64) -> String {
    let text = order_currency.format_amount(minor);
    let (whole, cents) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole
        .parse::<u64>()
        .map_or_else(|_| whole.to_owned(), format::number);
    let cents = if cents.is_empty() {
        String::new()
    } else {
        format!(".{cents}")
    };
    format!("{whole}{cents} {}", order_currency.code())
}

/// The name of each order's contact, looked up once per contact.
pub(crate) async fn contact_names(
    state: &AppState,
    shell: &Shell,
    ids: impl Iterator<Item = &ContactId>,
) -> WebResult<Vec<(ContactId, String)>> {
    let mut names: Vec<(ContactId, String)> = Vec::new();
    for id in ids {
        if names.iter().any(|(known, _)| known == id) {
            continue;
        }
        let name = match state.store.get_contact(&shell.location, id).await? {
            Some(c) => c.fields.display_name(),
            None => "A deleted contact".to_owned(),
        };
        names.push((id.clone(), name));
    }
    Ok(names)
}

pub(crate) fn name_of<'a>(names: &'a [(ContactId, String)], id: &ContactId) -> &'a str {
    names
        .iter()
        .find(|(k, _)| k == id)
        .map_or("", |(_, n)| n.as_str())
}

/// The tabs between orders and transactions.
pub(crate) fn tabs(shell: &Shell, orders: bool) -> Markup {
    html! {
        nav.tabs aria-label="Payments" {
            a href=(shell.at("/payments")) aria-current=[orders.then_some("page")] { "Orders" }
            a href=(shell.at("/payments/transactions")) aria-current=[(!orders).then_some("page")] { "Transactions" }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrderParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path(location): Path<String>,
    Query(params): Query<OrderParams>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let page: u64 = params.page.parse().unwrap_or(1).clamp(1, 10_000);
    let search = Some(params.q.trim().to_lowercase())
        .filter(|q| !q.is_empty() && q.chars().count() <= 200 && !q.chars().any(char::is_control));
    let query = OrderQuery {
        status: OrderStatus::parse(&params.status),
        search,
        offset: (page - 1) * u64::from(PAGE_SIZE),
        limit: PAGE_SIZE,
        ..OrderQuery::default()
    };
    let found = state.store.list_orders(&shell.location, &query).await?;
    let names = contact_names(&state, &shell, found.items.iter().map(|o| &o.contact_id)).await?;
    let pages = found.total.div_ceil(u64::from(PAGE_SIZE)).max(1);
    let link = |p: u64| {
        let pairs = [
            ("status", params.status.as_str()),
            ("q", params.q.trim()),
            ("page", &p.to_string()),
        ];
        format!(
            "?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    let filtered = query.status.is_some() || query.search.is_some();
    let content = html! {
        div.page-head {
            div {
                h1 { "Payments" }
                p.lede { "Orders your tools create through the API, what is paid and what is due." }
            }
        }
        (tabs(&shell, true))
        form.card.filter-bar method="get" action=(shell.at("/payments")) role="search" {
            div.field {
                label for="f-status" { "Status" }
                select #f-status name="status" {
                    option value="" { "Any status" }
                    @for (s, label) in STATUSES { option value=(s.as_str()) selected[s.as_str() == params.status] { (label) } }
                }
            }
            div.field {
                label for="f-q" { "Order or item" }
                input #f-q type="search" name="q" value=(params.q) maxlength="200";
            }
            button.primary type="submit" { (icon("search")) "Filter" }
        }
        @if found.items.is_empty() {
            div.card.empty {
                @if filtered {
                    h2 { "No orders match" }
                    p { "Try another status or fewer words." }
                    a.button href=(shell.at("/payments")) { "Clear the filters" }
                } @else {
                    h2 { "No orders yet" }
                    p { "Orders appear here when a tool connected through a Private Integration creates them; then record how each was paid." }
                }
            }
        } @else {
            section.card.table-card {
                p.muted { (format::count_of(found.total, "order")) }
                (orders_table(&shell, &found.items, &names))
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
    Ok(shell.app_page(Area::Payments, "Payments", content))
}

fn orders_table(shell: &Shell, orders: &[Order], names: &[(ContactId, String)]) -> Markup {
    html! {
        div.table-scroll {
            table.list {
                thead { tr {
                    th scope="col" { "Order" } th scope="col" { "Contact" } th scope="col" { "Items" }
                    th scope="col" .num { "Total" } th scope="col" .num { "Due" }
                    th scope="col" { "Status" } th scope="col" { "Created" }
                } }
                tbody {
                    @for o in orders {
                        tr {
                            td { a.row-link href=(shell.at(&format!("/payments/orders/{}", o.id))) { code { (o.id) } } }
                            td { a href=(shell.at(&format!("/contacts/{}", o.contact_id))) { (name_of(names, &o.contact_id)) } }
                            td { @for (n, item) in o.items.iter().enumerate() { @if n > 0 { ", " } (item.name) } }
                            td.num { (amount(o.currency, o.amount)) }
                            td.num { (amount(o.currency, o.amount_due())) }
                            td { (status_badge(o.status)) }
                            td.muted { (shell.zone.date_time(o.created_at)) }
                        }
                    }
                }
            }
        }
    }
}

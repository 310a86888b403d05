//! An order's page: its contact, items and totals, its payments, and the form that records a
//! payment (how it was paid, the amount, which defaults to all that is due, and a note). An
//! amount above what is due is refused beside the field and nothing is written.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::payments::{self, PaymentRequest};
use ivorey_core::order::{Order, OrderStatus, PaymentDetails, PaymentMode};
use ivorey_store::TransactionQuery;
use maud::{Markup, html};
use serde::Deserialize;

use super::transactions::{MODES, mode_label};
use super::{amount, status_badge};
use crate::state::AppState;
use crate::web::auth::{Posted, Viewer};
use crate::web::error::{WebError, WebResult};
use crate::web::forms::{FormData, Input, Problems};
use crate::web::frame::Area;
use crate::web::layout::{Tone, notice};
use crate::web::shell::Shell;

const LABELS: &[(&str, &str)] = &[("amount", "Amount"), ("notes", "Note")];

async fn load(state: &AppState, shell: &Shell, raw: &str) -> WebResult<Order> {
    payments::get_order(state.store.as_ref(), &shell.location, raw)
        .await
        .map_err(|e| match e {
            ivorey_app::AppError::NotFound(_) => WebError::plain(
                StatusCode::NOT_FOUND,
                "Order not found",
                "This order does not exist in this business. It may have been deleted with its contact.",
            ),
            other => other.into(),
        })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    #[serde(default)]
    done: String,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    Query(done): Query<Done>,
    Viewer(user): Viewer,
) -> WebResult<Markup> {
    let shell = Shell::load(&state, user, &location).await?;
    let order = load(&state, &shell, &id).await?;
    let done = (done.done == "paid").then_some("The payment was recorded.");
    page(
        &state,
        &shell,
        &order,
        done,
        &FormData::default(),
        &Problems::none(),
    )
    .await
}

async fn page(
    state: &AppState,
    shell: &Shell,
    order: &Order,
    done: Option<&str>,
    values: &FormData,
    problems: &Problems,
) -> WebResult<Markup> {
    let store = state.store.as_ref();
    let contact = store
        .get_contact(&shell.location, &order.contact_id)
        .await?;
    let query = TransactionQuery {
        order_id: Some(order.id.clone()),
        limit: 100,
        ..TransactionQuery::default()
    };
    let paid = store.list_transactions(&shell.location, &query).await?;
    let c = order.currency;
    let due = order.amount_due();
    let typed_amount = if values.get("amount").is_empty() {
        c.format_amount(due)
    } else {
        values.get("amount").to_owned()
    };
    let content = html! {
        nav.crumbs aria-label="Breadcrumb" {
            ol {
                li { a href=(shell.at("/payments")) { "Payments" } }
                li { a href=(shell.at(&format!("/payments/orders/{}", order.id))) { "Order " (order.id) } }
            }
        }
        div.page-head { h1 { "Order " code { (order.id) } " " (status_badge(order.status)) } }
        @if let Some(done) = done { (notice(Tone::Success, html! { (done) })) }
        (problems.summary())
        div.columns {
            section.card aria-labelledby="items-title" {
                h2 #items-title { "Items" }
                p {
                    "For "
                    @match &contact {
                        Some(ct) => a href=(shell.at(&format!("/contacts/{}", ct.id))) { (ct.fields.display_name()) },
                        None => "a deleted contact",
                    }
                    span.muted { " · created " (shell.zone.date_time(order.created_at)) }
                }
                table.compact {
                    thead { tr { th scope="col" { "Item" } th scope="col" .num { "Quantity" } th scope="col" .num { "Price" } th scope="col" .num { "Total" } } }
                    tbody {
                        @for item in &order.items {
                            tr {
                                td { (item.name) }
                                td.num { (item.quantity) }
                                td.num { (amount(c, item.unit_price)) }
                                td.num { (amount(c, item.unit_price.saturating_mul(i64::from(item.quantity)))) }
                            }
                        }
                    }
                }
                dl.facts {
                    dt { "Total" } dd { strong { (amount(c, order.amount)) } }
                    dt { "Paid" } dd { (amount(c, order.amount_paid)) }
                    dt { "Due" } dd { strong { (amount(c, due)) } }
                }
            }
            section.card aria-labelledby="pay-title" {
                h2 #pay-title { "Record a payment" }
                @if order.status == OrderStatus::Paid {
                    p { "This order is paid in full." }
                } @else {
                    form method="post" action=(shell.at(&format!("/payments/orders/{}/pay", order.id))) {
                        (shell.csrf())
                        div.field {
                            label for="f-mode" { "Paid by" }
                            select #f-mode name="mode" {
                                @for (m, label) in MODES { option value=(m.as_str()) selected[values.get("mode") == m.as_str()] { (label) } }
                            }
                        }
                        (Input { label: "Amount", name: "amount", value: &typed_amount, required: true,
                            max_chars: Some(20), hint: Some("All that is due unless you change it; less records a partial payment."),
                            ..Default::default() }.render(problems))
                        (Input { label: "Note", name: "notes", value: values.get("notes"), max_chars: Some(1000),
                            placeholder: Some("For example Paid at the counter"), ..Default::default() }.render(problems))
                        div.actions.left { button.primary type="submit" { "Record payment" } }
                    }
                }
            }
        }
        section.card.table-card aria-labelledby="paid-title" {
            h2 #paid-title { "Payments" }
            @if paid.items.is_empty() {
                p.muted { "No payment recorded yet." }
            } @else {
                table.list {
                    thead { tr { th scope="col" { "When" } th scope="col" { "Paid by" } th scope="col" .num { "Amount" } th scope="col" { "Note" } } }
                    tbody {
                        @for t in &paid.items {
                            tr {
                                td.muted { (shell.zone.date_time(t.created_at)) }
                                td { (mode_label(t.mode)) }
                                td.num { (amount(c, t.amount)) }
                                td.muted { (t.details.notes.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(shell.app_page(Area::Payments, "Order", content))
}

pub(crate) async fn pay(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let order = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let mode = PaymentMode::parse(form.get("mode")).unwrap_or(PaymentMode::Other);
    let typed: String = form
        .get("amount")
        .chars()
        .filter(|c| !matches!(c, ',' | ' '))
        .collect();
    let notes = Some(form.get("notes").trim().to_owned()).filter(|n| !n.is_empty());
    let request = PaymentRequest {
        mode,
        amount: Some(typed.as_str()).filter(|t| !t.is_empty()),
        currency: None,
        partial: None,
        details: PaymentDetails {
            notes,
            ..PaymentDetails::default()
        },
    };
    let (store, now) = (state.store.as_ref(), state.clock.now());
    match payments::record_payment(store, now, &shell.location, order.id.as_str(), request).await {
        Ok(_) => {
            let to = shell.at(&format!("/payments/orders/{}?done=paid", order.id));
            Ok(Redirect::to(&to).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, LABELS)?;
            let page = page(&state, &shell, &order, None, form, &problems).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

//! Orders for signed-in users: any member lists them, admins create them. HighLevel's public
//! API only reads orders and records payments, so this is where orders are made.

use axum::extract::State;
use axum::http::StatusCode;
use ivorey_core::order::OrderInput;
use ivorey_store::OrderQuery;
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::extract::{ApiJson, ApiPath};
use crate::reply::{Reply, ok};
use crate::session::SessionUser;
use crate::state::AppState;
use ivorey_app::payments;

pub async fn list(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
) -> ApiResult<Reply<Value>> {
    let (location, _) = session.role_in(&state, &location).await?;
    let query = OrderQuery {
        limit: 1000,
        ..Default::default()
    };
    let page = state.store.list_orders(&location, &query).await?;
    let orders: Vec<Value> = page.items.iter().map(|o| o.to_json()).collect();
    Ok(ok(json!({ "orders": orders, "total": page.total })))
}

pub async fn create(
    State(state): State<AppState>,
    session: SessionUser,
    ApiPath(location): ApiPath<String>,
    ApiJson(body): ApiJson<OrderInput>,
) -> ApiResult<Reply<Value>> {
    let location = session.admin_of(&state, &location).await?;
    let now = state.clock.now();
    let order = payments::create_order(state.store.as_ref(), now, &location, body).await?;
    Ok(Reply(
        StatusCode::CREATED,
        json!({ "order": order.to_json() }),
    ))
}

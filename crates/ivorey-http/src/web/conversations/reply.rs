//! The thread's two forms: a reply (the same `ivorey_app::messages::send` as
//! `POST /conversations/messages`, then the delivery worker is woken) and "Mark as read" (the
//! same write as `PUT /conversations/{id}` with `unreadCount: 0`). Both redirect back to the
//! thread, so a reload does not send twice.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use ivorey_app::conversations as ops;
use ivorey_app::messages::{self, SendInput, Source};
use ivorey_core::conversation::Channel;

use super::thread::{self, labels};
use super::{load, path};
use crate::state::AppState;
use crate::web::auth::Posted;
use crate::web::error::WebResult;
use crate::web::forms::Problems;
use crate::web::shell::Shell;

pub(crate) async fn send(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let conversation = load(&state, &shell, &id).await?;
    let form = &posted.form;
    let kind = form.get("type");
    let is_email = Channel::from_send_type(kind) == Some(Channel::Email);
    let subject = form.get("subject").trim();
    let input = SendInput {
        kind: Some(kind.to_owned()),
        contact_id: Some(conversation.contact_id.to_string()),
        message: Some(form.get("message").to_owned()),
        subject: (is_email && !subject.is_empty()).then(|| subject.to_owned()),
        ..SendInput::default()
    };
    let now = state.clock.now();
    let store = state.store.as_ref();
    let source = Source::Web(shell.user.user.id.clone());
    match messages::send(store, now, &shell.location, input, source).await {
        Ok(message) => {
            // After the commit: the worker then finds the message when it looks.
            state.outbox.wake();
            // Whoever answers has read what they answered (an integration's send does not).
            ops::mark_read(store, now, &shell.location, &conversation.id).await?;
            let target = path(
                &shell,
                &conversation.id,
                &format!("?done=sent#message-{}", message.id),
            );
            Ok(Redirect::to(&target).into_response())
        }
        Err(e) => {
            let problems = Problems::from_error(e, labels())?;
            let thread = thread::read(&state, &shell, conversation, None).await?;
            let page = thread::page(&shell, &thread, now, None, form, &problems);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

pub(crate) async fn mark_read(
    State(state): State<AppState>,
    Path((location, id)): Path<(String, String)>,
    posted: Posted,
) -> WebResult<Response> {
    let shell = Shell::load(&state, posted.user, &location).await?;
    let conversation = load(&state, &shell, &id).await?;
    let now = state.clock.now();
    ops::mark_read(state.store.as_ref(), now, &shell.location, &conversation.id).await?;
    let target = path(&shell, &conversation.id, "?done=read");
    Ok(Redirect::to(&target).into_response())
}

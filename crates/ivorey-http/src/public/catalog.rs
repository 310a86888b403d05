//! The catalogue of public endpoints: method, path, the scope a token needs (stated here only:
//! the scope gate enforces it and counts usage under it), what it does, its query parameters
//! (derived from the handler's own query struct) and whether it takes a JSON body. The router is
//! built from this list and `/openapi.json` is generated from it, so the document cannot
//! describe a route that does not exist or miss one that does.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};
use ivorey_core::Scope;
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterIn};

use super::{
    calendar_events, calendars, contact_notes, contact_search, contact_tags, contact_tasks,
    contact_upsert, contacts, conversations, custom_fields, forms, introspect, locations, messages,
    opportunities, payments, users,
};
use crate::state::AppState;

/// One public operation.
#[derive(Debug)]
pub struct Endpoint {
    pub method: Method,
    /// The axum path template; `{name}` segments are path parameters.
    pub path: &'static str,
    /// The scope a token needs (`None`: any valid token).
    pub scope: Option<Scope>,
    /// The OpenAPI tag (area).
    pub tag: &'static str,
    pub summary: &'static str,
    pub query: fn() -> Vec<Parameter>,
    /// Whether the operation reads a JSON object body.
    pub body: bool,
    pub route: fn() -> MethodRouter<AppState>,
}

/// The query parameters of a handler's query struct, as documented.
pub fn query<T: IntoParams>() -> Vec<Parameter> {
    T::into_params(|| Some(ParameterIn::Query))
}

/// For operations without query parameters.
pub fn no_query() -> Vec<Parameter> {
    Vec::new()
}

#[allow(
    clippy::too_many_arguments,
    reason = "one line per endpoint reads as a table"
)]
pub fn ep(
    method: Method,
    path: &'static str,
    scope: Option<Scope>,
    tag: &'static str,
    summary: &'static str,
    query: fn() -> Vec<Parameter>,
    body: bool,
    route: fn() -> MethodRouter<AppState>,
) -> Endpoint {
    Endpoint {
        method,
        path,
        scope,
        tag,
        summary,
        query,
        body,
        route,
    }
}

/// Every public endpoint, grouped by area.
pub fn endpoints() -> Vec<Endpoint> {
    let mut all = core_endpoints();
    all.extend(opportunity_endpoints());
    all.extend(contact_more_endpoints());
    all.extend(form_endpoints());
    all.extend(calendar_endpoints());
    all.extend(conversation_endpoints());
    all.extend(payment_endpoints());
    all
}

#[rustfmt::skip]
fn calendar_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    use calendar_events as ev;
    const NOQ: fn() -> Vec<Parameter> = no_query;
    vec![
        ep(M::GET, "/calendars/", Some(S::CalendarsRead), "Calendars", "List the location's calendars", query::<calendars::ListParams>, false, || get(calendars::list)),
        ep(M::POST, "/calendars/", Some(S::CalendarsWrite), "Calendars", "Create a calendar (time zone, open hours, slot length)", NOQ, true, || post(calendars::create)),
        ep(M::GET, "/calendars/{calendarId}", Some(S::CalendarsRead), "Calendars", "Get a calendar", NOQ, false, || get(calendars::get)),
        ep(M::PUT, "/calendars/{calendarId}", Some(S::CalendarsWrite), "Calendars", "Update a calendar", NOQ, true, || put(calendars::update)),
        ep(M::DELETE, "/calendars/{calendarId}", Some(S::CalendarsWrite), "Calendars", "Delete a calendar and its appointments", NOQ, false, || delete(calendars::delete)),
        ep(M::GET, "/calendars/{calendarId}/free-slots", Some(S::CalendarsRead), "Calendars", "Free slots: open hours minus booked appointments, by day", query::<calendars::SlotParams>, false, || get(calendars::free_slots)),
        ep(M::GET, "/calendars/events", Some(S::CalendarEventsRead), "Calendars", "Events of a calendar in a time window", query::<ev::ListParams>, false, || get(ev::list)),
        ep(M::POST, "/calendars/events/appointments", Some(S::CalendarEventsWrite), "Calendars", "Book an appointment (double booking is refused with 409)", NOQ, true, || post(ev::create)),
        ep(M::GET, "/calendars/events/appointments/{eventId}", Some(S::CalendarEventsRead), "Calendars", "Get an appointment", NOQ, false, || get(ev::get)),
        ep(M::PUT, "/calendars/events/appointments/{eventId}", Some(S::CalendarEventsWrite), "Calendars", "Update or move an appointment", NOQ, true, || put(ev::update)),
        ep(M::DELETE, "/calendars/events/{eventId}", Some(S::CalendarEventsWrite), "Calendars", "Delete an event", NOQ, false, || delete(ev::delete)),
    ]
}

#[rustfmt::skip]
fn form_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    vec![
        ep(M::GET, "/forms/", Some(S::FormsRead), "Forms", "List the location's forms", query::<forms::FormsParams>, false, || get(forms::list)),
        ep(M::GET, "/forms/submissions", Some(S::FormsRead), "Forms", "List form submissions (page numbers; send a fixed endAt for a stable snapshot)", query::<forms::SubmissionsParams>, false, || get(forms::submissions)),
    ]
}

#[rustfmt::skip]
fn payment_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    use payments as p;
    vec![
        ep(M::GET, "/payments/orders", Some(S::OrdersRead), "Payments", "List orders (offset paging, newest first)", query::<p::OrdersParams>, false, || get(p::orders)),
        ep(M::GET, "/payments/orders/{orderId}", Some(S::OrdersRead), "Payments", "Get an order", query::<p::OrderParams>, false, || get(p::order)),
        ep(M::POST, "/payments/orders/{orderId}/record-payment", Some(S::OrdersCollectPayment), "Payments", "Record a manual payment against an order", no_query, true, || post(p::record_payment)),
        ep(M::GET, "/payments/transactions", Some(S::TransactionsRead), "Payments", "List payment transactions (offset paging, newest first)", query::<p::TransactionsParams>, false, || get(p::transactions)),
        ep(M::GET, "/payments/transactions/{transactionId}", Some(S::TransactionsRead), "Payments", "Get a payment transaction", query::<p::TransactionParams>, false, || get(p::get_transaction)),
    ]
}

#[rustfmt::skip]
fn core_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    const NOQ: fn() -> Vec<Parameter> = no_query;
    vec![
        ep(M::GET, "/locations/{locationId}", Some(S::LocationsRead), "Locations", "Get the location (business profile)", NOQ, false, || get(locations::get_location)),
        ep(M::GET, "/contacts/", Some(S::ContactsRead), "Contacts", "List contacts (keyset paging by startAfter/startAfterId)", query::<contacts::ListParams>, false, || get(contacts::list)),
        ep(M::POST, "/contacts/", Some(S::ContactsWrite), "Contacts", "Create a contact", NOQ, true, || post(contacts::create)),
        ep(M::GET, "/contacts/{contactId}", Some(S::ContactsRead), "Contacts", "Get a contact", NOQ, false, || get(contacts::get)),
        ep(M::PUT, "/contacts/{contactId}", Some(S::ContactsWrite), "Contacts", "Update a contact", NOQ, true, || put(contacts::update)),
        ep(M::DELETE, "/contacts/{contactId}", Some(S::ContactsWrite), "Contacts", "Delete a contact", NOQ, false, || delete(contacts::delete)),
        ep(M::POST, "/contacts/upsert", Some(S::ContactsWrite), "Contacts", "Create or update a contact matched by email or phone", NOQ, true, || post(contact_upsert::upsert)),
        ep(M::POST, "/contacts/{contactId}/tags", Some(S::ContactsWrite), "Contacts", "Add tags to a contact", NOQ, true, || post(contact_tags::add)),
        ep(M::DELETE, "/contacts/{contactId}/tags", Some(S::ContactsWrite), "Contacts", "Remove tags from a contact", NOQ, true, || delete(contact_tags::remove)),
        ep(M::GET, "/contacts/{contactId}/notes", Some(S::ContactsRead), "Contacts", "List a contact's notes", NOQ, false, || get(contact_notes::list)),
        ep(M::POST, "/contacts/{contactId}/notes", Some(S::ContactsWrite), "Contacts", "Add a note to a contact", NOQ, true, || post(contact_notes::create)),
        ep(M::GET, "/contacts/{contactId}/notes/{id}", Some(S::ContactsRead), "Contacts", "Get a note", NOQ, false, || get(contact_notes::get)),
        ep(M::PUT, "/contacts/{contactId}/notes/{id}", Some(S::ContactsWrite), "Contacts", "Update a note", NOQ, true, || put(contact_notes::update)),
        ep(M::DELETE, "/contacts/{contactId}/notes/{id}", Some(S::ContactsWrite), "Contacts", "Delete a note", NOQ, false, || delete(contact_notes::delete)),
        ep(M::GET, "/users/", Some(S::UsersRead), "Users", "List the location's users", query::<users::ListParams>, false, || get(users::list)),
        ep(M::GET, "/users/{userId}", Some(S::UsersRead), "Users", "Get a user of the location", NOQ, false, || get(users::get)),
        ep(M::GET, "/token/introspect", None, "Tokens", "What the presented token may do (location, scopes, expiry)", NOQ, false, || get(introspect::introspect)),
    ]
}

#[rustfmt::skip]
fn contact_more_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    use contact_tasks as t;
    use custom_fields as cf;
    const NOQ: fn() -> Vec<Parameter> = no_query;
    vec![
        ep(M::POST, "/contacts/search", Some(S::ContactsRead), "Contacts", "Search contacts (query, filters, sort, page or searchAfter)", NOQ, true, || post(contact_search::search)),
        ep(M::GET, "/contacts/search/duplicate", Some(S::ContactsRead), "Contacts", "Find the contact a new one would duplicate (email, then number)", query::<contact_search::DuplicateParams>, false, || get(contact_search::duplicate)),
        ep(M::GET, "/contacts/{contactId}/tasks", Some(S::ContactsRead), "Contacts", "List a contact's tasks", NOQ, false, || get(t::list)),
        ep(M::POST, "/contacts/{contactId}/tasks", Some(S::ContactsWrite), "Contacts", "Add a task to a contact", NOQ, true, || post(t::create)),
        ep(M::GET, "/contacts/{contactId}/tasks/{taskId}", Some(S::ContactsRead), "Contacts", "Get a task", NOQ, false, || get(t::get)),
        ep(M::PUT, "/contacts/{contactId}/tasks/{taskId}", Some(S::ContactsWrite), "Contacts", "Update a task", NOQ, true, || put(t::update)),
        ep(M::DELETE, "/contacts/{contactId}/tasks/{taskId}", Some(S::ContactsWrite), "Contacts", "Delete a task", NOQ, false, || delete(t::delete)),
        ep(M::PUT, "/contacts/{contactId}/tasks/{taskId}/completed", Some(S::ContactsWrite), "Contacts", "Mark a task completed or not", NOQ, true, || put(t::completed)),
        ep(M::GET, "/locations/{locationId}/customFields", Some(S::CustomFieldsRead), "Custom fields", "List custom field definitions", query::<cf::ListParams>, false, || get(cf::list)),
        ep(M::POST, "/locations/{locationId}/customFields", Some(S::CustomFieldsWrite), "Custom fields", "Create a custom field definition", NOQ, true, || post(cf::create)),
        ep(M::GET, "/locations/{locationId}/customFields/{id}", Some(S::CustomFieldsRead), "Custom fields", "Get a custom field (by id or key)", NOQ, false, || get(cf::get)),
        ep(M::PUT, "/locations/{locationId}/customFields/{id}", Some(S::CustomFieldsWrite), "Custom fields", "Update a custom field", NOQ, true, || put(cf::update)),
        ep(M::DELETE, "/locations/{locationId}/customFields/{id}", Some(S::CustomFieldsWrite), "Custom fields", "Delete a custom field", NOQ, false, || delete(cf::delete)),
    ]
}

#[rustfmt::skip]
fn opportunity_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    use opportunities as o;
    const NOQ: fn() -> Vec<Parameter> = no_query;
    vec![
        ep(M::POST, "/opportunities/", Some(S::OpportunitiesWrite), "Opportunities", "Create an opportunity", NOQ, true, || post(o::create)),
        ep(M::GET, "/opportunities/pipelines", Some(S::OpportunitiesRead), "Opportunities", "List pipelines with their stages", query::<o::PipelineParams>, false, || get(o::pipelines)),
        ep(M::GET, "/opportunities/search", Some(S::OpportunitiesRead), "Opportunities", "Search opportunities", query::<o::SearchParams>, false, || get(o::search)),
        ep(M::POST, "/opportunities/search", Some(S::OpportunitiesRead), "Opportunities", "Search opportunities (body filters, page numbers)", NOQ, true, || post(o::search_post)),
        ep(M::POST, "/opportunities/upsert", Some(S::OpportunitiesWrite), "Opportunities", "Create or update the contact's opportunity in a pipeline", NOQ, true, || post(o::upsert)),
        ep(M::GET, "/opportunities/{id}", Some(S::OpportunitiesRead), "Opportunities", "Get an opportunity", NOQ, false, || get(o::get)),
        ep(M::PUT, "/opportunities/{id}", Some(S::OpportunitiesWrite), "Opportunities", "Update an opportunity", NOQ, true, || put(o::update)),
        ep(M::DELETE, "/opportunities/{id}", Some(S::OpportunitiesWrite), "Opportunities", "Delete an opportunity", NOQ, false, || delete(o::delete)),
        ep(M::PUT, "/opportunities/{id}/status", Some(S::OpportunitiesWrite), "Opportunities", "Change an opportunity's status", NOQ, true, || put(o::update_status)),
    ]
}

#[rustfmt::skip]
fn conversation_endpoints() -> Vec<Endpoint> {
    use Method as M;
    use Scope as S;
    use conversations as c;
    use messages as m;
    const NOQ: fn() -> Vec<Parameter> = no_query;
    vec![
        ep(M::POST, "/conversations/", Some(S::ConversationsWrite), "Conversations", "Create a contact's conversation", NOQ, true, || post(c::create)),
        ep(M::GET, "/conversations/search", Some(S::ConversationsRead), "Conversations", "Search conversations (startAfterDate paging)", query::<c::SearchParams>, false, || get(c::search)),
        ep(M::GET, "/conversations/{conversationId}", Some(S::ConversationsRead), "Conversations", "Get a conversation", NOQ, false, || get(c::get)),
        ep(M::PUT, "/conversations/{conversationId}", Some(S::ConversationsWrite), "Conversations", "Update a conversation (unread count, starred)", NOQ, true, || put(c::update)),
        ep(M::DELETE, "/conversations/{conversationId}", Some(S::ConversationsWrite), "Conversations", "Delete a conversation and its messages", NOQ, false, || delete(c::delete)),
        ep(M::GET, "/conversations/{conversationId}/messages", Some(S::MessagesRead), "Conversations", "A conversation's messages, newest first (lastMessageId paging)", query::<m::ListParams>, false, || get(m::list)),
        ep(M::POST, "/conversations/messages", Some(S::MessagesWrite), "Conversations", "Send an SMS, Email or Custom message (delivered by the location's provider)", NOQ, true, || post(m::send)),
        ep(M::POST, "/conversations/messages/inbound", Some(S::MessagesWrite), "Conversations", "Record an inbound message", NOQ, true, || post(m::inbound)),
        ep(M::GET, "/conversations/messages/{messageId}", Some(S::MessagesRead), "Conversations", "Get a message and its delivery status", NOQ, false, || get(m::get)),
        ep(M::PUT, "/conversations/messages/{messageId}/status", Some(S::MessagesWrite), "Conversations", "Set a message's status (provider callback)", NOQ, true, || put(m::update_status)),
    ]
}

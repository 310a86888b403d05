//! The in-process test binary: each case starts the server's router on a free port of this
//! process (`common::TestApp`) with a fresh database, and talks to it over HTTP as a tool, an
//! admin, a website or a browser would. One module per area; the helpers are the modules
//! before them.

#[macro_use]
mod common;
mod browser_support;
mod spec;
mod support_smtp;
mod support_webhook;

mod browser;
mod browser_calendar;
mod browser_crm;
mod browser_deals;
mod browser_forms;
mod browser_walk;
mod calendars;
mod contact_notes;
mod contact_search;
mod contact_tasks;
mod contact_upsert_and_tags;
mod contacts;
mod conversations;
mod custom_fields;
mod db_outage;
mod forms;
mod hostile_input;
mod lifecycle;
mod manage_pipelines;
mod management;
mod metrics;
mod node_sdk;
mod opportunities;
mod payments;
mod query_params;
mod rate_limits;
mod revocation_race;
mod scope_matrix;
mod scope_matrix_catalogue;
mod secrets;
mod spec_conformance;
mod team;
mod timeouts;
mod token_cache;
mod users;
mod web;
mod web_calendars;
mod web_contacts;
mod web_conversations;
mod web_forms;
mod web_import;
mod web_messaging;
mod web_opportunities;
mod web_payments;
mod web_pipelines;
mod web_records;

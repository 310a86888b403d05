//! The conformance suite: one set of behaviours that every backend must show. A backend's test
//! file calls `conformance_suite!(async { make_store().await })` to run each case against a fresh
//! store.

mod attribution;
mod calendars;
mod contact_batches;
mod contact_phone;
mod contact_words;
mod contacts;
mod conversations;
mod fixtures;
mod forms;
mod grant_cache;
mod inbox;
mod integrations;
mod locations;
mod notes;
mod opportunities;
mod payments;
mod pipeline_board;
mod rate_limits;
mod tasks_fields;
mod usage;

pub use attribution::*;
pub use calendars::*;
pub use contact_batches::*;
pub use contact_phone::*;
pub use contact_words::*;
pub use contacts::*;
pub use conversations::*;
pub use fixtures::*;
pub use forms::*;
pub use grant_cache::*;
pub use inbox::*;
pub use integrations::*;
pub use locations::*;
pub use notes::*;
pub use opportunities::*;
pub use payments::*;
pub use pipeline_board::*;
pub use rate_limits::*;
pub use tasks_fields::*;
pub use usage::*;

/// Expands to one `#[tokio::test]` per conformance case. `$make` is an expression that evaluates
/// to a future yielding `Option<impl Store>`; `None` skips the case (e.g. PostgreSQL absent
/// outside CI).
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::conformance_suite!(@cases $make;
            location_and_profile_round_trip,
            admin_email_is_unique,
            existing_user_can_be_admin_of_a_second_location,
            sessions_are_found_by_hash_until_they_expire,
            location_users_lists_members_with_their_roles_and_no_one_else,
            integrations_are_isolated_by_location,
            edits_are_visible_to_the_next_token_lookup,
            rotate_later_keeps_the_old_token_until_its_grace_ends,
            rotate_now_ends_the_old_token_at_once,
            a_second_rotation_ends_the_token_still_in_grace,
            expiring_the_old_token_early_removes_it,
            delete_removes_the_integration_and_its_tokens,
            audit_log_is_newest_first_and_filterable,
            usage_counts_accumulate_and_skip_deleted_integrations,
            contacts_round_trip_within_their_location,
            contacts_remember_who_created_and_last_changed_them,
            the_records_a_changer_changed_last_are_listed_newest_first,
            contact_pages_follow_the_keyset_without_gaps_or_repeats,
            contact_query_matches_name_email_and_phone,
            text_queries_find_contacts_by_the_starts_of_their_words,
            word_rows_follow_updates_and_deletes,
            pages_agree_whether_matches_are_few_or_many,
            several_words_agree_whichever_word_drives,
            contacts_are_found_by_email_within_their_location,
            many_contacts_are_inserted_together_or_not_at_all,
            a_batch_finds_the_contacts_of_any_of_its_emails_and_phones,
            notes_round_trip_within_their_location_and_contact,
            notes_are_listed_oldest_first_and_go_with_their_contact,
            pipelines_are_listed_per_location_with_stages_in_order,
            opportunities_round_trip_within_their_location,
            opportunity_references_stay_in_the_location,
            opportunity_pages_follow_the_keyset_without_gaps_or_repeats,
            opportunity_filters_each_narrow_the_search,
            pipeline_edits_are_saved_in_order_and_stay_in_the_location,
            a_stage_with_opportunities_is_deleted_only_by_moving_them,
            a_pipeline_is_deleted_only_when_empty,
            a_board_pages_each_stage_newest_arrival_first_with_totals,
            forms_round_trip_within_their_location,
            a_submission_is_stored_with_its_contact_or_not_at_all,
            submissions_are_filtered_and_paged_newest_first,
            calendars_round_trip_within_their_location,
            appointments_stay_in_their_location_and_never_overlap,
            buffers_keep_their_time_free_between_appointments,
            a_warm_grant_cache_follows_every_change,
            a_warm_grant_carries_its_locations_current_rate_limits,
            contacts_are_found_by_normalised_phone_within_their_location,
            contact_search_filters_tags_and_pages_by_keyset,
            tasks_stay_in_their_location_and_go_with_their_contact,
            custom_field_keys_are_unique_per_location,
            location_rate_limits_round_trip_with_an_audit_entry,
            shared_counters_never_admit_more_than_the_limit,
            shared_counters_lease_a_sixteenth_and_never_pass_the_limit,
            conversations_and_messages_stay_in_their_location,
            messages_page_newest_first_and_the_outbox_is_claimed_once,
            the_inbox_lists_unread_first_then_by_last_message,
            orders_round_trip_and_filter_within_their_location,
            payments_move_the_order_and_an_overpayment_writes_nothing,
            transactions_are_filtered_and_paged_newest_first,
        );
    };
    (@cases $make:expr; $($case:ident,)*) => {
        $(
            #[tokio::test]
            async fn $case() {
                match $make.await {
                    Some(store) => $crate::conformance::$case(&store).await,
                    None => eprintln!("skipped: backend not configured"),
                }
            }
        )*
    };
}

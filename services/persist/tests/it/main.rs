//! The behavioural suite of service_persist. Every test in `suite` runs twice, against PostgreSQL
//! (a fresh database on the machine's server) and against SQLite (a fresh file), through the same
//! `Store` trait: the two backends must behave identically.

mod statistics;
mod suite;
mod support;

/// Declares each test of a suite module once per backend:
/// `<module>::postgres::<test>` and `<module>::sqlite::<test>`.
macro_rules! on_both_backends {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() -> anyhow::Result<()> {
                        let backend = crate::support::Backend::postgres().await?;
                        crate::suite::$module::$name(backend.store.clone()).await
                    }
                )*
            }
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() -> anyhow::Result<()> {
                        let backend = crate::support::Backend::sqlite().await?;
                        crate::suite::$module::$name(backend.store.clone()).await
                    }
                )*
            }
        }
    };
}

on_both_backends!(suppliers:
    crud_round_trip,
    duplicate_code_is_already_exists,
    optimistic_update_conflicts,
    delete_leaves_tombstone,
    list_pages_by_change_seq,
    supplier_with_items_cannot_be_deleted,
    item_lookup_by_offer_and_text_search,
    item_for_unknown_supplier_is_invalid,
);

on_both_backends!(api:
    health_and_reflection,
    invalid_argument_names_the_field,
    bulk_stream_answers_per_item,
    fingerprints_answer_unchanged_or_content_needed,
    list_pages_through_cursor,
);

on_both_backends!(links:
    builtin_types_are_seeded,
    association_type_crud_and_in_use,
    type_change_must_fit_existing_links,
    package_link_round_trip,
    link_rules_are_enforced,
    two_way_links_are_one_row,
    link_delete_and_changed_since,
    supplier_item_links,
);

on_both_backends!(channels:
    channel_crud_and_text_search,
    channel_with_listings_cannot_be_deleted,
    category_and_attribute_maps,
    listing_rules_and_filters,
    outbox_keeps_one_pending_entry,
    credentials_are_kept_apart_and_replaced,
    batches_save_in_order_and_all_or_nothing,
    batch_errors_name_the_row,
);

on_both_backends!(products:
    crud_round_trip_with_values,
    invalid_input_writes_nothing,
    delete_cascades_values_and_leaves_tombstone,
    list_filters_and_pages,
);

on_both_backends!(products_bulk:
    bulk_mixed_chunk,
    bulk_reupsert_is_unchanged,
    writes_recompute_completeness,
);

on_both_backends!(files:
    file_crud_round_trip,
    file_duplicate_storage_key_is_already_exists,
    file_rules_are_invalid_argument,
    file_list_text_and_pages,
);

on_both_backends!(imports:
    run_crud_and_finish,
    run_rules_are_invalid_argument,
    run_list_filters,
);

on_both_backends!(import_reports:
    report_crud_and_rules,
    report_list_filters,
    bulk_reports_two_thousand_paged,
    bulk_reports_are_all_or_nothing,
);

on_both_backends!(processes:
    process_crud_round_trip,
    process_rules_are_invalid_argument,
    process_list_filters,
);

on_both_backends!(change_feed:
    tombstones_page_by_since_and_filter_by_entity,
);

on_both_backends!(structure:
    category_tree_and_cycles,
    category_pages_and_changed_since,
);

on_both_backends!(structure_attributes:
    attributes_and_groups,
    attribute_options,
);

on_both_backends!(structure_families:
    families_resolve_codes,
    completeness_follows_family_and_values,
);

on_both_backends!(orders:
    customer_normalized_and_found_by_email_or_phone,
    customer_email_and_phone_are_unique,
    order_create_numbers_lines_and_starts_history,
    order_update_replaces_lines_and_appends_history,
    order_key_is_unique_per_channel,
    rejected_order_leaves_nothing,
    orders_list_filters_and_pages,
    order_delete_leaves_tombstone_and_frees_customer,
);

on_both_backends!(crm:
    interaction_crud_and_filters,
    interaction_references_must_exist,
    deletes_reach_interactions_with_new_seqs,
);

on_both_backends!(access:
    role_crud_normalizes_permissions,
    user_password_is_hashed_and_never_returned,
    user_update_keeps_or_replaces_password,
    user_roles_resolve_and_block_role_delete,
);

on_both_backends!(changes:
    sequence_is_monotonic_and_unique,
    cascaded_deletes_leave_tombstones,
    tombstones_are_pruned_after_retention,
);

on_both_backends!(supplier_sync:
    hash_pages_follow_offer_ids_and_match_upsert,
    item_pages_follow_offer_ids,
    gone_flips_only_available_offers,
    gone_is_idempotent_and_checks_its_scope,
    product_pages_follow_skus,
);

on_both_backends!(api_sync:
    hash_stream_matches_what_the_upsert_answers_unchanged,
    gone_round_trip_and_a_reimport_after_it,
    import_item_reports_in_bulk,
    items_stream_each_once_in_offer_order,
    products_stream_by_sku,
    bad_requests_name_the_field,
);

//! carpetti-queue's integration tests. The behavioural suite (`suite`) is written once against
//! `&dyn Bus` and run against every backend listed in `backends.rs` (`<module>::<backend>::<test>`);
//! the outbox and idempotent-consumer cases run on every backend × database (PostgreSQL on the
//! machine's server, SQLite files). `embedded` holds the embedded backend's own crash tests.

#[macro_use]
mod backends;
mod db;
mod embedded;
mod rabbit;
mod rabbit_restart;
mod suite;
mod support;

on_each_bus!(delivery:
    round_trip_preserves_headers,
    topic_routing_with_wildcards,
    every_group_gets_every_message,
    subscribers_of_one_group_share_its_messages,
    prefetch_bounds_unacked_deliveries,
);

on_each_bus!(retry:
    nack_redelivers_with_next_attempt_after_backoff,
    poison_message_dead_lettered_after_max_attempts,
    reject_dead_letters_at_once,
);

on_each_bus!(durability:
    unacked_redelivered_after_subscription_closed,
    durable_group_receives_messages_published_while_away,
    messages_before_first_subscribe_are_not_delivered,
);

on_each_bus!(ephemeral:
    every_ephemeral_subscriber_gets_every_message,
    ended_ephemeral_group_keeps_nothing,
    ephemeral_nack_and_reject_drop_the_message,
    ephemeral_and_durable_groups_do_not_share_a_name,
);

on_each_bus!(instrument: trace_context_flows_from_publisher_to_consumer);

on_each_bus!(consumer:
    handler_outcomes_settle_deliveries,
    undecodable_payload_dead_lettered_with_reason,
    shutdown_waits_for_handlers_in_flight,
);

on_each_bus_and_db!(outbox:
    commit_publishes_rollback_publishes_nothing,
    relay_wakes_on_notify_and_keeps_order,
    relay_crash_before_delete_duplicate_absorbed,
);

on_each_db!(store:
    processed_store_detects_duplicates_and_prunes,
    migrations_coexist_with_service_migrator,
);

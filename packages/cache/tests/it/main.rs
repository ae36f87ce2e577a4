//! The behavioural suite of carpetti-cache. Every test in `suite` runs twice, against Redis (the
//! machine's server, a fresh namespace per test) and in-process (moka; a lease table), through the
//! same `Cache` and `Leases` traits: `suite::<module>::redis::<test>` and
//! `suite::<module>::memory::<test>`. Tests whose name contains `redis` are in nextest's `redis`
//! group (one at a time): the fault tests in `redis_only` stop and start the server.

mod redis_only;
mod suite;
mod support;

/// Declares each test of a suite module once per backend.
macro_rules! on_both_backends {
    ($module:ident: $($name:ident),* $(,)?) => {
        mod $module {
            mod redis {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() -> anyhow::Result<()> {
                        let harness = crate::support::Harness::redis().await?;
                        crate::suite::$module::$name(&harness).await
                    }
                )*
            }
            mod memory {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() -> anyhow::Result<()> {
                        let harness = crate::support::Harness::memory()?;
                        crate::suite::$module::$name(&harness).await
                    }
                )*
            }
        }
    };
}

on_both_backends!(basics:
    set_get_delete_round_trip,
    bad_input_is_a_clear_error,
    ttl_expiry,
    namespaces_are_isolated,
);

on_both_backends!(loads:
    single_flight_runs_one_load,
    load_errors_are_shared_and_not_cached,
    invalidation_during_load_is_not_cached,
);

on_both_backends!(invalidation:
    prefix_invalidation,
    cross_instance_invalidation,
);

on_both_backends!(typed:
    json_and_proto_round_trip,
    undecodable_value_is_a_miss,
);

on_both_backends!(leases:
    first_acquire_takes_the_lease,
    another_holder_is_refused_and_told_who_holds_it,
    the_holder_renews,
    an_expired_lease_is_taken_over,
    release_only_by_the_holder,
    one_of_many_concurrent_acquirers_wins,
    bad_lease_input_is_a_clear_error,
);

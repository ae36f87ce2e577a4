//! The behavioural suite of service_persist. Every test in `suite` runs twice, against PostgreSQL
//! (a fresh database on the machine's server) and against SQLite (a fresh file), through the same
//! `Store` trait: the two backends must behave identically.

mod support;
mod suite;

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

on_both_backends!(changes:
    sequence_is_monotonic_and_unique,
);

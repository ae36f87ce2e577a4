//! The persisted engine's behavioural suite: every test runs on PostgreSQL (a fresh database on
//! the machine's server) and on SQLite (a fresh file) through the same `EngineApi`.

mod fetching;
mod groups;
mod suite;
mod support;

macro_rules! on_both_backends {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let backend = super::support::Backend::postgres().await?;
                    super::$module::$name(&backend).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let backend = super::support::Backend::sqlite().await?;
                    super::$module::$name(&backend).await
                }
            )*
        }
    };
}

on_both_backends!(
    suite::deploys_versions_and_filters_duplicates,
    suite::refuses_a_bad_model_and_deploys_nothing,
    suite::runs_external_tasks_to_the_end_with_history,
    suite::long_poll_answers_when_a_task_appears,
    suite::failures_retry_then_become_an_incident,
    suite::bpmn_errors_are_caught_by_boundaries,
    suite::only_the_locking_worker_may_report,
    suite::timers_and_call_activities_run_through_jobs,
    suite::messages_start_and_continue_instances,
    suite::a_restart_resumes_timers_and_expired_locks,
    suite::deleting_an_instance_withdraws_its_work,
    suite::concurrent_fetchers_never_share_a_task,
    suite::the_processes_folder_redeploys_only_what_changed,
    suite::a_timer_start_event_starts_instances_on_its_cycle,
    suite::a_worker_locks_a_task_by_id_and_fails_it_with_variables,
    suite::a_failing_job_becomes_an_incident_and_retries_resolve_it,
    groups::a_burst_of_completes_is_written_in_groups,
    groups::a_burst_of_starts_is_written_in_groups,
    fetching::one_fetch_takes_topics_in_order_up_to_max,
);

/// The engine shares a PostgreSQL database with service_persist, whose `_sqlx_migrations`
/// already holds versions the engine's migrations also use: the engine keeps its tables and its
/// migration history in its own schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shares_a_postgres_database_with_other_migrations() -> anyhow::Result<()> {
    use sqlx::Connection as _;
    let db = carpetti_testkit::TestPgDatabase::create().await?;
    let mut conn = sqlx::PgConnection::connect(db.url()).await?;
    // what another service's migrator leaves behind: version 1 with its own checksum
    sqlx::query("CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, installed_on TIMESTAMPTZ NOT NULL DEFAULT now(), success BOOLEAN NOT NULL, checksum BYTEA NOT NULL, execution_time BIGINT NOT NULL)")
        .execute(&mut conn)
        .await?;
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (1, 'core', true, '\\x00', 1)")
        .execute(&mut conn)
        .await?;
    let storage = carpetti_engine::EngineStorage::Postgres {
        url: db.url().to_owned(),
        max_connections: 2,
    };
    let engine =
        carpetti_engine::Engine::open(carpetti_engine::EngineConfig::new(storage.clone())).await?;
    drop(engine);
    // and it opens again (its own migrations already applied)
    carpetti_engine::Engine::open(carpetti_engine::EngineConfig::new(storage)).await?;
    let tables: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'carpetti_engine' AND table_name LIKE 'engine_%'")
        .fetch_one(&mut conn)
        .await?;
    assert_eq!(tables, 10);
    Ok(())
}

//! The persisted engine's behavioural suite: every test runs on PostgreSQL (a fresh database on
//! the machine's server) and on SQLite (a fresh file) through the same `EngineApi`.

mod suite;
mod support;

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let backend = super::support::Backend::postgres().await?;
                    super::suite::$name(&backend).await
                }
            )*
        }
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() -> anyhow::Result<()> {
                    let backend = super::support::Backend::sqlite().await?;
                    super::suite::$name(&backend).await
                }
            )*
        }
    };
}

on_both_backends!(
    deploys_versions_and_filters_duplicates,
    refuses_a_bad_model_and_deploys_nothing,
    runs_external_tasks_to_the_end_with_history,
    long_poll_answers_when_a_task_appears,
    failures_retry_then_become_an_incident,
    bpmn_errors_are_caught_by_boundaries,
    only_the_locking_worker_may_report,
    timers_and_call_activities_run_through_jobs,
    messages_start_and_continue_instances,
    a_restart_resumes_timers_and_expired_locks,
    deleting_an_instance_withdraws_its_work,
    concurrent_fetchers_never_share_a_task,
    the_processes_folder_redeploys_only_what_changed,
    a_timer_start_event_starts_instances_on_its_cycle,
);

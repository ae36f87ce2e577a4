//! Every metric name Carpetti emits through the `metrics` facade, in one place, with the labels
//! each carries. Crates emit with these constants; the binary installs the exporter
//! ([`crate::observe::install_metrics`]). Durations are seconds (histograms, with the buckets of
//! [`LATENCY_BUCKETS`]); counters end in `_total`.

/// Label: the gRPC service, e.g. `carpetti.persist.v1.Persist` (`unknown` for a path the
/// server does not serve).
pub const LABEL_SERVICE: &str = "service";
/// Label: the gRPC method, e.g. `GetProduct`.
pub const LABEL_METHOD: &str = "method";
/// Label: the gRPC status code name, e.g. `OK`, `NOT_FOUND`, `UNAVAILABLE`.
pub const LABEL_CODE: &str = "code";
/// Label: the service a client calls, e.g. `persist`.
pub const LABEL_TARGET: &str = "target";
/// Label: a queue topic.
pub const LABEL_TOPIC: &str = "topic";
/// Label: a queue consumer group.
pub const LABEL_GROUP: &str = "group";
/// Label: a cache namespace.
pub const LABEL_CACHE: &str = "cache";

// --- gRPC server (carpetti-handle, `GrpcServer`) ---

/// Counter {service, method, code}: RPCs handled, counted when the response ends (its status
/// known: trailers, or the headers of a trailers-only response) or is abandoned (`CANCELLED`).
pub const GRPC_SERVER_REQUESTS_TOTAL: &str = "grpc_server_requests_total";
/// Histogram {service, method}: from the request's arrival to the end of its response.
pub const GRPC_SERVER_REQUEST_DURATION_SECONDS: &str = "grpc_server_request_duration_seconds";

// --- gRPC clients (carpetti-handle's client layer, used by carpetti-repo) ---

/// Counter {target, service, method, code}: calls made, by outcome (`UNAVAILABLE` when no
/// connection could be made, `CANCELLED` when the caller gave up first).
pub const GRPC_CLIENT_REQUESTS_TOTAL: &str = "grpc_client_requests_total";
/// Histogram {target, service, method}: from the call to the end of its response.
pub const GRPC_CLIENT_REQUEST_DURATION_SECONDS: &str = "grpc_client_request_duration_seconds";
/// Counter {target, method}: retries of idempotent calls (carpetti-repo).
pub const GRPC_CLIENT_RETRIES_TOTAL: &str = "grpc_client_retries_total";
/// Gauge {target}: the target's circuit breaker: 0 closed, 1 half-open, 2 open (carpetti-repo).
pub const CLIENT_BREAKER_STATE: &str = "carpetti_client_breaker_state";
/// Counter {target, state}: breaker transitions into `state` (`open`, `half_open`, `closed`).
pub const CLIENT_BREAKER_TRANSITIONS_TOTAL: &str = "carpetti_client_breaker_transitions_total";

// --- queue (carpetti-queue) ---

/// Counter {topic}: messages published and confirmed by the broker.
pub const QUEUE_PUBLISHED_TOTAL: &str = "carpetti_queue_published_total";
/// Counter {topic, group}: messages handled and acked.
pub const QUEUE_CONSUMED_TOTAL: &str = "carpetti_queue_consumed_total";
/// Counter {topic, group}: messages scheduled for a delayed retry.
pub const QUEUE_RETRIED_TOTAL: &str = "carpetti_queue_retried_total";
/// Counter {topic, group}: messages moved to the dead-letter queue after their last attempt.
pub const QUEUE_DEAD_LETTERED_TOTAL: &str = "carpetti_queue_dead_lettered_total";
/// Counter {topic, group}: redeliveries the idempotent consumer recognised and skipped.
pub const QUEUE_DUPLICATES_TOTAL: &str = "carpetti_queue_duplicates_total";
/// Histogram {topic, group}: time a consumer's handler took per message.
pub const QUEUE_HANDLE_DURATION_SECONDS: &str = "carpetti_queue_handle_duration_seconds";

// --- cache (carpetti-cache; the same strings as its own `metrics` module) ---

/// Counter {cache, layer}: reads answered from the cache.
pub const CACHE_HITS_TOTAL: &str = "carpetti_cache_hits_total";
/// Counter {cache}: reads that found nothing. Hit ratio = hits / (hits + misses).
pub const CACHE_MISSES_TOTAL: &str = "carpetti_cache_misses_total";
/// Counter {cache, op}: Redis calls that failed or timed out (served from the source instead).
pub const CACHE_BACKEND_ERRORS_TOTAL: &str = "carpetti_cache_backend_errors_total";
/// Gauge {cache}: the cache's Redis breaker: 0 closed, 1 half-open, 2 open.
pub const CACHE_BREAKER_STATE: &str = "carpetti_cache_breaker_state";

// --- logs (carpetti-handle's Fluent output) ---

/// Counter: log events delivered to the Fluent receiver.
pub const LOG_FLUENT_SENT_TOTAL: &str = "carpetti_log_fluent_sent_total";
/// Counter: log events dropped (buffer full while the receiver was away, or left at shutdown).
pub const LOG_FLUENT_DROPPED_TOTAL: &str = "carpetti_log_fluent_dropped_total";
/// Counter: failed deliveries to the Fluent receiver (each retried after a back-off).
pub const LOG_FLUENT_FAILURES_TOTAL: &str = "carpetti_log_fluent_failures_total";

/// Histogram buckets (seconds) for every `*_seconds` metric: 1 ms to 5 min, dense where RPCs
/// and message handlers usually fall, with room for bulk imports.
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0,
];

/// Registers the descriptions (`# HELP`) of the metrics carpetti-handle emits itself (gRPC
/// server and client, Fluent output) with the installed recorder. Other crates describe theirs.
pub fn describe_metrics() {
    use metrics::{Unit, describe_counter, describe_histogram};
    describe_counter!(
        GRPC_SERVER_REQUESTS_TOTAL,
        Unit::Count,
        "gRPC requests handled, by service, method and status code"
    );
    describe_histogram!(
        GRPC_SERVER_REQUEST_DURATION_SECONDS,
        Unit::Seconds,
        "gRPC request latency until the response ends, by service and method"
    );
    describe_counter!(
        GRPC_CLIENT_REQUESTS_TOTAL,
        Unit::Count,
        "gRPC calls made, by target, service, method and status code"
    );
    describe_histogram!(
        GRPC_CLIENT_REQUEST_DURATION_SECONDS,
        Unit::Seconds,
        "gRPC call latency until the response ends, by target, service and method"
    );
    describe_counter!(
        LOG_FLUENT_SENT_TOTAL,
        Unit::Count,
        "Log events delivered to the Fluent receiver"
    );
    describe_counter!(
        LOG_FLUENT_DROPPED_TOTAL,
        Unit::Count,
        "Log events dropped because the Fluent buffer was full or shutdown could not send them"
    );
    describe_counter!(
        LOG_FLUENT_FAILURES_TOTAL,
        Unit::Count,
        "Failed deliveries to the Fluent receiver (retried)"
    );
}

-- The embedded BPMN engine's tables, the same on PostgreSQL and SQLite. Times are epoch
-- milliseconds (BIGINT); documents are JSON text. Every running instance is one row whose
-- `state` is the runtime's instance document; its work items live in their own tables so
-- workers and the job executor acquire them without reading instances.

CREATE TABLE engine_deployment (
    id          TEXT PRIMARY KEY,
    name        TEXT,
    source      TEXT,
    tenant_id   TEXT,
    deployed_at BIGINT NOT NULL
);

CREATE TABLE engine_resource (
    deployment_id TEXT NOT NULL REFERENCES engine_deployment (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    content       TEXT NOT NULL,
    hash          TEXT NOT NULL,
    PRIMARY KEY (deployment_id, name)
);

CREATE TABLE engine_definition (
    id            TEXT PRIMARY KEY,
    key           TEXT NOT NULL,
    version       INTEGER NOT NULL,
    name          TEXT,
    version_tag   TEXT,
    deployment_id TEXT NOT NULL REFERENCES engine_deployment (id) ON DELETE CASCADE,
    resource      TEXT NOT NULL,
    UNIQUE (key, version)
);

CREATE TABLE engine_instance (
    id                TEXT PRIMARY KEY,
    definition_id     TEXT NOT NULL,
    definition_key    TEXT NOT NULL,
    business_key      TEXT,
    super_instance_id TEXT,
    state             TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    ended_at          BIGINT,
    end_state         TEXT,
    start_activity_id TEXT,
    delete_reason     TEXT
);
CREATE INDEX engine_instance_business_key ON engine_instance (business_key);
CREATE INDEX engine_instance_definition ON engine_instance (definition_key, ended_at);

CREATE TABLE engine_external_task (
    id                   TEXT PRIMARY KEY,
    instance_id          TEXT NOT NULL,
    definition_id        TEXT NOT NULL,
    definition_key       TEXT NOT NULL,
    business_key         TEXT,
    topic                TEXT NOT NULL,
    priority             BIGINT NOT NULL,
    activity_id          TEXT NOT NULL,
    activity_instance_id TEXT NOT NULL,
    execution_id         TEXT NOT NULL,
    properties           TEXT NOT NULL,
    worker_id            TEXT,
    lock_expires_at      BIGINT,
    retries              INTEGER,
    error_message        TEXT,
    error_details        TEXT,
    available_at         BIGINT NOT NULL,
    created_at           BIGINT NOT NULL
);
CREATE INDEX engine_external_task_fetch ON engine_external_task (topic, available_at);
CREATE INDEX engine_external_task_instance ON engine_external_task (instance_id);

CREATE TABLE engine_user_task (
    id                   TEXT PRIMARY KEY,
    instance_id          TEXT NOT NULL,
    definition_id        TEXT NOT NULL,
    business_key         TEXT,
    name                 TEXT,
    activity_id          TEXT NOT NULL,
    activity_instance_id TEXT NOT NULL,
    execution_id         TEXT NOT NULL,
    assignee             TEXT,
    candidate_groups     TEXT,
    form_key             TEXT,
    created_at           BIGINT NOT NULL
);
CREATE INDEX engine_user_task_instance ON engine_user_task (instance_id);

-- Timers (kind 'timer', 'start-timer') and the engine's own deferred work between instances
-- ('call-start', 'call-result', 'cancel'), written in the transaction that caused them.
CREATE TABLE engine_job (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    instance_id   TEXT,
    definition_id TEXT,
    due_at        BIGINT NOT NULL,
    activity_id   TEXT,
    target        TEXT,
    timer_kind    TEXT,
    schedule      TEXT,
    fired         INTEGER NOT NULL DEFAULT 0,
    payload       TEXT,
    locked_until  BIGINT,
    owner         TEXT,
    retries       INTEGER NOT NULL DEFAULT 3,
    error         TEXT
);
CREATE INDEX engine_job_due ON engine_job (due_at);
CREATE INDEX engine_job_instance ON engine_job (instance_id);

CREATE TABLE engine_subscription (
    id           TEXT PRIMARY KEY,
    instance_id  TEXT NOT NULL,
    message_name TEXT NOT NULL,
    activity_id  TEXT NOT NULL,
    target       TEXT NOT NULL,
    business_key TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX engine_subscription_name ON engine_subscription (message_name);
CREATE INDEX engine_subscription_instance ON engine_subscription (instance_id);

CREATE TABLE engine_incident (
    id            TEXT PRIMARY KEY,
    instance_id   TEXT NOT NULL,
    definition_id TEXT NOT NULL,
    execution_id  TEXT NOT NULL,
    activity_id   TEXT NOT NULL,
    kind          TEXT NOT NULL,
    message       TEXT NOT NULL,
    configuration TEXT,
    created_at    BIGINT NOT NULL,
    resolved_at   BIGINT
);
CREATE INDEX engine_incident_instance ON engine_incident (instance_id);

CREATE TABLE engine_activity_history (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL,
    definition_id      TEXT NOT NULL,
    definition_key     TEXT NOT NULL,
    parent_id          TEXT NOT NULL,
    activity_id        TEXT NOT NULL,
    activity_name      TEXT,
    activity_type      TEXT NOT NULL,
    execution_id       TEXT NOT NULL,
    task_id            TEXT,
    called_instance_id TEXT,
    started_at         BIGINT NOT NULL,
    ended_at           BIGINT,
    canceled           BOOLEAN NOT NULL DEFAULT FALSE,
    -- the order activities started in within one millisecond: started_at * 10000 + position
    seq                BIGINT NOT NULL
);
CREATE INDEX engine_activity_history_instance ON engine_activity_history (instance_id, seq);

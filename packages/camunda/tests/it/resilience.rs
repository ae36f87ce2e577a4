//! Retries, the circuit breaker, timeouts and authentication.

use std::time::Duration;

use crate::support::{Loopback, client, config};
use axum::http::Method;
use carpetti_camunda::{
    Auth, BreakerConfig, BreakerState, CamundaClient, CamundaError, ClientConfig, SecretString,
    StartRequest,
};

#[tokio::test]
async fn server_errors_are_retried_then_the_breaker_opens() {
    let lb = Loopback::start().await;
    let c = CamundaClient::new(config(&lb).with_breaker(BreakerConfig {
        failure_threshold: 3,
        open_for: Duration::from_secs(60),
    }))
    .expect("client");
    lb.fail(Method::GET, "process-definition/key/order", 500, None);

    match c.process_definition_by_key("order").await.expect_err("500") {
        CamundaError::Engine {
            status,
            kind,
            message,
            code,
        } => {
            assert_eq!(
                (status, kind.as_str(), message.as_str(), code),
                (500, "ProcessEngineException", "injected fault", Some(0))
            );
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        lb.requests(Method::GET, "process-definition/key/order")
            .len(),
        3,
        "3 attempts"
    );
    assert_eq!(c.breaker_state(), BreakerState::Open);

    let refused = c.engines().await.expect_err("breaker open");
    assert!(
        matches!(refused, CamundaError::CircuitOpen(_)),
        "{refused:?}"
    );
    assert!(
        lb.requests(Method::GET, "engine").is_empty(),
        "nothing sent while open"
    );
    let clone = c.clone();
    assert!(
        matches!(clone.engines().await, Err(CamundaError::CircuitOpen(_))),
        "clones share it"
    );
}

#[tokio::test]
async fn only_idempotent_calls_are_retried() {
    let lb = Loopback::start().await;
    let c = client(&lb);
    lb.fail(
        Method::POST,
        "process-definition/key/order/start",
        500,
        None,
    );
    let error = c
        .start_process_by_key("order", &StartRequest::default())
        .await
        .expect_err("500");
    assert_eq!(error.status(), Some(500));
    assert_eq!(
        lb.requests(Method::POST, "process-definition/key/order/start")
            .len(),
        1
    );

    lb.fail(Method::POST, "external-task/fetchAndLock", 503, Some(2));
    let request = carpetti_camunda::FetchAndLock {
        worker_id: "w".into(),
        max_tasks: 1,
        topics: vec![carpetti_camunda::FetchTopic::new(
            "t",
            Duration::from_secs(1),
        )],
        ..Default::default()
    };
    assert!(
        c.fetch_and_lock(&request)
            .await
            .expect("third attempt")
            .is_empty()
    );
    assert_eq!(
        lb.requests(Method::POST, "external-task/fetchAndLock")
            .len(),
        3
    );

    lb.fail(Method::GET, "engine", 400, None);
    assert_eq!(c.engines().await.expect_err("400").status(), Some(400));
    assert_eq!(
        lb.requests(Method::GET, "engine").len(),
        1,
        "4xx is not retried"
    );
}

#[tokio::test]
async fn a_silent_engine_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hold = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket); // accepted, never answered
        }
    });
    let config = ClientConfig::new(&format!("http://{addr}/engine-rest"))
        .expect("url")
        .with_request_timeout(Duration::from_millis(100))
        .with_retry(carpetti_camunda::RetryConfig {
            max_attempts: 2,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(1),
        });
    let c = CamundaClient::new(config).expect("client");
    let error = c.engines().await.expect_err("timeout");
    assert!(matches!(error, CamundaError::Timeout(_)), "{error:?}");
    assert!(error.is_unavailability());
    hold.abort();
}

#[tokio::test]
async fn basic_auth_is_sent_on_every_call() {
    let lb = Loopback::start().await;
    lb.require_authorization("Basic ZGVtbzpzM2NyZXQ=");
    let authed = CamundaClient::new(config(&lb).with_auth(Auth::Basic {
        user: "demo".into(),
        password: SecretString::from("s3cret"),
    }))
    .expect("client");
    authed.engines().await.expect("authorized");
    authed
        .start_process_by_key("order", &StartRequest::default())
        .await
        .expect("authorized post");
    let sent = &lb.requests(Method::GET, "engine")[0];
    assert_eq!(
        sent.authorization.as_deref(),
        Some("Basic ZGVtbzpzM2NyZXQ=")
    );
    let posted = &lb.requests(Method::POST, "process-definition/key/order/start")[0];
    assert_eq!(
        posted.authorization.as_deref(),
        Some("Basic ZGVtbzpzM2NyZXQ=")
    );

    let anonymous = client(&lb);
    assert_eq!(
        anonymous.engines().await.expect_err("401").status(),
        Some(401)
    );
}

#[tokio::test]
async fn bearer_tokens_are_sent() {
    let lb = Loopback::start().await;
    lb.require_authorization("Bearer tok-123");
    let c = CamundaClient::new(config(&lb).with_auth(Auth::Bearer(SecretString::from("tok-123"))))
        .expect("client");
    assert_eq!(c.engines().await.expect("authorized")[0].name, "default");
    let sent = &lb.requests(Method::GET, "engine")[0];
    assert_eq!(sent.authorization.as_deref(), Some("Bearer tok-123"));
}

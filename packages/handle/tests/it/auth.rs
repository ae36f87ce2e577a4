//! Service-to-service JWTs end to end: a real tonic server (GrpcServer with service auth and the
//! Whoami service) on 127.0.0.1:0, called with tokens made by the client interceptor or forged.

use std::time::Duration;

use carpetti_handle::auth::{
    AuthError, Claims, SigningKeyConfig, TokenIssuer, VerificationKeyConfig, Verifier,
    generate_key_pair,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::ExposeSecret;
use tonic::Code;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;

use crate::auth_service::{AuthServer, call_with, call_with_header};
use crate::{BoxError, TestResult};

fn keys(kid: &str) -> Result<(SigningKeyConfig, VerificationKeyConfig), BoxError> {
    Ok(generate_key_pair(kid)?)
}

/// Signs `claims` with `key` under `kid`, the way a forger or a stale client would.
fn forge(key: &SigningKeyConfig, kid: &str, claims: &Claims) -> Result<String, BoxError> {
    let encoding = EncodingKey::from_ed_pem(key.private_key_pem.expose_secret().as_bytes())?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(kid.to_owned());
    Ok(jsonwebtoken::encode(&header, &claims, &encoding)?)
}

fn claims(iss: &str, aud: &str, iat: u64, exp: u64) -> Claims {
    Claims {
        iss: iss.to_owned(),
        aud: aud.to_owned(),
        sub: iss.to_owned(),
        iat,
        exp,
        jti: uuid::Uuid::now_v7().to_string(),
    }
}

fn assert_unauthenticated(result: Result<String, tonic::Status>, reason: &str) {
    match result {
        Err(status) => {
            assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
            assert!(
                status.message().contains(reason),
                "message `{}` should say `{reason}`",
                status.message()
            );
        }
        Ok(caller) => panic!("call accepted as {caller}, expected UNAUTHENTICATED ({reason})"),
    }
}

#[tokio::test]
async fn a_valid_token_passes_and_the_handler_sees_the_caller() -> TestResult {
    let (signing, verifying) = keys("k1")?;
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let issuer = TokenIssuer::new("process", &signing)?;
    let caller = call_with(server.channel().await?, issuer.interceptor("persist")).await?;
    assert_eq!(caller, "process");
    server.stop().await
}

#[tokio::test]
async fn calls_without_a_token_or_with_a_bad_header_are_unauthenticated() -> TestResult {
    let (_, verifying) = keys("k1")?;
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let channel = server.channel().await?;
    assert_unauthenticated(call_with_header(channel.clone(), None).await, "missing");
    assert_unauthenticated(
        call_with_header(channel.clone(), Some("Basic cHJvY2Vzczp4")).await,
        "Bearer",
    );
    assert_unauthenticated(
        call_with_header(channel, Some("Bearer not.a.jwt")).await,
        "malformed",
    );
    server.stop().await
}

#[tokio::test]
async fn a_forged_token_signed_with_another_key_is_unauthenticated() -> TestResult {
    let (_, verifying) = keys("k1")?;
    // Same key id, different key: only the signature can tell.
    let (forger, _) = keys("k1")?;
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let now = jsonwebtoken::get_current_timestamp();
    let token = forge(&forger, "k1", &claims("process", "persist", now, now + 60))?;
    let result = call_with_header(server.channel().await?, Some(&format!("Bearer {token}"))).await;
    if let Err(status) = &result {
        assert!(
            !status.message().contains(&token),
            "the token must not be echoed"
        );
    }
    assert_unauthenticated(result, "signature is invalid");

    let issuer = TokenIssuer::new("process", &forger)?;
    assert_unauthenticated(
        call_with(server.channel().await?, issuer.interceptor("persist")).await,
        "signature is invalid",
    );
    server.stop().await
}

#[tokio::test]
async fn an_expired_token_is_unauthenticated() -> TestResult {
    let (signing, verifying) = keys("k1")?;
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let now = jsonwebtoken::get_current_timestamp();
    // Expired 30 s ago: well past the 5 s leeway.
    let token = forge(
        &signing,
        "k1",
        &claims("process", "persist", now - 90, now - 30),
    )?;
    assert_unauthenticated(
        call_with_header(server.channel().await?, Some(&format!("Bearer {token}"))).await,
        "expired",
    );
    // Within the leeway (expired 1 s ago) it is still accepted.
    let token = forge(
        &signing,
        "k1",
        &claims("process", "persist", now - 61, now - 1),
    )?;
    let caller =
        call_with_header(server.channel().await?, Some(&format!("Bearer {token}"))).await?;
    assert_eq!(caller, "process");
    server.stop().await
}

#[tokio::test]
async fn wrong_audience_unknown_kid_and_overlong_tokens_are_unauthenticated() -> TestResult {
    let (signing, verifying) = keys("k1")?;
    let (other, _) = keys("k9")?;
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let channel = server.channel().await?;

    let issuer = TokenIssuer::new("process", &signing)?;
    assert_unauthenticated(
        call_with(channel.clone(), issuer.interceptor("file")).await,
        "audience is not `persist`",
    );
    let stranger = TokenIssuer::new("process", &other)?;
    assert_unauthenticated(
        call_with(channel.clone(), stranger.interceptor("persist")).await,
        "key id `k9` is unknown",
    );
    let now = jsonwebtoken::get_current_timestamp();
    let token = forge(
        &signing,
        "k1",
        &claims("process", "persist", now, now + 86_400),
    )?;
    assert_unauthenticated(
        call_with_header(channel, Some(&format!("Bearer {token}"))).await,
        "lifetime",
    );
    server.stop().await
}

#[tokio::test]
async fn a_key_limited_to_some_issuers_refuses_the_others() -> TestResult {
    let (signing, mut verifying) = keys("k1")?;
    verifying.issuers = vec!["process".to_owned()];
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let channel = server.channel().await?;
    let process = TokenIssuer::new("process", &signing)?;
    assert_eq!(
        call_with(channel.clone(), process.interceptor("persist")).await?,
        "process"
    );
    let crm = TokenIssuer::new("crm", &signing)?;
    assert_unauthenticated(
        call_with(channel, crm.interceptor("persist")).await,
        "may not sign for issuer `crm`",
    );
    server.stop().await
}

#[tokio::test]
async fn rotation_accepts_both_keys_then_only_the_new_one() -> TestResult {
    let (old_signing, old_verifying) = keys("2026-01")?;
    let (new_signing, new_verifying) = keys("2026-02")?;
    let verifier = Verifier::new("persist", &[old_verifying, new_verifying.clone()])?;
    let server = AuthServer::start(verifier.clone()).await?;
    let channel = server.channel().await?;
    let old = TokenIssuer::new("process", &old_signing)?;
    let new = TokenIssuer::new("mp", &new_signing)?;

    assert_eq!(
        call_with(channel.clone(), old.interceptor("persist")).await?,
        "process"
    );
    assert_eq!(
        call_with(channel.clone(), new.interceptor("persist")).await?,
        "mp"
    );

    // The old key is retired while serving: its (still cached, unexpired) token is refused.
    verifier.replace_keys(&[new_verifying])?;
    assert_eq!(verifier.key_ids(), vec!["2026-02".to_owned()]);
    assert_unauthenticated(
        call_with(channel.clone(), old.interceptor("persist")).await,
        "key id `2026-01` is unknown",
    );
    assert_eq!(call_with(channel, new.interceptor("persist")).await?, "mp");
    server.stop().await
}

#[tokio::test]
async fn health_and_reflection_stay_open_without_a_token() -> TestResult {
    use tonic_reflection::pb::v1;
    let (_, verifying) = keys("k1")?;
    let server = AuthServer::start(Verifier::new("persist", &[verifying])?).await?;
    let channel = server.channel().await?;

    let mut health = HealthClient::new(channel.clone());
    let status = health
        .check(HealthCheckRequest {
            service: "carpetti.it.v1.Whoami".to_owned(),
        })
        .await?
        .into_inner()
        .status;
    assert_eq!(status, ServingStatus::Serving as i32);

    let mut reflection = v1::server_reflection_client::ServerReflectionClient::new(channel);
    let request = v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(v1::server_reflection_request::MessageRequest::ListServices(
            String::new(),
        )),
    };
    let mut stream = reflection
        .server_reflection_info(tokio_stream::once(request))
        .await?
        .into_inner();
    let response = stream.message().await?.ok_or("no reflection answer")?;
    let listed = matches!(
        response.message_response,
        Some(v1::server_reflection_response::MessageResponse::ListServicesResponse(ref list))
            if list.service.iter().any(|s| s.name == "grpc.health.v1.Health")
    );
    assert!(listed, "{response:?}");
    drop(stream);
    server.stop().await
}

#[tokio::test]
async fn issued_tokens_carry_the_claims_and_are_cached_per_audience() -> TestResult {
    let (signing, verifying) = keys("k1")?;
    let issuer = TokenIssuer::new("process", &signing)?.with_subject("process-1");
    let first = issuer.token("persist")?;
    let again = issuer.token("persist")?;
    assert_eq!(
        first.expose_secret(),
        again.expose_secret(),
        "cached while fresh"
    );
    let other = issuer.token("file")?;
    assert_ne!(first.expose_secret(), other.expose_secret());

    let header = jsonwebtoken::decode_header(first.expose_secret())?;
    assert_eq!(header.alg, Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), Some("k1"));
    let claims: Claims = jsonwebtoken::dangerous::insecure_decode(first.expose_secret())?.claims;
    assert_eq!(claims.iss, "process");
    assert_eq!(claims.aud, "persist");
    assert_eq!(claims.sub, "process-1");
    assert_eq!(claims.exp - claims.iat, 60);
    assert!(uuid::Uuid::parse_str(&claims.jti).is_ok());

    let caller = Verifier::new("persist", &[verifying])?.verify(first.expose_secret())?;
    assert_eq!(caller.service, "process");
    assert_eq!(caller.subject, "process-1");
    assert_eq!(caller.key_id, "k1");
    assert_eq!(caller.token_id, claims.jti);

    let short = TokenIssuer::new("process", &signing)?.with_ttl(Duration::from_secs(2))?;
    let claims: Claims =
        jsonwebtoken::dangerous::insecure_decode(short.token("persist")?.expose_secret())?.claims;
    assert_eq!(claims.exp - claims.iat, 2);
    Ok(())
}

#[tokio::test]
async fn bad_key_configuration_is_refused_without_revealing_the_key() -> TestResult {
    let (signing, verifying) = keys("k1")?;
    assert!(matches!(
        Verifier::new("persist", &[]),
        Err(AuthError::NoKeys)
    ));
    assert!(matches!(
        Verifier::new("persist", &[verifying.clone(), verifying.clone()]),
        Err(AuthError::DuplicateKeyId(kid)) if kid == "k1"
    ));
    let mut broken = verifying;
    broken.public_key_pem = broken.public_key_pem.replace('A', "B");
    let refused = Verifier::new("persist", &[broken]).map(|_| ());
    assert!(
        matches!(refused, Err(AuthError::Key { ref kid, .. }) if kid == "k1"),
        "{refused:?}"
    );

    let mut truncated = signing.clone();
    let pem = signing.private_key_pem.expose_secret();
    truncated.private_key_pem = pem[..pem.len() / 2].into();
    let error = TokenIssuer::new("process", &truncated).map(|_| ());
    let message = format!("{error:?}");
    assert!(matches!(error, Err(AuthError::Key { .. })), "{message}");
    assert!(
        !message.contains(&pem[40..70]),
        "the key must not appear in errors"
    );
    assert!(
        !format!("{signing:?}").contains(&pem[40..70]),
        "nor in Debug"
    );

    let ttl = TokenIssuer::new("process", &signing)?.with_ttl(Duration::from_secs(1));
    assert!(matches!(ttl, Err(AuthError::Lifetime(_))));
    Ok(())
}

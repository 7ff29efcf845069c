//! Session token verification against a live Roster: claims, every refusal as its typed error, the JWKS cache
//! across a key rotation (refetch on an unknown kid, single-flight, bounded).

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use roster_client::tokens::{JwksCache, TokenError, Validation, Verifier, VerifyError};
use roster_client::SessionClaims;
use roster_testkit::json::str_of;
use roster_testkit::TestApp;
use serde_json::json;

use crate::support::Roster;

/// A session of `user` with `org` active; returns its id.
pub async fn session_in(app: &TestApp, user: &str, org: Option<&str>) -> String {
    let r = app.post("/sessions", json!({"user_id": user, "active_organization_id": org})).await;
    str_of(r.ok(), "id")
}

/// A session token for `session`, valid for `lifetime` seconds.
pub async fn token_for(app: &TestApp, session: &str, lifetime: u64) -> String {
    let r = app.post(&format!("/sessions/{session}/tokens"), json!({"expires_in_seconds": lifetime})).await;
    assert_eq!(r.ok()["object"], "token");
    str_of(r.ok(), "jwt")
}

/// A token of a fresh user without an active organization.
pub async fn user_token(app: &TestApp, email: &str) -> String {
    let user = app.user_with_email(email).await;
    let session = session_in(app, &user, None).await;
    token_for(app, &session, 60).await
}

/// A custom role `key` holding new permissions `permissions`; returns nothing (the key is what memberships use).
pub async fn custom_role(app: &TestApp, key: &str, permissions: &[&str]) {
    let mut ids = Vec::new();
    for p in permissions {
        let r = app.post("/organization_permissions", json!({"name": p, "key": p})).await;
        ids.push(str_of(r.ok(), "id"));
    }
    app.post("/organization_roles", json!({"name": key, "key": key, "permissions": ids})).await.ok();
}

fn kid(jwt: &str) -> String {
    roster_jwt::decode_unverified(jwt).expect("a JWT").0.kid.expect("a kid")
}

#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: Result<T, TokenError>, check: impl FnOnce(&VerifyError) -> bool) {
    match &result {
        Err(TokenError::Invalid(e)) if check(e) => {}
        other => panic!("unexpected outcome: {other:?}"),
    }
}

#[tokio::test]
async fn a_fresh_token_verifies_and_its_claims_are_the_session_s() {
    let r = Roster::spawn().await;
    let owner = r.user("owner@example.com", "Olive", None).await;
    let member = r.user("member@example.com", "Mallory", None).await;
    let org = r.org("Acme", Some(&owner)).await;
    custom_role(&r.app, "org:accountant", &["org:invoices:read"]).await;
    r.add(&org, &member, "org:accountant").await;
    let session = session_in(&r.app, &member, Some(&org)).await;
    let jwt = token_for(&r.app, &session, 60).await;

    let verifier = Verifier::from_client(&r.clerk).issuer("https://clerk.roster.local");
    assert!(verifier.verify_cached(&jwt).is_err(), "nothing is cached before the first fetch");
    let claims: SessionClaims = verifier.verify_token(&jwt).await.expect("verifies");
    assert_eq!((claims.user_id(), claims.session_id()), (member.as_str(), session.as_str()));
    assert_eq!(claims.org_id(), Some(org.as_str()));
    assert_eq!(claims.org_role().as_deref(), Some("org:accountant"));
    assert!(claims.has_role("org:accountant") && !claims.has_role("org:admin"));
    assert!(claims.has_permission("org:invoices:read") && claims.has_feature("invoices"));
    assert!(!claims.has_permission("org:invoices:write") && !claims.has_permission("org:sys_memberships:manage"));
    // Warm now: the sync fast path gives the same claims, and nothing more was fetched.
    assert_eq!(verifier.verify_cached(&jwt).unwrap(), claims);
    assert_eq!(verifier.cache().fetch_count(), 1);
    assert!(verifier.cache().contains(&kid(&jwt)));

    // The owner, an admin: system permissions, no custom ones.
    let owner_session = session_in(&r.app, &owner, Some(&org)).await;
    let admin = verifier.verify_token(&token_for(&r.app, &owner_session, 60).await).await.unwrap();
    assert!(admin.has_role("org:admin") && admin.has_permission("org:sys_memberships:manage"));
    assert!(!admin.has_permission("org:invoices:read"));
    assert_eq!(verifier.cache().fetch_count(), 1);
}

#[tokio::test]
async fn tampered_expired_and_early_tokens_are_refused_with_their_reason() {
    let r = Roster::spawn().await;
    let verifier = Verifier::from_client(&r.clerk);
    let jwt = user_token(&r.app, "a@example.com").await;
    let other = user_token(&r.app, "b@example.com").await;
    verifier.verify_token(&jwt).await.unwrap();
    verifier.verify_token(&other).await.unwrap();

    // Another user's claims under this token's signature; a flipped signature byte.
    let parts: Vec<&str> = jwt.split('.').collect();
    let spliced = format!("{}.{}.{}", parts[0], other.split('.').nth(1).unwrap(), parts[2]);
    assert_invalid(verifier.verify_token(&spliced).await, |e| *e == VerifyError::BadSignature);
    let mut signature = parts[2].as_bytes().to_vec();
    signature[10] = if signature[10] == b'A' { b'B' } else { b'A' };
    let flipped = format!("{}.{}.{}", parts[0], parts[1], String::from_utf8(signature).unwrap());
    assert_invalid(verifier.verify_token(&flipped).await, |e| *e == VerifyError::BadSignature);
    assert_invalid(verifier.verify_token("not.a.jwt").await, |e| matches!(e, VerifyError::Malformed(_)));
    assert_invalid(verifier.verify_token("").await, |e| matches!(e, VerifyError::Malformed(_)));
    assert_eq!(verifier.cache().fetch_count(), 1, "invalid tokens of a known key fetch nothing");

    // A 30 s token, verified as of a minute later, and as of a minute earlier.
    let user = r.app.user_with_email("c@example.com").await;
    let short = token_for(&r.app, &session_in(&r.app, &user, None).await, 30).await;
    let at = |t: SystemTime| Validation { now: Some(t), ..verifier.validation().clone() };
    let later = verifier.verify_with::<SessionClaims>(&short, &at(SystemTime::now() + Duration::from_secs(60))).await;
    assert_invalid(later, |e| matches!(e, VerifyError::Expired { .. }));
    let err = verifier.clone().with_validation(at(SystemTime::now() + Duration::from_secs(60)));
    let err = err.verify_token(&short).await.unwrap_err();
    assert!(err.is_expired() && err.reason() == "token-expired", "{err:?}");
    let earlier =
        verifier.verify_cached_with::<SessionClaims>(&short, &at(SystemTime::now() - Duration::from_secs(60)));
    assert_invalid(earlier, |e| matches!(e, VerifyError::NotYetValid { .. }));
    // Within the leeway it still verifies.
    verifier.verify_with::<SessionClaims>(&short, &at(SystemTime::now() + Duration::from_secs(31))).await.unwrap();
}

#[tokio::test]
async fn issuer_and_authorized_party_are_checked() {
    let mut config = roster_server::Config::default();
    config.tokens.authorized_party = Some("https://app.example.com".into());
    let app = TestApp::spawn_with(config).await;
    let jwt = user_token(&app, "a@example.com").await;
    let cache = Arc::new(JwksCache::new(&app.base, &app.key).unwrap());

    let right = Verifier::with_cache(cache.clone())
        .issuer("https://clerk.roster.local")
        .authorized_parties(["https://other.example.com", "https://app.example.com"]);
    assert_eq!(right.verify_token(&jwt).await.unwrap().azp.as_deref(), Some("https://app.example.com"));

    let issuer = Verifier::with_cache(cache.clone()).issuer("https://auth.example.com");
    let e = issuer.verify_token(&jwt).await.unwrap_err();
    assert!(
        matches!(&e, TokenError::Invalid(VerifyError::WrongIssuer { found: Some(f), .. }) if f == "https://clerk.roster.local")
    );
    assert_eq!(e.reason(), "token-invalid");

    let party = Verifier::with_cache(cache.clone()).authorized_parties(["https://other.example.com"]);
    let e = party.verify_token(&jwt).await.unwrap_err();
    assert!(matches!(&e, TokenError::Invalid(VerifyError::UnauthorizedParty(p)) if p == "https://app.example.com"));
    assert_eq!(e.reason(), "token-invalid-authorized-parties");
    assert_eq!(cache.fetch_count(), 1, "three verifiers, one cache, one fetch");
}

#[tokio::test]
async fn a_token_of_another_roster_is_signed_by_an_unknown_key_even_after_a_refetch() {
    let (ours, theirs) = (Roster::spawn().await, Roster::spawn().await);
    let foreign = user_token(&theirs.app, "a@example.com").await;
    let cache = JwksCache::from_client(&ours.clerk).with_min_refetch_interval(Duration::ZERO);
    let verifier = Verifier::with_cache(cache);
    verifier.warm().await.unwrap();
    assert_eq!(verifier.cache().fetch_count(), 1);

    let e = verifier.verify_token(&foreign).await.unwrap_err();
    assert!(matches!(&e, TokenError::Invalid(VerifyError::UnknownKey(k)) if *k == kid(&foreign)), "{e:?}");
    assert_eq!(e.reason(), "jwk-remote-missing");
    assert_eq!(verifier.cache().fetch_count(), 2, "the unknown kid was looked for once more");
    // The other Roster's own verifier accepts it.
    Verifier::from_client(&theirs.clerk).verify_token(&foreign).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_kids_refetch_at_most_once_per_interval() {
    let (ours, theirs) = (Roster::spawn().await, Roster::spawn().await);
    let foreign = Arc::new(user_token(&theirs.app, "a@example.com").await);
    let interval = Duration::from_millis(400);
    let verifier =
        Arc::new(Verifier::with_cache(JwksCache::from_client(&ours.clerk).with_min_refetch_interval(interval)));
    verifier.warm().await.unwrap();

    let flood = |n: usize| {
        let (verifier, foreign) = (verifier.clone(), foreign.clone());
        futures::future::join_all((0..n).map(move |_| {
            let (verifier, foreign) = (verifier.clone(), foreign.clone());
            tokio::spawn(async move { verifier.verify_token(&foreign).await })
        }))
    };
    // Right after the warm-up fetch: no refetch at all.
    for outcome in flood(50).await {
        assert!(matches!(outcome.unwrap(), Err(TokenError::Invalid(VerifyError::UnknownKey(_)))));
    }
    assert_eq!(verifier.cache().fetch_count(), 1);
    // After the interval: one refetch for the whole flood.
    tokio::time::sleep(interval + Duration::from_millis(100)).await;
    for outcome in flood(50).await {
        assert!(matches!(outcome.unwrap(), Err(TokenError::Invalid(VerifyError::UnknownKey(_)))));
    }
    assert_eq!(verifier.cache().fetch_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_rotation_the_new_key_is_fetched_once_for_all_concurrent_verifications() {
    let r = Roster::spawn().await;
    let user = r.user("a@example.com", "Ann", None).await;
    let session = session_in(&r.app, &user, None).await;
    let before = token_for(&r.app, &session, 60).await;
    let verifier =
        Arc::new(Verifier::with_cache(JwksCache::from_client(&r.clerk).with_min_refetch_interval(Duration::ZERO)));
    verifier.verify_token(&before).await.unwrap();
    assert_eq!(verifier.cache().fetch_count(), 1);

    r.app.post("/jwks/rotate", json!({"grace_period_seconds": 0, "retain_seconds": 3600})).await.ok();
    let after = Arc::new(token_for(&r.app, &session, 60).await);
    assert_ne!(kid(&after), kid(&before), "the new key signs at once");
    assert!(!verifier.cache().contains(&kid(&after)));
    let e = verifier.verify_cached(&after).unwrap_err();
    assert!(matches!(e, TokenError::Invalid(VerifyError::UnknownKey(_))), "the fast path never fetches: {e:?}");

    let tasks = (0..64).map(|_| {
        let (verifier, after) = (verifier.clone(), after.clone());
        tokio::spawn(async move { verifier.verify_token(&after).await })
    });
    for outcome in futures::future::join_all(tasks).await {
        assert_eq!(outcome.unwrap().expect("verifies after the refetch").user_id(), user);
    }
    assert_eq!(verifier.cache().fetch_count(), 2, "one refetch for 64 verifications");
    // Both keys are held: the old token still verifies, on the fast path.
    verifier.verify_cached(&before).unwrap();
    verifier.verify_cached(&after).unwrap();
    assert_eq!(verifier.cache().jwks().keys.len(), 2);
}

#[tokio::test]
async fn stale_keys_are_refetched_and_fetch_failures_are_typed() {
    let r = Roster::spawn().await;
    let jwt = user_token(&r.app, "a@example.com").await;
    let verifier = Verifier::with_cache(JwksCache::from_client(&r.clerk).with_ttl(Duration::from_millis(200)));
    verifier.verify_token(&jwt).await.unwrap();
    verifier.verify_token(&jwt).await.unwrap();
    assert_eq!(verifier.cache().fetch_count(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    verifier.verify_token(&jwt).await.unwrap();
    assert_eq!(verifier.cache().fetch_count(), 2, "past the TTL the keys are fetched again");

    // A wrong secret key: the JWKS cannot be fetched, and the error says so (once per interval).
    let bad = Verifier::from_client(&r.bad_key());
    let e = bad.verify_token(&jwt).await.unwrap_err();
    match &e {
        TokenError::JwksFetch(source) => assert_eq!(source.status(), Some(401), "{source:?}"),
        other => panic!("expected a fetch error, got {other:?}"),
    }
    assert_eq!(e.reason(), "jwk-remote-failed-to-load");
    assert!(matches!(bad.verify_token(&jwt).await, Err(TokenError::JwksFetch(_))));
    assert_eq!(bad.cache().fetch_count(), 1, "a failed fetch is not retried within the interval");

    // Fixed keys: verification without the network.
    let offline = Verifier::with_cache(JwksCache::from_jwks(verifier.cache().jwks()));
    offline.verify_token(&jwt).await.unwrap();
    assert_eq!(offline.cache().fetch_count(), 0);
}

/// The README's "Protect your app" shows the two example files the tests run, verbatim.
#[test]
fn the_readme_shows_the_tested_examples_verbatim() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let section = readme.split("## Protect your app").nth(1).expect("the section").split("\n## ").next().unwrap();
    let rust = std::fs::read_to_string(format!("{root}/crates/roster-client/examples/protect_your_app.rs")).unwrap();
    let rust = &rust[rust.find("use std::sync::Arc;").unwrap()..];
    assert!(section.contains(rust.trim_end()), "README's Rust example differs from examples/protect_your_app.rs");
    let node = std::fs::read_to_string(format!("{root}/compat/node/protect-your-app.mjs")).unwrap();
    assert!(section.contains(node.trim_end()), "README's Node example differs from compat/node/protect-your-app.mjs");
}

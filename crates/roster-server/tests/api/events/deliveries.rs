//! Deliveries to a real receiver: Clerk's body and Svix's headers and signatures, retries with the same
//! `svix-id` and a fresh timestamp, per-organization order while a receiver fails one organization's events,
//! the endpoint's type filter, disable and enable, delete, secret rotation, failure, recovery, automatic
//! disabling, the test request, and the endpoint API's errors.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{json, Value};

use roster_testkit::json::str_of;
use roster_testkit::receiver::Receiver;

use super::{app_with, endpoint, events_after, signed_with};

const FAST: [i64; 3] = [50, 50, 50];

/// The endpoint's attempts once `n` are recorded (a receiver has the request before the attempt is recorded).
async fn attempts_recorded(app: &roster_testkit::TestApp, id: &str, n: i64) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let attempts = app.get(&format!("/webhook_endpoints/{id}/attempts")).await.ok().clone();
        if attempts["total_count"].as_i64() >= Some(n) {
            assert_eq!(attempts["total_count"], n);
            return attempts;
        }
        assert!(std::time::Instant::now() < deadline, "{n} attempts were not recorded: {attempts}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
const NEVER: i64 = i64::MAX / 4;

#[tokio::test]
async fn deliveries_carry_the_event_in_clerks_body_signed_as_svix_signs() {
    let app = app_with(FAST.to_vec(), NEVER).await;
    let receiver = Receiver::start().await;
    let created = endpoint(&app, receiver.url(), &[]).await;
    let secret = str_of(&created, "secret");
    assert!(secret.starts_with("whsec_"));
    assert_eq!(created["object"], "webhook_endpoint");
    assert_eq!(created["disabled"], false);
    let id = str_of(&created, "id");
    let shown = app.get(&format!("/webhook_endpoints/{id}")).await.ok().clone();
    assert!(shown.get("secret").is_none(), "the secret is shown once: {shown}");
    let listed = app.get("/webhook_endpoints").await.ok().clone();
    assert_eq!(listed["total_count"], 1);
    assert!(listed["data"][0].get("secret").is_none());

    let org = app.org(json!({"name": "Acme"})).await;
    let user = app.user_with_email("ada@example.com").await;
    app.add_member(&org, &user, "org:admin").await;
    let got = receiver.wait_accepted(3).await;
    let events = events_after(&app, None).await;
    assert_eq!(got.len(), 3);
    for (delivery, event) in got.iter().zip(&events) {
        assert_eq!(delivery.svix_id, str_of(event, "id"), "svix-id is the event id");
        assert!(signed_with(
            &secret,
            &delivery.svix_id,
            delivery.svix_timestamp,
            &delivery.body,
            &delivery.svix_signature
        ));
        assert!(!signed_with(
            &secret,
            &delivery.svix_id,
            delivery.svix_timestamp + 1,
            &delivery.body,
            &delivery.svix_signature
        ));
        let now = roster_core::now_millis() / 1000;
        assert!((now - delivery.svix_timestamp).abs() < 60, "seconds, now");
        let body = &delivery.json;
        let keys: Vec<&str> = body.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["data", "object", "type", "timestamp", "instance_id"]);
        assert_eq!(body["object"], "event");
        assert_eq!(body["type"], event["type"]);
        assert_eq!(body["data"], event["data"]);
        assert_eq!(body["timestamp"], event["timestamp"]);
        assert_eq!(body["instance_id"], event["instance_id"]);
    }
    assert_eq!(got[2].json["data"], app.get(&format!("/organizations/{org}/memberships")).await.ok()["data"][0]);

    let attempts = attempts_recorded(&app, &id, 3).await;
    assert_eq!(attempts["data"][0]["status"], "succeeded");
    assert_eq!(attempts["data"][0]["response_status_code"], 200);
    assert_eq!(attempts["data"][0]["event_id"], events[2]["id"], "newest first");

    // The node's metrics count the attempts and the lag of each delivery.
    let origin = app.base.trim_end_matches("/v1").to_owned();
    let metrics = app.client.get(format!("{origin}/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.lines().any(|l| l == "roster_webhook_attempts_total{outcome=\"succeeded\"} 3"), "{metrics}");
    assert!(metrics.lines().any(|l| l == "roster_webhook_delivery_lag_seconds_count 3"), "{metrics}");
}

#[tokio::test]
async fn a_failed_delivery_is_retried_with_the_same_svix_id_and_a_fresh_signature() {
    let app = app_with(vec![300, 300, 300], NEVER).await;
    // The first two attempts of every message fail.
    let receiver = Receiver::with_rule(Box::new(|d, before| {
        if before.iter().filter(|b| b.svix_id == d.svix_id).count() < 2 {
            503
        } else {
            200
        }
    }))
    .await;
    let secret = str_of(&endpoint(&app, receiver.url(), &[]).await, "secret");
    app.user_with_email("ada@example.com").await;
    receiver.wait_accepted(1).await;
    let got = receiver.deliveries();
    assert_eq!(got.len(), 3, "two failures, then the success");
    assert!(got.iter().all(|d| d.svix_id == got[0].svix_id));
    assert!(got.iter().all(|d| signed_with(&secret, &d.svix_id, d.svix_timestamp, &d.body, &d.svix_signature)));
    assert!(got[2].received_at - got[0].received_at >= Duration::from_millis(550), "the schedule's waits");
    assert_eq!(got[0].body, got[2].body, "the same message");
    let endpoint_id = str_of(&app.get("/webhook_endpoints").await.ok()["data"][0], "id");
    let attempts = attempts_recorded(&app, &endpoint_id, 3).await;
    let statuses: Vec<(&str, i64, i64)> = attempts["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (a["status"].as_str().unwrap(), a["attempt"].as_i64().unwrap(), a["response_status_code"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(statuses, [("succeeded", 3, 200), ("failed", 2, 503), ("failed", 1, 503)]);
    assert!(attempts["data"][1]["error"].as_str().unwrap().contains("503"));
}

#[tokio::test]
async fn a_failing_organization_holds_back_its_own_later_events_only() {
    let app = app_with(vec![400, 400, 400, 400], NEVER).await;
    let stuck = app.org(json!({"name": "Stuck"})).await;
    let flowing = app.org(json!({"name": "Flowing"})).await;
    let receiver = Receiver::start().await;
    let stuck_id = stuck.clone();
    // Every delivery of the stuck organization fails its first three attempts.
    receiver.set_rule(Box::new(move |d, before| {
        let of_stuck = |x: &roster_testkit::receiver::Delivery| {
            x.json["data"]["organization"]["id"] == stuck_id.as_str() || x.json["data"]["id"] == stuck_id.as_str()
        };
        if of_stuck(d) && before.iter().filter(|b| b.svix_id == d.svix_id).count() < 3 {
            500
        } else {
            200
        }
    }));
    endpoint(&app, receiver.url(), &[]).await;
    let mut written: HashMap<&str, Vec<String>> = HashMap::new();
    for i in 0..4 {
        for org in [&stuck, &flowing] {
            let user = app.user_with_email(&format!("{i}-{org}@example.com")).await;
            app.add_member(org, &user, "org:member").await;
            written.entry(if *org == stuck { "stuck" } else { "flowing" }).or_default().push(user);
        }
    }
    let got = receiver
        .wait_until(Duration::from_secs(20), |got| {
            got.iter().filter(|d| d.status == 200 && d.event_type() == "organizationMembership.created").count() == 8
        })
        .await;
    let members = |org: &str| -> Vec<(String, usize)> {
        got.iter()
            .enumerate()
            .filter(|(_, d)| d.status == 200 && d.json["data"]["organization"]["id"] == org)
            .map(|(i, d)| (str_of(&d.json["data"]["public_user_data"], "user_id"), i))
            .collect()
    };
    let (stuck_got, flowing_got) = (members(&stuck), members(&flowing));
    let order = |v: &[(String, usize)]| v.iter().map(|(u, _)| u.clone()).collect::<Vec<_>>();
    assert_eq!(order(&stuck_got), written["stuck"], "the stuck organization's events in commit order");
    assert_eq!(order(&flowing_got), written["flowing"]);
    // Every flowing delivery arrived before the stuck organization's first membership got through.
    let flowing_done = flowing_got.iter().map(|(_, i)| *i).max().unwrap();
    assert!(flowing_done < stuck_got[0].1, "the other organization was not held back: {flowing_got:?} {stuck_got:?}");
    // None of the stuck organization's later events was tried while the first failed.
    let first = &got
        .iter()
        .find(|d| d.json["data"]["public_user_data"]["user_id"] == written["stuck"][0].as_str())
        .unwrap()
        .svix_id;
    let first_ok = got.iter().position(|d| &d.svix_id == first && d.status == 200).unwrap();
    for later in &written["stuck"][1..] {
        let tried = got.iter().position(|d| d.json["data"]["public_user_data"]["user_id"] == later.as_str()).unwrap();
        assert!(tried > first_ok, "a later event of the stuck organization went out before the first succeeded");
    }
}

#[tokio::test]
async fn type_filters_disable_enable_and_delete_take_effect() {
    let app = app_with(FAST.to_vec(), NEVER).await;
    let (orgs, all) = (Receiver::start().await, Receiver::start().await);
    let filtered = endpoint(&app, orgs.url(), &["organization.created"]).await;
    assert_eq!(filtered["event_types"], json!(["organization.created"]));
    let everything = str_of(&endpoint(&app, all.url(), &[]).await, "id");
    app.org(json!({"name": "One"})).await;
    app.user_with_email("a@example.com").await;
    all.wait_accepted(2).await;
    let only = orgs.wait_accepted(1).await;
    assert_eq!(only[0].event_type(), "organization.created");

    let disabled = app.patch(&format!("/webhook_endpoints/{everything}"), json!({"disabled": true})).await.ok().clone();
    assert_eq!((disabled["disabled"].clone(), disabled["disabled_reason"].clone()), (json!(true), json!("manual")));
    app.org(json!({"name": "Two"})).await;
    orgs.wait_accepted(2).await;
    assert_eq!(all.accepted().len(), 2, "nothing reaches a disabled endpoint");
    let enabled = app.patch(&format!("/webhook_endpoints/{everything}"), json!({"disabled": false})).await.ok().clone();
    assert_eq!(enabled["disabled_reason"], Value::Null);
    let resumed = all.wait_accepted(3).await;
    assert_eq!(resumed[2].json["data"]["name"], "Two", "enabling resumes where deliveries stopped");

    // Narrow the filter, then delete the endpoint.
    let filter = str_of(&filtered, "id");
    app.patch(&format!("/webhook_endpoints/{filter}"), json!({"event_types": ["user.created"]})).await.ok();
    app.org(json!({"name": "Three"})).await;
    app.user_with_email("b@example.com").await;
    let narrowed = orgs.wait_accepted(3).await;
    assert_eq!(narrowed[2].event_type(), "user.created");
    let deleted = app.delete(&format!("/webhook_endpoints/{filter}")).await.ok().clone();
    assert_eq!(deleted, json!({"object": "webhook_endpoint", "id": filter, "deleted": true}));
    app.get(&format!("/webhook_endpoints/{filter}")).await.err(404, "resource_not_found");
    app.user_with_email("c@example.com").await;
    all.wait_accepted(6).await;
    assert_eq!(orgs.deliveries().len(), 3, "a deleted endpoint gets nothing more");
}

#[tokio::test]
async fn a_rotated_secret_signs_at_once_beside_the_old_one() {
    let app = app_with(FAST.to_vec(), NEVER).await;
    let receiver = Receiver::start().await;
    let created = endpoint(&app, receiver.url(), &[]).await;
    let (id, old) = (str_of(&created, "id"), str_of(&created, "secret"));
    let rotated = app.post(&format!("/webhook_endpoints/{id}/rotate_secret"), json!({})).await.ok().clone();
    let new = str_of(&rotated, "secret");
    assert_ne!(new, old);
    app.user_with_email("a@example.com").await;
    let d = receiver.wait_accepted(1).await.remove(0);
    assert_eq!(d.svix_signature.split(' ').count(), 2, "{}", d.svix_signature);
    assert!(signed_with(&new, &d.svix_id, d.svix_timestamp, &d.body, &d.svix_signature));
    assert!(signed_with(&old, &d.svix_id, d.svix_timestamp, &d.body, &d.svix_signature), "the overlap");
    assert!(!signed_with(
        &roster_server::webhooks::new_secret(),
        &d.svix_id,
        d.svix_timestamp,
        &d.body,
        &d.svix_signature
    ));
}

#[tokio::test]
async fn exhausted_deliveries_fail_recover_on_request_and_a_failing_endpoint_is_disabled() {
    let app = app_with(vec![50], 600).await;
    let receiver = Receiver::with_rule(Box::new(|_, _| 500)).await;
    let id = str_of(&endpoint(&app, receiver.url(), &[]).await, "id");
    app.user_with_email("a@example.com").await;
    receiver.wait_until(Duration::from_secs(10), |got| got.len() == 2).await;
    attempts_recorded(&app, &id, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let attempts = app.get(&format!("/webhook_endpoints/{id}/attempts")).await.ok().clone();
    assert_eq!(attempts["total_count"], 2, "the first attempt and the schedule's one retry, then no more");
    assert_eq!(receiver.deliveries().len(), 2);

    receiver.set_rule(Box::new(|_, _| 200));
    let recovered = app.post(&format!("/webhook_endpoints/{id}/recover"), json!({})).await.ok().clone();
    assert_eq!(recovered, json!({"object": "webhook_recovery", "queued": 1}));
    let ok = receiver.wait_accepted(1).await;
    assert_eq!(ok[0].svix_id, receiver.deliveries()[0].svix_id, "the same message");

    // Failing for longer than disable_after (600 ms) with no success: disabled.
    receiver.set_rule(Box::new(|_, _| 500));
    for i in 0..6 {
        app.user_with_email(&format!("f{i}@example.com")).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let e = app.get(&format!("/webhook_endpoints/{id}")).await.ok().clone();
        if e["disabled"] == true {
            assert_eq!(e["disabled_reason"], "failing");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the failing endpoint was not disabled: {e}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_test_request_and_the_endpoint_apis_errors() {
    let app = app_with(FAST.to_vec(), NEVER).await;
    let receiver = Receiver::start().await;
    let created = endpoint(&app, receiver.url(), &[]).await;
    let (id, secret) = (str_of(&created, "id"), str_of(&created, "secret"));
    let tested = app.post(&format!("/webhook_endpoints/{id}/test"), json!({})).await.ok().clone();
    assert_eq!((tested["succeeded"].clone(), tested["response_status_code"].clone()), (json!(true), json!(200)));
    let d = receiver.wait_accepted(1).await.remove(0);
    assert_eq!(d.event_type(), "webhook.test");
    assert!(signed_with(&secret, &d.svix_id, d.svix_timestamp, &d.body, &d.svix_signature));

    app.post("/webhook_endpoints", json!({})).await.err(422, "form_param_missing");
    for url in ["ftp://example.com/hook", "not a url", "http://", "https://user:pw@example.com/"] {
        let r = app.post("/webhook_endpoints", json!({"url": url})).await;
        assert_eq!(r.err(422, "form_param_format_invalid")["meta"]["param_name"], "url", "{url}");
    }
    let r = app.post("/webhook_endpoints", json!({"url": receiver.url(), "event_types": ["user.exploded"]})).await;
    r.err(422, "form_param_value_invalid");
    app.post("/webhook_endpoints", json!({"url": receiver.url(), "secret": "whsec_short"}))
        .await
        .err(422, "form_param_value_invalid");
    app.post("/webhook_endpoints", json!({"url": receiver.url(), "colour": "red"}))
        .await
        .err(422, "form_param_unknown");
    app.patch(&format!("/webhook_endpoints/{id}"), json!({"secret": secret})).await.err(422, "form_param_unknown");
    app.get("/webhook_endpoints/whe_missing").await.err(404, "resource_not_found");
    app.post("/webhook_endpoints/whe_missing/rotate_secret", json!({})).await.err(404, "resource_not_found");
    app.get("/webhook_endpoints?limit=501").await.err(422, "form_param_value_invalid");

    // Another instance can neither see nor change this endpoint.
    let other = app.api.with_key(&app.other_instance(roster_core::model::Environment::Development).await);
    other.get(&format!("/webhook_endpoints/{id}")).await.err(404, "resource_not_found");
    other.delete(&format!("/webhook_endpoints/{id}")).await.err(404, "resource_not_found");
    assert_eq!(other.get("/webhook_endpoints").await.ok()["total_count"], 0);
    // Its writes are not delivered to this instance's endpoint.
    other.user_with_email("x@example.com").await;
    app.user_with_email("mine@example.com").await;
    let mine = receiver.wait_accepted(2).await;
    assert_eq!(mine[1].json["data"]["email_addresses"][0]["email_address"], "mine@example.com");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.deliveries().len(), 2);
}

/// A receiver that answers nothing (after reading the request), or `answer` when given.
async fn raw_receiver(answer: Option<Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = socket.read(&mut buf).await;
                match answer {
                    Some(bytes) => {
                        let _ = socket.write_all(&bytes).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(60)).await,
                }
            });
        }
    });
    format!("http://{addr}/hook")
}

#[tokio::test]
async fn a_receiver_that_hangs_times_out_and_a_huge_answer_is_cut_short() {
    let app = app_with(vec![NEVER], NEVER).await;
    let hanging = str_of(&endpoint(&app, &raw_receiver(None).await, &[]).await, "id");
    let mut huge = b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 20000000\r\n\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 20_000_000));
    let flooding = str_of(&endpoint(&app, &raw_receiver(Some(huge)).await, &[]).await, "id");
    let started = std::time::Instant::now();
    app.user_with_email("a@example.com").await;
    let timed_out = attempts_recorded(&app, &hanging, 1).await;
    let attempt = &timed_out["data"][0];
    assert_eq!((attempt["status"].as_str(), attempt["error"].as_str()), (Some("failed"), Some("timed out")));
    assert_eq!(attempt["response_status_code"], Value::Null);
    assert!(started.elapsed() >= Duration::from_secs(2), "the timeout is the configured 2 s");
    let flooded = attempts_recorded(&app, &flooding, 1).await;
    let attempt = &flooded["data"][0];
    assert_eq!(attempt["response_status_code"], 500);
    let error = attempt["error"].as_str().unwrap();
    assert!(error.starts_with("the receiver answered 500") && error.len() < 300, "{error}");
}

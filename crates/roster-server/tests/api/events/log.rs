//! The event log: each write of the API appends exactly one event (an organization created with `created_by`
//! two: the organization's and its first membership's), of the right type, whose data equals what a GET right
//! after returns; failed and replayed writes append none; the cursor, filters and limits of `GET /v1/events`;
//! one instance never sees another's events.

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::json::str_of;
use roster_testkit::TestApp;

use super::{events_after, newest};
use roster_testkit::http::Api;

/// Checks writes one at a time against the log.
struct Log<'a> {
    api: &'a Api,
    cursor: Option<String>,
}

impl<'a> Log<'a> {
    async fn new(api: &'a Api) -> Self {
        Self { api, cursor: newest(api).await }
    }

    /// The events the last write appended: exactly `types`, in order.
    async fn appended(&mut self, types: &[&str]) -> Vec<Value> {
        let got = events_after(self.api, self.cursor.as_deref()).await;
        let got_types: Vec<&str> = got.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(got_types, types, "events appended: {got:#?}");
        if let Some(last) = got.last() {
            self.cursor = Some(str_of(last, "id"));
        }
        got
    }

    /// The one event the last write appended, of `event_type`, whose data equals `expected`.
    async fn one(&mut self, event_type: &str, expected: &Value) -> Value {
        let event = self.appended(&[event_type]).await.remove(0);
        assert_eq!(&event["data"], expected, "{event_type}: the event's data is the resource as the API returns it");
        assert_eq!(event["object"], "event");
        assert!(event["timestamp"].as_i64().unwrap() > 1_600_000_000_000, "milliseconds");
        assert_eq!(event.get("previous_attributes").is_some(), event_type.ends_with(".updated"));
        event
    }
}

/// The membership of `user` in `org` as the API lists it.
async fn membership(api: &Api, org: &str, user: &str) -> Value {
    let list = api.get(&format!("/organizations/{org}/memberships?user_id={user}")).await;
    list.ok()["data"][0].clone()
}

#[tokio::test]
async fn every_write_appends_one_event_equal_to_the_get_that_follows() {
    let app = TestApp::spawn().await;
    let mut log = Log::new(&app).await;

    let created = app.post("/users", json!({"email_address": ["ada@example.com"], "first_name": "Ada"})).await;
    let ada = str_of(created.ok(), "id");
    log.one("user.created", app.get(&format!("/users/{ada}")).await.ok()).await;
    let bob = app.user_with_email("bob@example.com").await;
    log.appended(&["user.created"]).await;

    app.patch(&format!("/users/{ada}"), json!({"last_name": "Lovelace"})).await.ok();
    let updated = log.one("user.updated", app.get(&format!("/users/{ada}")).await.ok()).await;
    assert_eq!(updated["previous_attributes"]["last_name"], Value::Null);
    assert!(updated["previous_attributes"]["updated_at"].is_i64());
    assert!(updated["previous_attributes"].get("first_name").is_none(), "unchanged fields are left out");
    app.patch(&format!("/users/{ada}/metadata"), json!({"public_metadata": {"plan": "pro"}})).await.ok();
    let merged = log.one("user.updated", app.get(&format!("/users/{ada}")).await.ok()).await;
    assert_eq!(merged["previous_attributes"]["public_metadata"], json!({}));
    app.post(&format!("/users/{bob}/ban"), json!({})).await.ok();
    let banned = log.one("user.updated", app.get(&format!("/users/{bob}")).await.ok()).await;
    assert_eq!(banned["previous_attributes"]["banned"], false);

    // An organization with a creator: its event, then its first membership's.
    let org = str_of(app.post("/organizations", json!({"name": "Acme", "created_by": ada})).await.ok(), "id");
    let both = log.appended(&["organization.created", "organizationMembership.created"]).await;
    assert_eq!(both[0]["data"], *app.get(&format!("/organizations/{org}")).await.ok());
    assert_eq!(both[1]["data"], membership(&app, &org, &ada).await);
    app.patch(&format!("/organizations/{org}"), json!({"name": "Acme Inc"})).await.ok();
    let renamed = log.one("organization.updated", app.get(&format!("/organizations/{org}")).await.ok()).await;
    assert_eq!(renamed["previous_attributes"]["name"], "Acme");
    app.patch(&format!("/organizations/{org}/metadata"), json!({"private_metadata": {"tier": 2}})).await.ok();
    log.one("organization.updated", app.get(&format!("/organizations/{org}")).await.ok()).await;

    let path = format!("/organizations/{org}/memberships");
    app.post(&path, json!({"user_id": bob, "role": "org:member"})).await.ok();
    log.one("organizationMembership.created", &membership(&app, &org, &bob).await).await;
    app.patch(&format!("{path}/{bob}"), json!({"role": "org:admin"})).await.ok();
    let promoted = log.one("organizationMembership.updated", &membership(&app, &org, &bob).await).await;
    assert_eq!(promoted["previous_attributes"]["role"], "org:member");
    app.patch(&format!("{path}/{bob}/metadata"), json!({"public_metadata": {"team": "core"}})).await.ok();
    log.one("organizationMembership.updated", &membership(&app, &org, &bob).await).await;
    let removed = app.delete(&format!("{path}/{bob}")).await.ok().clone();
    let deleted = log.one("organizationMembership.deleted", &removed).await;
    assert_eq!(deleted["data"]["public_user_data"]["user_id"], bob.as_str(), "the membership's last state");

    let perm = app.post("/organization_permissions", json!({"name": "Read", "key": "org:docs:read"})).await;
    let perm = str_of(perm.ok(), "id");
    log.one("permission.created", app.get(&format!("/organization_permissions/{perm}")).await.ok()).await;
    app.patch(&format!("/organization_permissions/{perm}"), json!({"name": "Read docs"})).await.ok();
    log.one("permission.updated", app.get(&format!("/organization_permissions/{perm}")).await.ok()).await;
    let role = app.post("/organization_roles", json!({"name": "Editor", "key": "org:editor", "permissions": []})).await;
    let role = str_of(role.ok(), "id");
    log.one("role.created", app.get(&format!("/organization_roles/{role}")).await.ok()).await;
    app.post(&format!("/organization_roles/{role}/permissions/{perm}"), json!({})).await.ok();
    let granted = log.one("role.updated", app.get(&format!("/organization_roles/{role}")).await.ok()).await;
    assert_eq!(granted["previous_attributes"]["permissions"], json!([]));
    app.patch(&format!("/organization_roles/{role}"), json!({"description": "Edits"})).await.ok();
    log.one("role.updated", app.get(&format!("/organization_roles/{role}")).await.ok()).await;
    app.delete(&format!("/organization_roles/{role}/permissions/{perm}")).await.ok();
    log.one("role.updated", app.get(&format!("/organization_roles/{role}")).await.ok()).await;
    let role_before = app.get(&format!("/organization_roles/{role}")).await.ok().clone();
    app.delete(&format!("/organization_roles/{role}")).await.ok();
    log.one("role.deleted", &role_before).await;
    let perm_before = app.get(&format!("/organization_permissions/{perm}")).await.ok().clone();
    app.delete(&format!("/organization_permissions/{perm}")).await.ok();
    log.one("permission.deleted", &perm_before).await;

    let session = str_of(app.post("/sessions", json!({"user_id": ada})).await.ok(), "id");
    log.one("session.created", app.get(&format!("/sessions/{session}")).await.ok()).await;
    app.patch(&format!("/sessions/{session}"), json!({"active_organization_id": null})).await.ok();
    let moved = log.one("session.updated", app.get(&format!("/sessions/{session}")).await.ok()).await;
    assert_eq!(moved["previous_attributes"]["last_active_organization_id"], org.as_str());
    app.post(&format!("/sessions/{session}/revoke"), json!({})).await.ok();
    log.one("session.revoked", app.get(&format!("/sessions/{session}")).await.ok()).await;

    app.delete(&format!("/organizations/{org}")).await.ok();
    log.one("organization.deleted", &json!({"object": "organization", "id": org, "deleted": true})).await;
    app.delete(&format!("/users/{bob}")).await.ok();
    log.one("user.deleted", &json!({"object": "user", "id": bob, "deleted": true})).await;
}

#[tokio::test]
async fn failed_and_replayed_writes_append_nothing_and_bulk_items_one_each() {
    let app = TestApp::spawn().await;
    let org = app.org(json!({"name": "Acme"})).await;
    let (a, b) = (app.user_with_email("a@example.com").await, app.user_with_email("b@example.com").await);
    let mut log = Log::new(&app).await;
    let path = format!("/organizations/{org}/memberships");
    app.post(&path, json!({"user_id": a, "role": "org:admin"})).await.ok();
    log.appended(&["organizationMembership.created"]).await;
    app.post(&path, json!({"user_id": a, "role": "org:admin"})).await.err(400, "already_a_member_in_organization");
    app.patch(&format!("{path}/{a}"), json!({"role": "org:member"}))
        .await
        .err(400, "organization_minimum_permissions_needed");
    app.post("/users", json!({"email_address": ["a@example.com"]})).await.err(422, "form_identifier_exists");
    log.appended(&[]).await;

    // A keyed write replayed: one event.
    let keyed = || {
        app.request(Method::POST, &path)
            .header("Idempotency-Key", "k1")
            .json(&json!({"user_id": b, "role": "org:member"}))
    };
    let first = app.send(keyed()).await.ok().clone();
    assert_eq!(*app.send(keyed()).await.ok(), first);
    log.appended(&["organizationMembership.created"]).await;

    // Bulk: one event per item that succeeded; a role and metadata change of one item is one event.
    let c = app.user_with_email("c@example.com").await;
    log.appended(&["user.created"]).await;
    let bulk = format!("{path}/bulk");
    let items = json!([{"user_id": c, "role": "org:member"}, {"user_id": "user_missing", "role": "org:member"}]);
    app.post(&bulk, json!({"mode": "partial", "items": items})).await.ok();
    log.appended(&["organizationMembership.created"]).await;
    let change = json!([{"user_id": c, "role": "org:admin", "public_metadata": {"x": 1}}]);
    app.patch(&bulk, json!({"mode": "partial", "items": change})).await.ok();
    let changed = log.appended(&["organizationMembership.updated"]).await.remove(0);
    assert_eq!(changed["previous_attributes"]["role"], "org:member");
    assert_eq!(changed["previous_attributes"]["public_metadata"], json!({}));
    assert_eq!(changed["data"], membership(&app, &org, &c).await);
    let atomic = json!([{"user_id": b}, {"user_id": "user_missing"}]);
    app.call(Method::DELETE, &bulk, Some(json!({"mode": "atomic", "items": atomic})))
        .await
        .err(404, "resource_not_found");
    log.appended(&[]).await;
}

#[tokio::test]
async fn the_cursor_pages_in_order_filters_apply_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let (one, two) = (app.org(json!({"name": "One"})).await, app.org(json!({"name": "Two"})).await);
    for i in 0..5 {
        let user = app.user_with_email(&format!("u{i}@example.com")).await;
        app.add_member(if i % 2 == 0 { &one } else { &two }, &user, "org:member").await;
    }
    let all = events_after(&app, None).await;
    assert_eq!(all.len(), 12);
    let ids: Vec<String> = all.iter().map(|e| str_of(e, "id")).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "ids sort in the log's order");

    let page = app.get("/events?limit=5").await.ok().clone();
    assert_eq!(page["has_more"], true);
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    let rest = app.get(&format!("/events?limit=500&after={}", ids[4])).await.ok().clone();
    assert_eq!(rest["has_more"], false);
    let rest_ids: Vec<String> = rest["data"].as_array().unwrap().iter().map(|e| str_of(e, "id")).collect();
    assert_eq!(rest_ids, ids[5..]);

    let orgs_only = app.get("/events?types=organization.created").await.ok().clone();
    assert_eq!(orgs_only["data"].as_array().unwrap().len(), 2);
    let two_types = app.get("/events?types=organization.created,user.created&types=user.created").await.ok().clone();
    assert_eq!(two_types["data"].as_array().unwrap().len(), 7);
    let of_one = app.get(&format!("/events?organization_id={one}&limit=500")).await.ok().clone();
    let of_one: Vec<&Value> = of_one["data"].as_array().unwrap().iter().collect();
    assert_eq!(of_one.len(), 4, "the organization's own event and its three memberships'");
    assert!(of_one.iter().all(|e| e["data"]["id"] == one.as_str() || e["data"]["organization"]["id"] == one.as_str()));

    app.get("/events?after=evt_nope").await.err(422, "form_param_value_invalid");
    app.get("/events?limit=0").await.err(422, "form_param_value_invalid");
    app.get("/events?limit=501").await.err(422, "form_param_value_invalid");
    app.get("/events?types=user.exploded").await.err(422, "form_param_value_invalid");

    // Another instance sees none of it, and its own writes only.
    let other = app.api.with_key(&app.other_instance(roster_core::model::Environment::Development).await);
    assert_eq!(events_after(&other, None).await.len(), 0);
    other.user_with_email("x@example.com").await;
    let theirs = events_after(&other, None).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(events_after(&app, None).await.len(), 12);
    assert_ne!(theirs[0]["instance_id"], all[0]["instance_id"]);
}

#[tokio::test]
async fn events_past_their_retention_are_purged_with_their_delivery_records() {
    let webhooks = roster_server::webhooks::WebhookSettings {
        retention: std::time::Duration::from_millis(400),
        poll: std::time::Duration::from_millis(20),
        ..Default::default()
    };
    let app = TestApp::spawn_with(roster_server::Config { webhooks, ..Default::default() }).await;
    let receiver = roster_testkit::receiver::Receiver::start().await;
    let id = str_of(&super::endpoint(&app, receiver.url(), &[]).await, "id");
    app.user_with_email("old@example.com").await;
    receiver.wait_accepted(1).await;
    assert_eq!(events_after(&app, None).await.len(), 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !events_after(&app, None).await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "the old event was not purged");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.get(&format!("/webhook_endpoints/{id}/attempts")).await.ok()["total_count"], 0);
    // The log goes on after the purge: a new write's event is listed and delivered.
    app.user_with_email("new@example.com").await;
    let fresh = events_after(&app, None).await;
    assert_eq!(fresh.len(), 1);
    assert_eq!(receiver.wait_accepted(2).await[1].svix_id, str_of(&fresh[0], "id"));
}

#[tokio::test]
async fn invitation_and_domain_writes_append_their_events() {
    let app = TestApp::spawn().await;
    let body = json!({"domains_enabled": true, "domains_enrollment_modes": ["automatic_invitation"]});
    app.patch("/instance/organization_settings", body).await.ok();
    let ada = app.user_with_email("ada@example.com").await;
    let org = app.org(json!({"name": "Acme", "created_by": ada})).await;
    let mut log = Log::new(&app).await;

    let path = format!("/organizations/{org}/invitations");
    let inv = app.post(&path, json!({"email_address": "bob@acme.example", "role": "org:member"})).await.ok().clone();
    let id = str_of(&inv, "id");
    log.one("organizationInvitation.created", app.get(&format!("{path}/{id}")).await.ok()).await;
    let bulk = json!([{"email_address": "c@example.com", "role": "org:member"}, {"email_address": "d@example.com", "role": "org:admin"}]);
    app.post(&format!("{path}/bulk"), bulk).await.ok();
    let two = log.appended(&["organizationInvitation.created", "organizationInvitation.created"]).await;
    assert_eq!(
        (two[0]["data"]["email_address"].as_str(), two[1]["data"]["role"].as_str()),
        (Some("c@example.com"), Some("org:admin"))
    );
    let revoked = app.post(&format!("{path}/{}/revoke", str_of(&two[0]["data"], "id")), json!({})).await.ok().clone();
    log.one("organizationInvitation.revoked", &revoked).await;

    // Accepting appends the invitation's acceptance, then the membership it made.
    let bob = app.user_with_email("bob@acme.example").await;
    log.appended(&["user.created"]).await;
    let member = app.post(&format!("{path}/{id}/accept"), json!({"user_id": bob})).await.ok().clone();
    let accepted = log.appended(&["organizationInvitation.accepted", "organizationMembership.created"]).await;
    assert_eq!(accepted[0]["data"], *app.get(&format!("{path}/{id}")).await.ok());
    assert_eq!(accepted[1]["data"], member);

    // A domain's writes, and the invitations its automatic enrollment makes, in one transaction's order.
    let carol = app.user_with_email("carol@acme.example").await;
    log.appended(&["user.created"]).await;
    let domains = format!("/organizations/{org}/domains");
    let d = app
        .post(&domains, json!({"name": "acme.example", "enrollment_mode": "automatic_invitation"}))
        .await
        .ok()
        .clone();
    log.one("organizationDomain.created", &d).await;
    let verified = app.patch(&format!("{domains}/{}", str_of(&d, "id")), json!({"verified": true})).await.ok().clone();
    let events = log.appended(&["organizationDomain.updated", "organizationInvitation.created"]).await;
    assert_eq!(events[0]["previous_attributes"]["verification"]["status"], "unverified");
    assert_eq!(events[0]["data"]["verification"], verified["verification"]);
    assert_eq!(events[1]["data"]["email_address"], "carol@acme.example");
    let _ = carol;
    app.delete(&format!("{domains}/{}", str_of(&d, "id"))).await.ok();
    let deleted = log.appended(&["organizationDomain.deleted"]).await;
    assert_eq!(deleted[0]["data"]["name"], "acme.example", "the domain's last state");
    // Refused writes append nothing.
    app.post(&path, json!({"email_address": "c@example.com", "role": "org:nope"})).await.err(404, "resource_not_found");
    app.post(&format!("{path}/{id}/accept"), json!({"user_id": bob}))
        .await
        .err(400, "organization_invitation_already_accepted");
    log.appended(&[]).await;
}

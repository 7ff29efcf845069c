//! Wire conventions shared by every endpoint: authentication, API versions, Content-Type, the error
//! body, request bodies, hostile path segments, ids and timestamps.

use std::collections::BTreeSet;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use reqwest::Method;
use serde_json::{json, Value};

use roster_core::model::Environment;
use roster_core::query::{Pagination, UserFilter, UserOrder};

use roster_testkit::{Resp, TestApp, KEY};

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[track_caller]
fn assert_json_content_type(r: &Resp) {
    let ct = r.headers.get(CONTENT_TYPE).unwrap_or_else(|| panic!("no Content-Type on {}: {}", r.status, r.text));
    assert_eq!(ct.to_str().unwrap(), "application/json", "status {}: {}", r.status, r.text);
}

#[tokio::test]
async fn authentication() {
    let app = TestApp::spawn().await;
    let get = |auth: Option<&str>| {
        let mut rb = app.client.get(app.url("/users")).header("Clerk-API-Version", "2026-05-12");
        if let Some(a) = auth {
            rb = rb.header(AUTHORIZATION, a);
        }
        app.send(rb)
    };

    get(None).await.err(401, "authentication_invalid");
    get(Some("Basic abc")).await.err(401, "authorization_header_format_invalid");
    get(Some("Bearer")).await.err(401, "authorization_header_format_invalid");
    get(Some(&format!("Token {KEY}"))).await.err(401, "authorization_header_format_invalid");
    let unknown = get(Some("Bearer sk_test_this_key_does_not_exist")).await;
    let e = unknown.err(401, "clerk_key_invalid");
    assert_eq!(
        e["long_message"],
        "The provided Clerk Secret Key is invalid. Make sure that your Clerk Secret Key is correct."
    );
    get(Some("Bearer sk_live_this_key_does_not_exist")).await.err(401, "clerk_key_invalid");
    get(Some("Bearer pk_test_not_a_secret_key")).await.err(401, "clerk_key_invalid");
    get(Some("Bearer not-a-key-at-all")).await.err(401, "clerk_key_invalid");
    // The scheme is case-insensitive; the real key works.
    get(Some(&format!("bearer {KEY}"))).await.ok();
    get(Some(&format!("Bearer {KEY}"))).await.ok();

    // A second key for the same instance works until it is revoked; the first one keeps working.
    let instance_id = roster_core::InstanceId::from(app.store.list_keys(None).await.unwrap()[0].instance_id.clone());
    let (record, secret) = app.store.create_key(&instance_id, None).await.unwrap();
    assert!(secret.starts_with("sk_test_"), "{secret}");
    get(Some(&format!("Bearer {secret}"))).await.ok();
    app.store.revoke_key(&roster_core::KeyId::new(&record.id)).await.unwrap();
    get(Some(&format!("Bearer {secret}"))).await.err(401, "clerk_key_invalid");
    get(Some(&format!("Bearer {KEY}"))).await.ok();
    let listed = app.store.list_keys(Some(&instance_id)).await.unwrap();
    assert!(listed.iter().any(|k| k.id == record.id && k.revoked_at.is_some()), "{listed:?}");
}

#[tokio::test]
async fn api_versions() {
    let app = TestApp::spawn().await;
    for v in ["2021-02-05", "2025-11-10", "2026-05-12"] {
        app.send(app.request_version(Method::GET, "/users", Some(v))).await.ok();
    }
    app.send(app.request_version(Method::GET, "/users", None)).await.ok();
    app.send(app.request_version(Method::GET, "/users?__clerk_api_version=2025-11-10", None)).await.ok();

    for bad in ["2020-01-01", "2026-05-13", "latest", ""] {
        let r = app.send(app.request_version(Method::GET, "/users", Some(bad))).await;
        r.err(400, "api_version_invalid");
    }
    let r = app.send(app.request_version(Method::GET, "/users?__clerk_api_version=1999-01-01", None)).await;
    assert!(r.err(400, "api_version_invalid")["long_message"]
        .as_str()
        .unwrap()
        .starts_with("Invalid Clerk API version: "));
    // Both header and query, even when they agree.
    for q in ["2025-11-10", "2026-05-12"] {
        let path = format!("/users?__clerk_api_version={q}");
        app.send(app.request_version(Method::GET, &path, Some("2026-05-12"))).await.err(400, "api_version_invalid");
    }

    // The chosen version takes effect: metadata in PATCH /users/{id} is refused only from 2026-05-12,
    // and no version at all means the oldest.
    let user = app.user_with_email("versions@example.com").await;
    let path = format!("/users/{user}");
    let body = json!({"public_metadata": {"v": 1}});
    for v in [Some("2021-02-05"), Some("2025-11-10"), None] {
        let r = app.send(app.request_version(Method::PATCH, &path, v).json(&body)).await;
        assert_eq!(r.ok()["public_metadata"], json!({"v": 1}), "version {v:?}");
    }
    let query_old = format!("{path}?__clerk_api_version=2021-02-05");
    app.send(app.request_version(Method::PATCH, &query_old, None).json(&body)).await.ok();
    let r = app.send(app.request_version(Method::PATCH, &path, Some("2026-05-12")).json(&body)).await;
    r.err(422, "form_param_unknown");
    assert_eq!(r.param(), "public_metadata");
    let query_new = format!("{path}?__clerk_api_version=2026-05-12");
    let r = app.send(app.request_version(Method::PATCH, &query_new, None).json(&body)).await;
    r.err(422, "form_param_unknown");
}

#[tokio::test]
async fn content_type_is_exactly_application_json() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("ct@example.com").await;

    // 200 object and 200 list.
    let one = app.get(&format!("/users/{user}")).await;
    one.ok();
    assert_json_content_type(&one);
    let list = app.get("/users").await;
    assert!(list.ok().is_array());
    assert_json_content_type(&list);
    let orgs = app.get("/organizations").await;
    orgs.ok();
    assert_json_content_type(&orgs);

    let mut errors: Vec<Resp> = Vec::new();
    // 400: invalid JSON, and an invalid API version.
    let r = app.send(app.request(Method::POST, "/users").header(CONTENT_TYPE, "application/json").body("{")).await;
    r.err(400, "request_body_invalid");
    errors.push(r);
    let r = app.send(app.request_version(Method::GET, "/users", Some("1.0"))).await;
    r.err(400, "api_version_invalid");
    errors.push(r);
    // 401.
    let r = app.send(app.client.get(app.url("/users"))).await;
    r.err(401, "authentication_invalid");
    errors.push(r);
    // 404: unknown id, unknown route under /v1, unknown route outside /v1.
    let r = app.get("/users/user_missing").await;
    r.err(404, "resource_not_found");
    errors.push(r);
    let r = app.get("/nope").await;
    r.err(404, "resource_not_found");
    errors.push(r);
    let root = app.client.get(app.base.replace("/v1", "/nope")).bearer_auth(KEY);
    let r = app.send(root).await;
    r.err(404, "resource_not_found");
    errors.push(r);
    // 405 with a Clerk body.
    let r = app.send(app.request(Method::PUT, "/organization_memberships")).await;
    r.err(405, "request_method_not_allowed");
    errors.push(r);
    let r = app.send(app.request(Method::POST, &format!("/users/{user}"))).await;
    r.err(405, "request_method_not_allowed");
    errors.push(r);
    // 415.
    let r = app.send(app.request(Method::POST, "/users").header(CONTENT_TYPE, "text/plain").body("{}")).await;
    r.err(415, "unsupported_content_type");
    errors.push(r);
    // 422.
    let r = app.post("/users", json!({"nope": 1})).await;
    r.err(422, "form_param_unknown");
    errors.push(r);
    // 413, on a server with a small limit.
    let small = TestApp::spawn_with(roster_server::Config { max_body_bytes: 1024, ..Default::default() }).await;
    let r = small.post("/users", json!({"first_name": "x".repeat(2000)})).await;
    r.err(413, "request_body_too_large");
    errors.push(r);

    let statuses: BTreeSet<u16> = errors.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400, 401, 404, 405, 413, 415, 422].into_iter().collect());
    for r in &errors {
        assert_json_content_type(r);
    }
}

#[tokio::test]
async fn error_body_shape() {
    let app = TestApp::spawn().await;
    let mut traces = BTreeSet::new();
    let responses = [
        app.get("/users/user_missing").await,
        app.get("/users/user_missing").await,
        app.send(app.client.get(app.url("/users"))).await,
        app.post("/organizations", json!({})).await,
        app.send(app.client.get(app.base.replace("/v1", "/elsewhere"))).await,
        app.send(app.request(Method::DELETE, "/organization_memberships")).await,
    ];
    for r in &responses {
        assert!(r.status >= 400, "{}", r.text);
        assert_json_content_type(r);
        assert_eq!(keys(&r.body), set(&["errors", "clerk_trace_id"]), "{}", r.text);
        let errors = r.body["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{}", r.text);
        assert_eq!(keys(&errors[0]), set(&["message", "long_message", "code", "meta"]), "{}", r.text);
        for k in ["message", "long_message", "code"] {
            assert!(errors[0][k].as_str().is_some_and(|s| !s.is_empty()), "{k}: {}", r.text);
        }
        assert!(errors[0]["meta"].is_object(), "{}", r.text);
        let trace = r.body["clerk_trace_id"].as_str().unwrap();
        assert_eq!(trace.len(), 32, "{trace}");
        assert!(trace.bytes().all(|b| b.is_ascii_hexdigit()), "{trace}");
        assert!(traces.insert(trace.to_owned()), "trace id {trace} repeated");
    }
    let e = responses[0].err(404, "resource_not_found");
    assert_eq!(e["meta"], json!({}));
    let e = responses[3].err(422, "form_param_missing");
    assert_eq!(e["meta"], json!({"param_name": "name"}));
    assert_eq!(e["message"], "is missing");
    assert_eq!(e["long_message"], "name must be included.");
}

#[tokio::test]
async fn request_bodies() {
    let app = TestApp::spawn().await;
    let raw = |method: Method, path: &str, ct: Option<&str>, body: Vec<u8>| {
        let mut rb = app.request(method, path);
        if let Some(ct) = ct {
            rb = rb.header(CONTENT_TYPE, ct);
        }
        app.send(rb.body(body))
    };
    const JSON: Option<&str> = Some("application/json");

    // Size limit.
    let small = TestApp::spawn_with(roster_server::Config { max_body_bytes: 1024, ..Default::default() }).await;
    let big = format!(r#"{{"first_name":"{}"}}"#, "x".repeat(2000 - 17));
    assert_eq!(big.len(), 2000);
    let r = small.send(small.request(Method::POST, "/users").header(CONTENT_TYPE, "application/json").body(big)).await;
    r.err(413, "request_body_too_large");
    small.post("/users", json!({"first_name": "fits"})).await.ok();
    assert_eq!(small.get("/users/count").await.ok()["total_count"], 1);

    // Content-Type.
    raw(Method::POST, "/users", Some("text/plain"), b"{}".to_vec()).await.err(415, "unsupported_content_type");
    raw(Method::POST, "/users", None, b"{}".to_vec()).await.err(415, "unsupported_content_type");
    raw(Method::POST, "/users", Some("application/x-www-form-urlencoded"), b"first_name=a".to_vec())
        .await
        .err(415, "unsupported_content_type");
    // Parameters on the media type are fine.
    raw(Method::POST, "/users", Some("application/json; charset=utf-8"), br#"{"first_name":"cs"}"#.to_vec()).await.ok();

    // Syntax and shape.
    for bad in [&b"{"[..], b"{\"a\":}", b"nope", b"{\"a\":1}}", b"[]", b"[{}]", b"\"string\"", b"42", b"null", b"true"]
    {
        let r = raw(Method::POST, "/users", JSON, bad.to_vec()).await;
        r.err(400, "request_body_invalid");
    }
    // Deep nesting: a client error, never a crash or a 5xx.
    for deep in ["[".repeat(10_000), format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)), r#"{"a":"#.repeat(10_000)]
    {
        let r = raw(Method::POST, "/users", JSON, deep.into_bytes()).await;
        assert!((400..500).contains(&r.status), "{}: {}", r.status, r.text);
        r.err(400, "request_body_invalid");
    }
    let nested_meta = format!(r#"{{"public_metadata":{}1{}}}"#, r#"{"a":"#.repeat(5_000), "}".repeat(5_000));
    let r = raw(Method::POST, "/users", JSON, nested_meta.into_bytes()).await;
    assert!((400..500).contains(&r.status), "{}: {}", r.status, r.text);
    // Invalid UTF-8.
    let r = raw(Method::POST, "/users", JSON, b"{\"first_name\":\"\xff\xfe\"}".to_vec()).await;
    r.err(400, "request_body_invalid");
    let r = raw(Method::POST, "/users", JSON, b"\xef\xbb\xbf\xff{}".to_vec()).await;
    assert_eq!(r.status, 400, "{}", r.text);

    // GET and DELETE with Content-Type: application/json and no body, as the JS SDK sends them.
    let user = app.user_with_email("bodyless@example.com").await;
    raw(Method::GET, "/users", JSON, Vec::new()).await.ok();
    raw(Method::GET, &format!("/users/{user}"), JSON, Vec::new()).await.ok();
    // An empty body for an update is `{}`.
    let r = raw(Method::PATCH, &format!("/users/{user}/metadata"), JSON, Vec::new()).await;
    assert_eq!(r.ok()["id"], user.as_str());
    let r = raw(Method::DELETE, &format!("/users/{user}"), JSON, Vec::new()).await;
    assert_eq!(r.ok()["deleted"], true);

    // Nothing above created anything on the main app except the one deleted user and the `cs` user.
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 1);
}

#[tokio::test]
async fn hostile_path_segments() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("victim@example.com").await;
    let org = app.org(json!({"name": "Victim", "created_by": user})).await;

    let segments = [
        "%00",
        "user%00",
        "..%2F..%2Fetc%2Fpasswd",
        "..%2F",
        "%2E%2E%2Fusers",
        "%27%3B%20DROP%20TABLE%20users%3B--",
        "%27%20OR%20%271%27%3D%271",
        "%FF%FE",
        "%25",
    ];
    for seg in segments {
        for (method, path) in [
            (Method::GET, format!("/users/{seg}")),
            (Method::DELETE, format!("/users/{seg}")),
            (Method::POST, format!("/users/{seg}/ban")),
            (Method::GET, format!("/organizations/{seg}")),
            (Method::DELETE, format!("/organizations/{seg}")),
            (Method::GET, format!("/organizations/{seg}/memberships")),
            (Method::DELETE, format!("/organizations/{org}/memberships/{seg}")),
        ] {
            let r = app.send(app.request(method.clone(), &path)).await;
            r.err(404, "resource_not_found");
        }
        for path in [format!("/users/{seg}"), format!("/organizations/{seg}"), format!("/users/{seg}/metadata")] {
            let r = app.patch(&path, json!({})).await;
            r.err(404, "resource_not_found");
        }
    }

    // Everything is intact.
    assert_eq!(app.get("/users/count").await.ok()["total_count"], 1);
    assert_eq!(app.get(&format!("/users/{user}")).await.ok()["banned"], false);
    assert_eq!(app.get(&format!("/organizations/{org}")).await.ok()["name"], "Victim");
    assert_eq!(app.get(&format!("/organizations/{org}/memberships")).await.ok()["total_count"], 1);
    assert_eq!(app.get("/organizations").await.ok()["total_count"], 1);

    // ... and so is the database file, as a fresh store opened on it sees it.
    let instance_id = roster_core::InstanceId::from(app.store.list_keys(None).await.unwrap()[0].instance_id.clone());
    let fresh = roster_testkit::open_store(&app.db.url).await;
    let page = fresh
        .list_users(&instance_id, UserFilter::default(), UserOrder::default(), Pagination { limit: 10, offset: 0 })
        .await
        .unwrap();
    assert_eq!(page.total_count, 1);
    assert_eq!(page.data[0].id, user);
    assert_eq!(fresh.get_organization(&instance_id, &org, false).await.unwrap().name, "Victim");
}

#[track_caller]
fn assert_id(id: &Value, prefix: &str) {
    let id = id.as_str().unwrap_or_else(|| panic!("id is not a string: {id}"));
    let suffix = id.strip_prefix(prefix).unwrap_or_else(|| panic!("{id} does not start with {prefix}"));
    assert_eq!(suffix.len(), 27, "{id}");
    assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
}

#[track_caller]
fn assert_recent_ms(v: &Value, what: &str) {
    let t = v.as_i64().unwrap_or_else(|| panic!("{what} is not an integer: {v}"));
    let now = now_ms();
    assert!((now - 60_000..=now + 60_000).contains(&t), "{what} = {t} is not milliseconds near {now}");
}

#[tokio::test]
async fn ids_and_timestamps() {
    let app = TestApp::spawn().await;
    let user = app
        .post(
            "/users",
            json!({
                "email_address": ["ids@example.com"],
                "phone_number": ["+15555550123"],
                "web3_wallet": [format!("0x{}", "ab".repeat(20))],
            }),
        )
        .await
        .ok()
        .clone();
    assert_id(&user["id"], "user_");
    assert_id(&user["email_addresses"][0]["id"], "idn_");
    assert_id(&user["phone_numbers"][0]["id"], "idn_");
    assert_id(&user["web3_wallets"][0]["id"], "idn_");
    assert_id(&user["primary_email_address_id"], "idn_");
    for (what, v) in [
        ("user.created_at", &user["created_at"]),
        ("user.updated_at", &user["updated_at"]),
        ("email.created_at", &user["email_addresses"][0]["created_at"]),
        ("phone.updated_at", &user["phone_numbers"][0]["updated_at"]),
    ] {
        assert_recent_ms(v, what);
    }

    let uid = user["id"].as_str().unwrap();
    let org = app.post("/organizations", json!({"name": "Ids", "created_by": uid})).await.ok().clone();
    assert_id(&org["id"], "org_");
    assert_recent_ms(&org["created_at"], "org.created_at");
    assert_recent_ms(&org["updated_at"], "org.updated_at");

    let other = app.user_with_email("ids2@example.com").await;
    assert_id(&json!(other), "user_");
    assert_ne!(other, uid);
    let m = app.add_member(org["id"].as_str().unwrap(), &other, "org:member").await;
    assert_id(&m["id"], "orgmem_");
    assert_recent_ms(&m["created_at"], "membership.created_at");
    assert_recent_ms(&m["updated_at"], "membership.updated_at");
    let list = app.get(&format!("/organizations/{}/memberships", org["id"].as_str().unwrap())).await;
    for m in list.ok()["data"].as_array().unwrap() {
        assert_id(&m["id"], "orgmem_");
    }

    // RFC 3339 inputs come back as Unix milliseconds.
    let r = app
        .post(
            "/users",
            json!({"created_at": "2020-01-01T00:00:00.250Z", "legal_accepted_at": "2020-01-01T01:00:00+01:00"}),
        )
        .await;
    assert_eq!(r.ok()["created_at"], 1_577_836_800_250_i64);
    assert_eq!(r.ok()["legal_accepted_at"], 1_577_836_800_000_i64);
    assert_recent_ms(&r.ok()["updated_at"], "backdated user.updated_at");
    let r = app.post("/organizations", json!({"name": "Old", "created_at": "2021-02-05T00:00:00Z"})).await;
    assert_eq!(r.ok()["created_at"], 1_612_483_200_000_i64);
    let r = app.post("/users", json!({"created_at": "yesterday"})).await;
    r.err(422, "form_param_value_invalid");
    assert_eq!(r.param(), "created_at");

    // Another instance mints ids the same way.
    let other_key = app.other_instance(Environment::Production).await;
    assert!(other_key.starts_with("sk_live_"));
    let r = app.call_as(&other_key, Method::POST, "/users", Some(json!({"email_address": ["ids@example.com"]}))).await;
    assert_id(&r.ok()["id"], "user_");
}

//! The bad-input suite: hostile requests against every kind of endpoint. Every answer must be a Clerk error
//! with a 4xx status (never a 5xx, never a hang), and nothing stored may change: the database is exported
//! (`roster export`'s format, with per-table checksums) before and after, and the two must be byte-identical.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::{Resp, TestApp};

/// The whole database as `roster export` writes it.
async fn export(app: &TestApp) -> Vec<u8> {
    let pg = roster_store::postgres::Options { max_connections: 2, ..Default::default() };
    let (_, bytes) = roster_store::transfer::export_url(
        &app.db.url,
        roster_store::sqlite::Options::default(),
        pg,
        Vec::new(),
        Arc::new(roster_store::transfer::NoProgress),
    )
    .await
    .expect("export");
    bytes
}

/// An endpoint taking a body, with its fields and their types.
type Endpoint = (Method, String, Vec<(&'static str, &'static str)>);

/// Wrong values for a field of each type (null is left out: it is a valid "clear" on nullable fields).
fn wrong_values(kind: &str) -> Vec<Value> {
    match kind {
        "string" => vec![json!(1), json!(true), json!([]), json!({}), json!(["a"]), json!(1.5)],
        "strings" => vec![json!(1), json!(true), json!({}), json!([1]), json!([["a"]]), json!([{}])],
        "int" => vec![json!("5"), json!(true), json!([]), json!({}), json!(1.5), json!(-1)],
        "bool" => vec![json!("true"), json!(1), json!([]), json!({})],
        "object" => vec![json!("x"), json!(1), json!(true), json!([]), json!([{}])],
        other => panic!("no wrong values for {other}"),
    }
}

/// Assert a 4xx Clerk error: `errors[0].code` and a trace id, `Content-Type: application/json`.
#[track_caller]
fn clerk_4xx(what: &str, r: &Resp) {
    assert!((400..500).contains(&r.status), "{what}: {} {}", r.status, r.text);
    assert!(r.body["errors"][0]["code"].is_string(), "{what}: not a Clerk error: {}", r.text);
    assert!(r.body["clerk_trace_id"].is_string(), "{what}: {}", r.text);
    assert_eq!(r.headers["content-type"], "application/json", "{what}");
}

#[tokio::test]
async fn hostile_input_gets_4xx_clerk_errors_and_changes_nothing() {
    let app = TestApp::spawn().await;
    // Something to damage: users with identifiers, an organization, members with metadata, a custom role.
    let owner = app.user(json!({"email_address": ["owner@example.com"], "username": "owner", "first_name": "Ö"})).await;
    let member = app.user(json!({"phone_number": ["+15555550123"], "external_id": "ext-1"})).await;
    let org =
        app.org(json!({"name": "Target", "slug": "target", "created_by": owner, "max_allowed_memberships": 5})).await;
    app.post(
        &format!("/organizations/{org}/memberships"),
        json!({"user_id": member, "role": "org:member", "public_metadata": {"a": {"b": [1, 2]}}}),
    )
    .await
    .ok();
    app.post("/organization_roles", json!({"key": "org:editor", "name": "Editor", "description": "edits"})).await.ok();
    let before = export(&app).await;
    assert!(before.len() > 1000, "the export holds the seeded data");

    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
    let send = |method: Method, path: String, ct: Option<&'static str>, body: Option<Vec<u8>>| {
        let mut rb = client
            .request(method, app.url(&path))
            .bearer_auth(&app.key)
            .header("Clerk-API-Version", roster_testkit::VERSION);
        if let Some(ct) = ct {
            rb = rb.header(CONTENT_TYPE, ct);
        }
        if let Some(body) = body {
            rb = rb.body(body);
        }
        app.send(rb)
    };
    let json_ct = Some("application/json");
    let mut cases = 0usize;

    // Every endpoint with a body, every field, every wrong type.
    let bodies: Vec<Endpoint> = vec![
        (
            Method::POST,
            "/users".into(),
            vec![
                ("first_name", "string"),
                ("last_name", "string"),
                ("username", "string"),
                ("external_id", "string"),
                ("email_address", "strings"),
                ("phone_number", "strings"),
                ("web3_wallet", "strings"),
                ("public_metadata", "object"),
                ("private_metadata", "object"),
                ("unsafe_metadata", "object"),
                ("password", "string"),
                ("skip_password_checks", "bool"),
                ("created_at", "string"),
            ],
        ),
        (
            Method::PATCH,
            format!("/users/{member}"),
            vec![("first_name", "string"), ("last_name", "string"), ("username", "string"), ("external_id", "string")],
        ),
        (
            Method::PATCH,
            format!("/users/{member}/metadata"),
            vec![("public_metadata", "object"), ("private_metadata", "object"), ("unsafe_metadata", "object")],
        ),
        (
            Method::POST,
            "/organizations".into(),
            vec![
                ("name", "string"),
                ("slug", "string"),
                ("created_by", "string"),
                ("max_allowed_memberships", "int"),
                ("public_metadata", "object"),
                ("private_metadata", "object"),
            ],
        ),
        (
            Method::PATCH,
            format!("/organizations/{org}"),
            vec![
                ("name", "string"),
                ("slug", "string"),
                ("max_allowed_memberships", "int"),
                ("admin_delete_enabled", "bool"),
            ],
        ),
        (
            Method::PATCH,
            format!("/organizations/{org}/metadata"),
            vec![("public_metadata", "object"), ("private_metadata", "object")],
        ),
        (
            Method::POST,
            format!("/organizations/{org}/memberships"),
            vec![
                ("user_id", "string"),
                ("role", "string"),
                ("public_metadata", "object"),
                ("private_metadata", "object"),
            ],
        ),
        (Method::PATCH, format!("/organizations/{org}/memberships/{member}"), vec![("role", "string")]),
        (
            Method::PATCH,
            format!("/organizations/{org}/memberships/{member}/metadata"),
            vec![("public_metadata", "object"), ("private_metadata", "object")],
        ),
        (
            Method::POST,
            "/organization_roles".into(),
            vec![("key", "string"), ("name", "string"), ("description", "string")],
        ),
    ];
    for (method, path, fields) in &bodies {
        for (field, kind) in fields {
            for wrong in wrong_values(kind) {
                // A valid body but for this one field, so the field's check is what refuses it.
                let mut body = match (method.as_str(), path.as_str()) {
                    ("POST", p) if p.ends_with("/memberships") => json!({"user_id": owner, "role": "org:member"}),
                    ("POST", "/organizations") => json!({"name": "New"}),
                    ("POST", "/organization_roles") => json!({"key": "org:new", "name": "New"}),
                    _ => json!({}),
                };
                body[*field] = wrong.clone();
                let r = send(method.clone(), path.clone(), json_ct, Some(body.to_string().into_bytes())).await;
                clerk_4xx(&format!("{method} {path} {field}={wrong}"), &r);
                cases += 1;
            }
        }
    }

    // Oversized, deeply nested, invalid UTF-8, NUL, arrays over 100, on every body endpoint.
    let oversized = format!(r#"{{"first_name":"{}"}}"#, "x".repeat(1024 * 1024 + 1));
    let deep = format!("{}1{}", r#"{"public_metadata":"#.repeat(20_000), "}".repeat(20_000));
    let emails: Vec<String> = (0..101).map(|i| format!("many{i}@example.com")).collect();
    let many = json!({"email_address": emails, "public_metadata": {"k": (0..101).collect::<Vec<_>>()}}).to_string();
    let junk: Vec<Vec<u8>> = vec![
        oversized.into_bytes(),
        deep.into_bytes(),
        b"{\"first_name\":\"\xff\xfe\xfd\"}".to_vec(),
        b"{\"name\":\"\xc3\x28\"}".to_vec(),
        br#"{"first_name":"nul\u0000","name":"n\u0000","role":"org:\u0000"}"#.to_vec(),
        many.into_bytes(),
        b"{\"a\":1,\"a\":".to_vec(),
        vec![b'['; 100_000],
    ];
    for (method, path, _) in &bodies {
        for body in &junk {
            let r = send(method.clone(), path.clone(), json_ct, Some(body.clone())).await;
            clerk_4xx(&format!("{method} {path} junk {}", String::from_utf8_lossy(&body[..body.len().min(40)])), &r);
            cases += 1;
        }
    }

    // Huge query strings and arrays over 100 values in list filters; the longest URI hyper lets through is
    // 64 KB (beyond it hyper answers a bare 414 before Roster sees the request).
    let ids: String = (0..101).map(|i| format!("user_id=user_{i}&")).collect();
    let long = "a".repeat(60_000);
    let lists = [
        format!("/organizations/{org}/memberships?{ids}"),
        format!("/organization_memberships?order_by={long}"),
        format!("/users?{ids}"),
        format!("/organizations/{org}/memberships?limit={long}"),
        format!("/organizations/{org}/memberships?order_by={long}"),
        "/users?limit=501".to_owned(),
        "/organizations?offset=-1".to_owned(),
        format!("/organizations/{org}/memberships?role={}", "r&role=".repeat(101)),
    ];
    for path in lists {
        let r = send(Method::GET, path.clone(), None, None).await;
        clerk_4xx(&format!("GET {}", &path[..path.len().min(80)]), &r);
        cases += 1;
    }
    // A long free-text filter is not an error: it simply matches nothing.
    let r = send(Method::GET, format!("/organizations/{org}/memberships?query={long}"), None, None).await;
    assert_eq!(r.ok()["total_count"], 0);

    // Path segments with traversal and SQL metacharacters, in every position that takes an id.
    let segments = [
        "..%2F..%2Fetc%2Fpasswd",
        "%27%20OR%201%3D1--",
        "x%22%3B%20DROP%20TABLE%20users%3B--",
        "%00",
        "%E2%80%AE",
        "*",
    ];
    for seg in segments {
        for (method, path) in [
            (Method::GET, format!("/users/{seg}")),
            (Method::PATCH, format!("/users/{seg}")),
            (Method::DELETE, format!("/users/{seg}")),
            (Method::PATCH, format!("/users/{seg}/metadata")),
            (Method::GET, format!("/organizations/{seg}")),
            (Method::PATCH, format!("/organizations/{seg}")),
            (Method::DELETE, format!("/organizations/{seg}")),
            (Method::GET, format!("/organizations/{seg}/memberships")),
            (Method::POST, format!("/organizations/{seg}/memberships")),
            (Method::PATCH, format!("/organizations/{org}/memberships/{seg}")),
            (Method::DELETE, format!("/organizations/{org}/memberships/{seg}")),
            (Method::PATCH, format!("/organizations/{org}/memberships/{seg}/metadata")),
            (Method::GET, format!("/organization_roles/{seg}")),
            (Method::DELETE, format!("/organization_roles/{seg}")),
        ] {
            let body = json!({"role": "org:admin", "user_id": member, "name": "x"}).to_string().into_bytes();
            let r = send(method.clone(), path.clone(), json_ct, Some(body)).await;
            clerk_4xx(&format!("{method} {path}"), &r);
            cases += 1;
        }
    }

    let after = export(&app).await;
    assert!(
        before == after,
        "the database changed under bad input:\nbefore:\n{}\nafter:\n{}",
        String::from_utf8_lossy(&before),
        String::from_utf8_lossy(&after)
    );
    eprintln!("bad input: {cases} hostile requests, every answer a 4xx Clerk error, export unchanged");
    // The data is still served.
    assert_eq!(app.get(&format!("/organizations/{org}/memberships")).await.ok()["total_count"], 2);
}

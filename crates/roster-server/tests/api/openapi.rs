//! The OpenAPI document Roster serves (`GET /v1/openapi.json`, generated from the handlers' annotations and the
//! wire types) held to the Clerk spec it implements (spec/clerk-bapi.yml): every operation Roster
//! documents is the spec's (path, method, operationId), with the spec's query and path parameters (names, `in`,
//! types), and response schemas with the spec's component names, property names and required properties.
//! What Roster deliberately leaves out is listed below, each with its reason, and so are its own operations (bulk
//! writes, setting a session's active organization), which the spec does not have; anything else that differs fails.
//! And Roster serves no Clerk operation under `/v1` that its document leaves out.

use std::collections::{BTreeSet, HashSet};

use reqwest::Method;
use serde_json::Value;

use roster_testkit::TestApp;

/// Roster's own operations, beyond the Clerk spec: (method, path). Each says so in its summary.
const EXTENSIONS: &[(&str, &str)] = &[
    ("post", "/organizations/{organization_id}/memberships/bulk"),
    ("patch", "/organizations/{organization_id}/memberships/bulk"),
    ("delete", "/organizations/{organization_id}/memberships/bulk"),
    ("patch", "/sessions/{session_id}"),
    ("post", "/jwks/rotate"),
    ("get", "/events"),
    ("get", "/webhook_endpoints"),
    ("post", "/webhook_endpoints"),
    ("get", "/webhook_endpoints/{endpoint_id}"),
    ("patch", "/webhook_endpoints/{endpoint_id}"),
    ("delete", "/webhook_endpoints/{endpoint_id}"),
    ("post", "/webhook_endpoints/{endpoint_id}/rotate_secret"),
    ("get", "/webhook_endpoints/{endpoint_id}/attempts"),
    ("post", "/webhook_endpoints/{endpoint_id}/recover"),
    ("post", "/webhook_endpoints/{endpoint_id}/test"),
    ("post", "/organizations/{organization_id}/invitations/{invitation_id}/accept"),
    ("get", "/users/{user_id}/organization_suggestions"),
];

fn is_extension(method: &str, path: &str) -> bool {
    EXTENSIONS.contains(&(method, path))
}

/// Spec parameters Roster does not implement: (method, path, parameter).
const UNIMPLEMENTED_PARAMS: &[(&str, &str, &str)] = &[
    // Roster keeps no external (OAuth) accounts: there is no provider to filter users by.
    ("get", "/users", "provider"),
    ("get", "/users", "provider_user_id"),
    ("get", "/users/count", "provider"),
    ("get", "/users/count", "provider_user_id"),
    // Cursor pagination: Roster's lists page with `limit` and `offset` only.
    ("get", "/users", "starting_after"),
];

/// Properties of the spec's response schemas that Roster's responses leave out: (spec component, property).
/// Properties Roster adds to a spec schema (extensions, documented in the README): (component, property).
const EXTRA_PROPERTIES: &[(&str, &str)] = &[
    // Roster has no enterprise connections: a directory names its organization itself.
    ("SCIMDirectory", "organization_id"),
    // The role of members in no mapped group.
    ("SCIMDirectory", "default_role"),
];

const OMITTED_PROPERTIES: &[(&str, &str)] = &[
    // Roster does not track when an organization was last active.
    ("Organization", "last_active_at"),
    // Clerk sets it on some deleted users; Roster's deleted objects carry `id` (and an organization's `slug`).
    ("DeletedObject", "external_id"),
    // Roster signs nobody in: its sessions have no client activity (device, browser, location).
    ("Session", "latest_activity"),
    // Clerk embeds a user's memberships only in some answers; Roster serves them at
    // `GET /users/{user_id}/organization_memberships`.
    ("User", "organization_memberships"),
    // Roster moves members in the transaction that replaces a role or a set: no migration is ever in progress.
    ("RoleSet", "role_set_migration"),
    // A provisioned user's SCIM link lives in its directory (`/scim/v2/{directory_id}/Users`), not on the user.
    ("User", "scim"),
    // Roster's verifications are the Backend API's own (`admin`), never completed on a client.
    ("verification_admin", "verified_at_client"),
    // Roster's keys are bare RSA keys: no X.509 certificate chain.
    ("JWKS.rsa.PublicKey", "x5c"),
    ("JWKS.rsa.PublicKey", "x5t"),
    ("JWKS.rsa.PublicKey", "x5t#S256"),
    ("JWKS.rsa.PublicKey", "x5u"),
    // A top-level `meta` Clerk adds to some errors; each error's own `meta` is there.
    ("ClerkErrors", "meta"),
];

/// The spec's component names the document must use for Roster's wire types.
const COMPONENTS: &[&str] = &[
    "OrganizationMembership",
    "OrganizationMembershipPublicUserData",
    "OrganizationMemberships",
    "Organization",
    "Organizations",
    "User",
    "EmailAddress",
    "PhoneNumber",
    "Web3Wallet",
    "DeletedObject",
    "ClerkErrors",
    "ClerkError",
    "Role",
    "Roles",
    "Permission",
    "Permissions",
    "Session",
    "OrganizationSettings",
    "TotalCount",
];

const METHODS: &[&str] = &["get", "post", "put", "patch", "delete"];

/// The Clerk spec: `ROSTER_CLERK_SPEC`, else the copy in the repository, `spec/clerk-bapi.yml`.
fn clerk_spec() -> Value {
    let path = std::env::var("ROSTER_CLERK_SPEC")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../spec/clerk-bapi.yml").to_owned());
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading the Clerk spec at {path} (set ROSTER_CLERK_SPEC): {e}"));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

async fn served_document(app: &TestApp) -> Value {
    // No key: the document is public.
    let resp = app.send(app.client.get(app.url("/openapi.json"))).await;
    assert_eq!(resp.status, 200, "{}", resp.text);
    assert_eq!(resp.headers["content-type"], "application/json");
    assert!(resp.body.is_object(), "{}", resp.text);
    resp.body
}

/// Follow local `$ref`s; the name is the last component referred to.
fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> (Option<String>, &'a Value) {
    let mut name = None;
    while let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("non-local $ref {r}"));
        name = r.rsplit('/').next().map(str::to_owned);
        schema = root.pointer(pointer).unwrap_or_else(|| panic!("unresolvable $ref {r}"));
    }
    (name, schema)
}

/// Resolve, and see through wrappers with one non-null branch (`allOf: [X]`, `oneOf: [X, null]`).
fn unwrap<'a>(root: &'a Value, schema: &'a Value) -> (Option<String>, &'a Value) {
    let (name, schema) = resolve(root, schema);
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(items) = schema.get(key).and_then(Value::as_array) {
            let branches: Vec<&Value> = items.iter().filter(|b| b.get("type") != Some(&"null".into())).collect();
            if let [only] = branches.as_slice() {
                let (inner, schema) = unwrap(root, only);
                return (inner.or(name), schema);
            }
        }
    }
    (name, schema)
}

/// The JSON types a schema allows, `null` aside (OpenAPI 3.1 `type: [T, "null"]` and 3.0 `nullable` alike).
fn types(schema: &Value) -> BTreeSet<String> {
    match schema.get("type") {
        Some(Value::String(t)) => BTreeSet::from([t.clone()]),
        Some(Value::Array(ts)) => {
            ts.iter().filter_map(Value::as_str).filter(|t| *t != "null").map(Into::into).collect()
        }
        _ => BTreeSet::new(),
    }
}

fn properties(schema: &Value) -> Vec<&String> {
    schema.get("properties").and_then(Value::as_object).map(|p| p.keys().collect()).unwrap_or_default()
}

fn required(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The branches of a multi-branch `oneOf`/`anyOf`, resolved.
fn branches<'a>(root: &'a Value, schema: &'a Value) -> Option<Vec<(Option<String>, &'a Value)>> {
    ["oneOf", "anyOf"].iter().find_map(|k| schema.get(*k).and_then(Value::as_array)).map(|items| {
        items.iter().map(|b| unwrap(root, b)).filter(|(_, b)| b.get("type") != Some(&"null".into())).collect()
    })
}

struct Drift<'a> {
    roster: &'a Value,
    spec: &'a Value,
    problems: Vec<String>,
    compared: HashSet<(String, String)>,
}

impl Drift<'_> {
    fn problem(&mut self, p: String) {
        self.problems.push(p);
    }

    /// Roster's schema `r` against the spec's `s`, recursively through properties and array items.
    fn schema(&mut self, at: &str, r: &Value, s: &Value) {
        let (mut r_name, mut r) = unwrap(self.roster, r);
        let (mut s_name, mut s) = unwrap(self.spec, s);
        if let Some(options) = branches(self.spec, s) {
            // The spec allows several shapes (e.g. every kind of verification): Roster's must be one of them.
            match options
                .iter()
                .find(|(n, _)| n.is_some() && *n == r_name)
                .or_else(|| options.iter().find(|(_, b)| types(b) == types(r)))
            {
                Some((n, b)) => (s_name, s) = (n.clone(), b),
                None => {
                    return self.problem(format!("{at}: Roster's schema matches none of the spec's oneOf branches"))
                }
            }
        }
        if let Some(options) = branches(self.roster, r) {
            // Roster answers several shapes (`GET /sessions`: an array, or a page): one must be the spec's.
            match options.iter().find(|(_, b)| types(b) == types(s)) {
                Some((n, b)) => (r_name, r) = (n.clone(), b),
                None => return self.problem(format!("{at}: none of Roster's oneOf branches has the spec's type")),
            }
        }
        if let (Some(rn), Some(sn)) = (&r_name, &s_name) {
            if rn != sn {
                self.problem(format!("{at}: Roster's schema is named {rn}, the spec's {sn}"));
            }
            if !self.compared.insert((rn.clone(), sn.clone())) {
                return;
            }
        }
        if types(r).is_empty() && r.get("properties").is_none() {
            return; // Roster documents any JSON value here (always an empty array or null in its answers).
        }
        if types(r) != types(s) {
            return self.problem(format!("{at}: type {:?} in Roster, {:?} in the spec", types(r), types(s)));
        }
        let component = s_name.clone().unwrap_or_else(|| at.to_owned());
        let (r_props, s_props) = (properties(r), properties(s));
        for p in &r_props {
            if !s_props.contains(p) && !EXTRA_PROPERTIES.contains(&(component.as_str(), p.as_str())) {
                self.problem(format!("{at}: Roster's property `{p}` is not in the spec's {component}"));
            }
        }
        for p in &s_props {
            if !r_props.contains(p) && !OMITTED_PROPERTIES.contains(&(component.as_str(), p.as_str())) {
                self.problem(format!(
                    "{at}: the spec's {component}.{p} is missing from Roster's (not in OMITTED_PROPERTIES)"
                ));
            }
        }
        let r_required = required(r);
        for p in required(s) {
            if !r_required.contains(&p) {
                self.problem(format!("{at}: {component}.{p} is required in the spec, not in Roster's schema"));
            }
        }
        for p in r_props.iter().filter(|p| s_props.contains(p)) {
            self.schema(&format!("{at}.{p}"), &r["properties"][p.as_str()], &s["properties"][p.as_str()]);
        }
        if types(s).contains("array") {
            self.schema(
                &format!("{at}[]"),
                r.get("items").unwrap_or(&Value::Null),
                s.get("items").unwrap_or(&Value::Null),
            );
        }
    }

    /// One operation Roster documents against the spec's operation at the same path and method.
    fn operation(&mut self, path: &str, method: &str, op: &Value) {
        let at = format!("{} {path}", method.to_uppercase());
        let Some(spec_item) = self.spec["paths"].get(path) else {
            return self.problem(format!("{at}: no such path in the Clerk spec"));
        };
        let Some(spec_op) = spec_item.get(method) else {
            return self.problem(format!("{at}: the Clerk spec has no {method} on this path"));
        };
        if op["operationId"] != spec_op["operationId"] {
            self.problem(format!(
                "{at}: operationId {} in Roster, {} in the spec",
                op["operationId"], spec_op["operationId"]
            ));
        }

        let spec_params: Vec<&Value> = [spec_item.get("parameters"), spec_op.get("parameters")]
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten()
            .map(|p| resolve(self.spec, p).1)
            .filter(|p| matches!(p["in"].as_str(), Some("query" | "path")))
            .collect();
        let roster_params: Vec<&Value> = op.get("parameters").and_then(Value::as_array).into_iter().flatten().collect();
        for p in &roster_params {
            let (name, location) = (p["name"].as_str().unwrap_or("?"), p["in"].as_str().unwrap_or("?"));
            let Some(sp) = spec_params.iter().find(|sp| sp["name"] == p["name"]) else {
                self.problem(format!("{at}: parameter `{name}` is not in the spec"));
                continue;
            };
            if sp["in"] != p["in"] {
                self.problem(format!(
                    "{at}: parameter `{name}` is in {location} in Roster, in {} in the spec",
                    sp["in"].as_str().unwrap_or("?")
                ));
            }
            let (rs, ss) = (resolve(self.roster, &p["schema"]).1, resolve(self.spec, &sp["schema"]).1);
            let (rt, st) = (types(rs), types(ss));
            if rt != st {
                self.problem(format!("{at}: parameter `{name}` is {rt:?} in Roster, {st:?} in the spec"));
            } else if rt.contains("array") {
                let (ri, si) = (types(resolve(self.roster, &rs["items"]).1), types(resolve(self.spec, &ss["items"]).1));
                if ri != si {
                    self.problem(format!("{at}: parameter `{name}` has {ri:?} items in Roster, {si:?} in the spec"));
                }
                // Arrays repeat their key (`?role=a&role=b`: form style, exploded, the defaults in the query) unless
                // the spec says otherwise (`explode: false`, a comma list, on `GET /organization_domains`).
                let style = |q: &Value| q.get("style").cloned().unwrap_or_else(|| "form".into());
                let explode = |q: &Value| q.get("explode").cloned().unwrap_or(Value::Bool(true));
                if style(p) != style(sp) || explode(p) != explode(sp) {
                    self.problem(format!("{at}: array parameter `{name}` is not exploded as the spec says"));
                }
            }
        }
        for sp in &spec_params {
            let name = sp["name"].as_str().unwrap_or("?");
            let documented = roster_params.iter().any(|p| p["name"] == sp["name"]);
            if !documented && !UNIMPLEMENTED_PARAMS.contains(&(method, path, name)) {
                self.problem(format!(
                    "{at}: the spec's {} parameter `{name}` is not in Roster's document (nor in UNIMPLEMENTED_PARAMS)",
                    sp["in"].as_str().unwrap_or("?")
                ));
            }
        }

        let responses = op["responses"].as_object().cloned().unwrap_or_default();
        if !responses.contains_key("200") {
            self.problem(format!("{at}: Roster documents no 200 response"));
        }
        for (status, response) in &responses {
            let Some(spec_response) = spec_op["responses"].get(status) else { continue };
            let spec_response = resolve(self.spec, spec_response).1;
            let r = &resolve(self.roster, response).1["content"]["application/json"]["schema"];
            let s = &spec_response["content"]["application/json"]["schema"];
            if r.is_null() || s.is_null() {
                self.problem(format!("{at}: {status} has no application/json schema in Roster or in the spec"));
                continue;
            }
            self.schema(&format!("{} {status}", spec_op["operationId"].as_str().unwrap_or("?")), r, s);
        }
    }
}

/// Roster's operations: (method, path).
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter(|m| item.get(**m).is_some()).map(move |m| (m.to_string(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn openapi_document_matches_the_clerk_spec() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    let spec = clerk_spec();
    let mut drift = Drift { roster: &doc, spec: &spec, problems: Vec::new(), compared: HashSet::new() };

    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")), "{}", doc["openapi"]);
    let scheme = &doc["components"]["securitySchemes"]["bearerAuth"];
    assert_eq!((scheme["type"].as_str(), scheme["scheme"].as_str()), (Some("http"), Some("bearer")), "{scheme}");
    assert_eq!(doc["security"], serde_json::json!([{"bearerAuth": []}]));
    for name in COMPONENTS {
        if doc["components"]["schemas"].get(name).is_none() {
            drift.problem(format!("no component schema named {name}"));
        }
    }

    let operations = documented(&doc);
    assert!(operations.len() >= 40, "{operations:?}");
    for (method, path) in &operations {
        let op = &doc["paths"][path][method];
        if is_extension(method, path) {
            let summary = op["summary"].as_str().unwrap_or_default();
            assert!(summary.ends_with("(Roster extension)"), "{method} {path}: {summary}");
            assert!(spec["paths"].get(path).and_then(|item| item.get(method.as_str())).is_none(), "{path}");
            continue;
        }
        drift.operation(path, method, op);
    }
    for (method, path) in EXTENSIONS {
        assert!(operations.contains(&(method.to_string(), path.to_string())), "{method} {path} is not documented");
    }
    // The allow-lists name only what the spec has and Roster leaves out.
    for (method, path, name) in UNIMPLEMENTED_PARAMS {
        assert!(operations.contains(&(method.to_string(), path.to_string())), "{method} {path}");
        let op = &doc["paths"][path][method];
        assert!(!op["parameters"].as_array().unwrap().iter().any(|p| p["name"] == *name), "{path} documents {name}");
    }
    for (component, property) in OMITTED_PROPERTIES {
        assert!(
            spec["components"]["schemas"][component]["properties"].get(property).is_some(),
            "{component}.{property}"
        );
        let roster = &doc["components"]["schemas"][component];
        assert!(roster.is_object() && roster["properties"].get(property).is_none(), "{component}.{property}");
    }

    assert!(
        drift.problems.is_empty(),
        "the OpenAPI document drifted from the Clerk spec:\n  {}",
        drift.problems.join("\n  ")
    );
}

/// Every Clerk operation Roster answers (one request to each of the spec's operations, routes read from
/// `/metrics`) is in the document, and every documented one is served.
#[tokio::test]
async fn every_served_clerk_operation_is_documented() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    let spec = clerk_spec();
    let spec_operations = spec["paths"].as_object().unwrap().iter().flat_map(|(path, item)| {
        METHODS.iter().filter(|m| item.get(**m).is_some()).map(move |m| (m.to_string(), path.clone()))
    });
    let extensions = EXTENSIONS.iter().map(|(m, p)| (m.to_string(), p.to_string()));
    for (method, path) in spec_operations.chain(extensions) {
        let concrete = path.split('/').map(|s| if s.starts_with('{') { "x" } else { s }).collect::<Vec<_>>().join("/");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        app.send(app.request(method, &concrete)).await;
    }
    let origin = app.base.strip_suffix("/v1").unwrap();
    let metrics = app.client.get(format!("{origin}/metrics")).send().await.unwrap().text().await.unwrap();
    let label = |line: &str, key: &str| -> String {
        let start = line.find(&format!("{key}=\"")).map(|i| i + key.len() + 2).unwrap_or(0);
        line[start..].split('"').next().unwrap_or("").to_owned()
    };
    let served: BTreeSet<(String, String)> = metrics
        .lines()
        .filter(|l| l.starts_with("roster_http_requests_total{"))
        .filter(|l| label(l, "status") != "405")
        .filter_map(|l| {
            let route = label(l, "route");
            let path = route.strip_prefix("/v1")?.to_owned();
            (path != "/openapi.json").then(|| (label(l, "method").to_lowercase(), path))
        })
        .collect();
    let operations = documented(&doc);
    let undocumented: Vec<_> = served.difference(&operations).collect();
    let unserved: Vec<_> = operations.difference(&served).collect();
    assert!(undocumented.is_empty(), "served but not in /v1/openapi.json: {undocumented:?}");
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");
}

#[tokio::test]
async fn openapi_document_needs_no_key_and_refuses_other_methods() {
    let app = TestApp::spawn().await;
    let doc = served_document(&app).await;
    assert_eq!(doc["servers"][0]["url"], "/v1");
    // A wrong key does not matter either: the document is outside the authenticated routes.
    let resp = app.send(app.client.get(app.url("/openapi.json")).bearer_auth("sk_test_wrong")).await;
    assert_eq!(resp.status, 200);
    app.send(app.client.post(app.url("/openapi.json"))).await.err(405, "request_method_not_allowed");
}

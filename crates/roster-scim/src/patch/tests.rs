use super::*;
use crate::ResourceKind::{Group, User};
use serde_json::{json, Value};

const U: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const G: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const E: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const P: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn user() -> Value {
    json!({
        "schemas": [U],
        "externalId": "ext",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "active": true,
        "emails": [
            {"value": "b@work.com", "type": "work", "primary": true},
            {"value": "b@home.org", "type": "home"}
        ]
    })
}

fn group() -> Value {
    json!({"schemas": [G], "displayName": "Eng", "members": [{"value": "u1", "display": "One"}, {"value": "u2"}]})
}

fn run(kind: crate::ResourceKind, start: Value, body: Value) -> Result<Value, ScimError> {
    let ops = parse(body)?;
    let mut r = start;
    apply(kind, &mut r, &ops)?;
    Ok(r)
}

fn ok(kind: crate::ResourceKind, start: Value, body: Value) -> Value {
    run(kind, start, body).unwrap_or_else(|e| panic!("{e}"))
}

fn err(kind: crate::ResourceKind, start: Value, body: Value) -> (u16, Option<&'static str>) {
    match run(kind, start.clone(), body) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => (e.status, e.scim_type),
    }
}

fn ops(list: Value) -> Value {
    json!({"schemas": [P], "Operations": list})
}

#[test]
fn parse_shapes() {
    let parsed = parse(json!({"schemas": [P], "operations": [
        {"OP": "Add", "Path": "title", "Value": "x"},
        {"op": "REPLACE", "value": {"active": false}},
        {"op": "remove", "path": "emails[type eq \"work\"]"},
        {"op": "replace", "path": "", "value": {"title": "y"}}
    ]}))
    .unwrap();
    assert_eq!(parsed.len(), 4);
    assert_eq!(parsed[0].op, OpKind::Add);
    assert_eq!(parsed[0].path.as_ref().map(ToString::to_string).as_deref(), Some("title"));
    assert_eq!(parsed[1].op, OpKind::Replace);
    assert!(parsed[1].path.is_none());
    assert!(matches!(parsed[2].path, Some(PatchPath::Value(_))));
    assert!(parsed[3].path.is_none(), "empty path counts as absent");
}

#[test]
fn parse_errors() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]}), "invalidSyntax"),
        (json!({"schemas": [U], "Operations": [{"op": "add", "path": "title", "value": "x"}]}), "invalidSyntax"),
        (json!({"schemas": [P]}), "invalidSyntax"),
        (json!({"schemas": [P], "Operations": []}), "invalidSyntax"),
        (json!({"schemas": [P], "Operations": {"op": "add"}}), "invalidSyntax"),
        (ops(json!([{"op": "merge", "path": "title", "value": "x"}])), "invalidSyntax"),
        (ops(json!([{"path": "title", "value": "x"}])), "invalidSyntax"),
        (ops(json!(["add"])), "invalidSyntax"),
        (ops(json!([{"op": "remove"}])), "noTarget"),
        (ops(json!([{"op": "add", "path": "title"}])), "invalidValue"),
        (ops(json!([{"op": "add", "path": "title", "value": null}])), "invalidValue"),
        (ops(json!([{"op": "replace", "path": "title"}])), "invalidValue"),
        (ops(json!([{"op": "add", "value": "x"}])), "invalidValue"),
        (ops(json!([{"op": "add", "path": "emails[type eq", "value": "x"}])), "invalidPath"),
        (ops(json!([{"op": "add", "path": 5, "value": "x"}])), "invalidPath"),
        (json!("PatchOp"), "invalidSyntax"),
    ];
    for (body, want) in cases {
        let shown = body.to_string();
        let e = parse(body).expect_err(&shown);
        assert_eq!((e.status, e.scim_type), (400, Some(want)), "{shown}");
    }
    let many: Vec<Value> = (0..1001).map(|_| json!({"op": "add", "path": "title", "value": "x"})).collect();
    assert_eq!(parse(ops(Value::Array(many))).unwrap_err().scim_type, Some("tooMany"));
}

#[test]
fn add_simple_complex_and_multi() {
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "add", "path": "title", "value": "Tour Guide"},
            {"op": "add", "path": "name", "value": {"middleName": "Jane", "givenName": "Babs"}},
            {"op": "add", "path": "emails", "value": [{"value": "new@x.com", "type": "other", "primary": true}]}
        ])),
    );
    assert_eq!(r["title"], json!("Tour Guide"));
    assert_eq!(r["name"], json!({"familyName": "Jensen", "givenName": "Babs", "middleName": "Jane"}));
    assert_eq!(r["emails"].as_array().map(Vec::len), Some(3));
    assert_eq!(r["emails"][0]["primary"], json!(false), "new primary clears the old one");
    assert_eq!(r["emails"][2]["primary"], json!(true));
}

#[test]
fn add_sub_attribute_and_value_path() {
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "add", "path": "name.middleName", "value": "J"},
            {"op": "add", "path": "emails[type eq \"home\"].display", "value": "Home"}
        ])),
    );
    assert_eq!(r["name"]["middleName"], json!("J"));
    assert_eq!(r["emails"][1]["display"], json!("Home"));
    assert!(r["emails"][0].get("display").is_none());
}

#[test]
fn replace_forms() {
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "replace", "path": "userName", "value": "new"},
            {"op": "replace", "path": "name", "value": {"givenName": "B"}},
            {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w2@x.com"}
        ])),
    );
    assert_eq!(r["userName"], json!("new"));
    assert_eq!(r["name"], json!({"familyName": "Jensen", "givenName": "B"}), "complex replace merges");
    assert_eq!(r["emails"][0]["value"], json!("w2@x.com"));
    assert_eq!(r["emails"][1]["value"], json!("b@home.org"));
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "replace", "path": "emails", "value": [{"value": "only@x.com"}]}
        ])),
    );
    assert_eq!(r["emails"], json!([{"value": "only@x.com"}]), "multi-valued replace replaces all");
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "replace", "path": "emails[type eq \"home\"]", "value": {"value": "h2@x.org", "type": "home"}}
        ])),
    );
    assert_eq!(r["emails"][1], json!({"value": "h2@x.org", "type": "home"}));
    let r = ok(User, user(), ops(json!([{"op": "replace", "path": "title", "value": null}])));
    assert!(r.get("title").is_none());
}

#[test]
fn remove_forms() {
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "remove", "path": "name.givenName"},
            {"op": "remove", "path": "emails[type eq \"work\"]"},
            {"op": "remove", "path": "externalId"}
        ])),
    );
    assert_eq!(r["name"], json!({"familyName": "Jensen"}));
    assert_eq!(r["emails"], json!([{"value": "b@home.org", "type": "home"}]));
    assert!(r.get("externalId").is_none());
    let r = ok(User, user(), ops(json!([{"op": "remove", "path": "emails"}, {"op": "remove", "path": "name"}])));
    assert!(r.get("emails").is_none() && r.get("name").is_none());
    // Removing through a filter that matches nothing is a no-op.
    let r = ok(User, user(), ops(json!([{"op": "remove", "path": "emails[type eq \"nope\"]"}])));
    assert_eq!(r, user());
    let r = ok(User, user(), ops(json!([{"op": "remove", "path": "emails[type eq \"home\"].type"}])));
    assert_eq!(r["emails"][1], json!({"value": "b@home.org"}));
}

#[test]
fn okta_requests() {
    // Okta deactivation.
    let r = ok(
        User,
        user(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": false}}]
        }),
    );
    assert_eq!(r["active"], json!(false));
    // Okta sends id alongside in a pathless replace: ignored.
    let r = ok(User, user(), ops(json!([{"op": "replace", "value": {"id": "x", "active": false, "meta": {}}}])));
    assert_eq!(r["active"], json!(false));
    assert!(r.get("id").is_none());
    // Okta group membership.
    let r = ok(
        Group,
        group(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "remove", "path": "members[value eq \"u1\"]"}]
        }),
    );
    assert_eq!(r["members"], json!([{"value": "u2"}]));
    let r = ok(
        Group,
        group(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "add", "path": "members", "value": [{"value": "u3", "display": "Three"}, {"value": "u1"}]}]
        }),
    );
    assert_eq!(crate::group_members(&r), ["u1", "u2", "u3"]);
    assert_eq!(r["members"][0]["display"], json!("One"), "existing member kept as is");
    let r = ok(
        Group,
        group(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "members", "value": [{"value": "u9"}]}]
        }),
    );
    assert_eq!(r["members"], json!([{"value": "u9"}]));
    let r = ok(Group, group(), ops(json!([{"op": "replace", "value": {"id": "g", "displayName": "Renamed"}}])));
    assert_eq!(r["displayName"], json!("Renamed"));
}

#[test]
fn entra_requests() {
    let r = ok(
        User,
        user(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "displayName", "value": "Babs Jensen"},
                {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "babs@work.com"},
                {"op": "Replace", "path": "name.familyName", "value": "Jensen-Smith"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"},
                {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "mgr-1"}
            ]
        }),
    );
    assert_eq!(r["active"], json!(false));
    assert_eq!(r["displayName"], json!("Babs Jensen"));
    assert_eq!(r["emails"][0]["value"], json!("babs@work.com"));
    assert_eq!(r["name"]["familyName"], json!("Jensen-Smith"));
    assert_eq!(r[E], json!({"department": "Sales", "manager": {"value": "mgr-1"}}));
    assert_eq!(r["schemas"], json!([U, E]));
    // Replace on a value path with no match creates the element (Entra first sets a work email).
    let start = json!({"schemas": [U], "userName": "u"});
    let r = ok(
        User,
        start,
        ops(json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "w@x.com"},
            {"op": "Replace", "path": "emails[type eq \"work\"].primary", "value": "True"}
        ])),
    );
    assert_eq!(r["emails"], json!([{"value": "w@x.com", "type": "work", "primary": true}]));
    // Pathless replace with dotted keys and URN-prefixed keys.
    let r = ok(
        User,
        user(),
        ops(json!([{"op": "Replace", "value": {
            "name.givenName": "Bee",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Ops",
            "active": "True",
            "addresses[type eq \"work\"].streetAddress": "ignored"
        }}])),
    );
    assert_eq!(r["name"]["givenName"], json!("Bee"));
    assert_eq!(r[E]["department"], json!("Ops"));
    assert_eq!(r["active"], json!(true));
    assert!(r.get("addresses").is_none());
    // Group membership.
    let r = ok(
        Group,
        group(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Remove", "path": "members", "value": [{"value": "u2"}]}]
        }),
    );
    assert_eq!(r["members"], json!([{"value": "u1", "display": "One"}]));
    let r = ok(
        Group,
        group(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "Add", "path": "members", "value": [{"value": "u7"}]}]
        }),
    );
    assert_eq!(crate::group_members(&r), ["u1", "u2", "u7"]);
    let r = ok(
        Group,
        group(),
        ops(json!([{"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u2"}]}])),
    );
    assert!(r.get("members").is_none());
}

#[test]
fn extension_whole_object() {
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "add", "path": E, "value": {"schemas": [E], "employeeNumber": "1", "division": "D"}}
        ])),
    );
    assert_eq!(r[E], json!({"employeeNumber": "1", "division": "D"}));
    let r = ok(User, r, ops(json!([{"op": "replace", "path": E, "value": {"division": "D2"}}])));
    assert_eq!(r[E], json!({"employeeNumber": "1", "division": "D2"}));
    let r = ok(User, r, ops(json!([{"op": "remove", "path": format!("{E}:employeeNumber")}])));
    assert_eq!(r[E], json!({"division": "D2"}));
    let r = ok(User, r, ops(json!([{"op": "remove", "path": E}])));
    assert!(r.get(E).is_none());
    assert_eq!(r["schemas"], json!([U]));
}

#[test]
fn unknown_attributes_are_ignored() {
    let r = ok(
        User,
        user(),
        ops(json!([
            {"op": "add", "path": "phoneNumbers[type eq \"work\"].value", "value": "123"},
            {"op": "replace", "path": "preferredLanguage", "value": "en"},
            {"op": "remove", "path": "urn:example:custom:attr"},
            {"op": "add", "path": "schemas", "value": ["x"]}
        ])),
    );
    assert_eq!(r, user());
}

#[test]
fn error_cases() {
    let cases: Vec<(Value, Value, &str)> = vec![
        (user(), json!([{"op": "replace", "path": "id", "value": "x"}]), "mutability"),
        (user(), json!([{"op": "replace", "path": "meta.lastModified", "value": "x"}]), "mutability"),
        (user(), json!([{"op": "add", "path": "groups", "value": [{"value": "g"}]}]), "mutability"),
        (user(), json!([{"op": "remove", "path": "userName"}]), "mutability"),
        (user(), json!([{"op": "replace", "path": "userName", "value": null}]), "mutability"),
        (user(), json!([{"op": "replace", "path": "emails[type eq \"nope\"]", "value": {"value": "x"}}]), "noTarget"),
        (
            user(),
            json!([{"op": "add", "path": "emails[type ne \"work\" and type ne \"home\"].display", "value": "x"}]),
            "noTarget",
        ),
        (user(), json!([{"op": "add", "path": "emails[type eq \"nope\"]", "value": {"display": "x"}}]), "noTarget"),
        (user(), json!([{"op": "add", "path": "userName.x", "value": "x"}]), "invalidPath"),
        (user(), json!([{"op": "add", "path": "title[value eq \"x\"]", "value": "x"}]), "invalidPath"),
        (user(), json!([{"op": "add", "path": "name[givenName eq \"x\"]", "value": "x"}]), "invalidPath"),
        (user(), json!([{"op": "add", "path": "emails[nosuch eq \"x\"].value", "value": "x"}]), "invalidFilter"),
        (user(), json!([{"op": "replace", "path": "active", "value": "maybe"}]), "invalidValue"),
        (user(), json!([{"op": "replace", "path": "userName", "value": {"a": 1}}]), "invalidValue"),
        (user(), json!([{"op": "add", "path": "name", "value": 7}]), "invalidValue"),
        (user(), json!([{"op": "add", "path": "emails", "value": [[1]]}]), "invalidValue"),
        (user(), json!([{"op": "add", "path": E, "value": "x"}]), "invalidValue"),
        (group(), json!([{"op": "replace", "path": "members[value eq \"u1\"].value", "value": "other"}]), "mutability"),
        (group(), json!([{"op": "remove", "path": "displayName"}]), "mutability"),
    ];
    for (start, list, want) in cases {
        let shown = list.to_string();
        let kind = if start["schemas"][0] == json!(G) { Group } else { User };
        assert_eq!(err(kind, start, ops(list)), (400, Some(want)), "{shown}");
    }
}

#[test]
fn failed_apply_leaves_resource_unchanged() {
    let mut r = user();
    let ops = parse(ops(json!([
        {"op": "replace", "path": "title", "value": "changed"},
        {"op": "remove", "path": "userName"}
    ])))
    .unwrap();
    assert!(apply(User, &mut r, &ops).is_err());
    assert_eq!(r, user());
}

#[test]
fn add_to_empty_resource_via_sub_paths() {
    let start = json!({"schemas": [U], "userName": "u"});
    let r = ok(
        User,
        start,
        ops(json!([
            {"op": "add", "path": "name.givenName", "value": "G"},
            {"op": "add", "path": "emails.value", "value": "a@b.c"}
        ])),
    );
    assert_eq!(r["name"], json!({"givenName": "G"}));
    assert_eq!(r["emails"], json!([{"value": "a@b.c"}]));
}

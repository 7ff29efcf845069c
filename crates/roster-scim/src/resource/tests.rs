use super::*;
use crate::ResourceKind::{Group, User};
use serde_json::json;

const U: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
const G: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
const E: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

fn scim_type(r: Result<Value, crate::ScimError>) -> (u16, Option<&'static str>) {
    match r {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => (e.status, e.scim_type),
    }
}

#[test]
fn canonicalizes_names_and_order() {
    let out = normalize(
        User,
        json!({
            "SCHEMAS": [U],
            "active": true,
            "username": "bjensen",
            "Name": {"GIVENNAME": "Barbara", "familyname": "Jensen", "bogus": 1},
            "EXTERNALID": "ext-1",
            "emails": [{"Value": "b@x.com", "TYPE": "work", "Primary": "True"}],
        }),
    )
    .unwrap();
    assert_eq!(
        out,
        json!({
            "schemas": [U],
            "externalId": "ext-1",
            "userName": "bjensen",
            "name": {"familyName": "Jensen", "givenName": "Barbara"},
            "active": true,
            "emails": [{"value": "b@x.com", "type": "work", "primary": true}],
        })
    );
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["schemas", "externalId", "userName", "name", "active", "emails"]);
    // Idempotent.
    assert_eq!(normalize(User, out.clone()).unwrap(), out);
}

#[test]
fn drops_read_only_unknown_and_nulls() {
    let out = normalize(
        User,
        json!({
            "schemas": [U, "urn:example:unknown"],
            "id": "abc",
            "meta": {"created": "x"},
            "userName": "u",
            "groups": [{"value": "g1"}],
            "phoneNumbers": [{"value": "123"}],
            "title": null,
            "emails": [],
            "name": {"givenName": null},
        }),
    )
    .unwrap();
    assert_eq!(out, json!({"schemas": [U], "userName": "u"}));
}

#[test]
fn coerces_entra_booleans_numbers_and_manager() {
    let out = normalize(
        User,
        json!({
            "schemas": [U, E],
            "userName": "u",
            "active": "False",
            "nickName": 42,
            E: {"employeeNumber": 701984, "manager": "mgr-id", "Department": "Tour Operations"},
        }),
    )
    .unwrap();
    assert_eq!(out["active"], json!(false));
    assert_eq!(out["nickName"], json!("42"));
    assert_eq!(
        out[E],
        json!({"employeeNumber": "701984", "department": "Tour Operations", "manager": {"value": "mgr-id"}})
    );
    assert_eq!(out["schemas"], json!([U, E]));
}

#[test]
fn extension_keys_and_urn_prefixed_attributes() {
    let out = normalize(
        User,
        json!({
            "schemas": [U],
            "urn:ietf:params:scim:schemas:core:2.0:User:userName": "viaurn",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user": {"division": "d"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter": "cc",
        }),
    )
    .unwrap();
    assert_eq!(out["userName"], json!("viaurn"));
    assert_eq!(out[E], json!({"costCenter": "cc", "division": "d"}));
    assert_eq!(out["schemas"], json!([U, E]));
    // An empty extension object is dropped along with its URN.
    let out = normalize(User, json!({"schemas": [U, E], "userName": "u", E: {}})).unwrap();
    assert_eq!(out, json!({"schemas": [U], "userName": "u"}));
}

#[test]
fn primary_at_most_once_and_single_object_wrapped() {
    let out = normalize(
        User,
        json!({"schemas": [U], "userName": "u", "emails": [
            {"value": "a@x", "primary": true}, {"value": "b@x", "primary": true}
        ]}),
    )
    .unwrap();
    assert_eq!(out["emails"][0]["primary"], json!(true));
    assert_eq!(out["emails"][1]["primary"], json!(false));
    let out = normalize(User, json!({"schemas": [U], "userName": "u", "emails": {"value": "a@x"}})).unwrap();
    assert_eq!(out["emails"], json!([{"value": "a@x"}]));
}

#[test]
fn schema_errors_are_invalid_syntax() {
    let bad = [
        json!({"userName": "u"}),
        json!({"schemas": U, "userName": "u"}),
        json!({"schemas": [1], "userName": "u"}),
        json!({"schemas": [G], "userName": "u"}),
        json!([1, 2]),
        json!("string"),
    ];
    for b in bad {
        assert_eq!(scim_type(normalize(User, b)), (400, Some("invalidSyntax")));
    }
}

#[test]
fn type_and_required_errors_are_invalid_value() {
    let bad = [
        json!({"schemas": [U]}),
        json!({"schemas": [U], "userName": ""}),
        json!({"schemas": [U], "userName": "   "}),
        json!({"schemas": [U], "userName": null}),
        json!({"schemas": [U], "userName": ["u"]}),
        json!({"schemas": [U], "userName": {"a": 1}}),
        json!({"schemas": [U], "userName": "u", "active": "yes"}),
        json!({"schemas": [U], "userName": "u", "active": 1}),
        json!({"schemas": [U], "userName": "u", "name": "Barbara"}),
        json!({"schemas": [U], "userName": "u", "title": true}),
        json!({"schemas": [U], "userName": "u", "emails": [[{"value": "x"}]]}),
        json!({"schemas": [U], "userName": "u", "emails": [{"primary": "maybe"}]}),
        json!({"schemas": [U], "userName": "u", E: "not an object"}),
    ];
    for b in bad {
        let shown = b.to_string();
        assert_eq!(scim_type(normalize(User, b)), (400, Some("invalidValue")), "{shown}");
    }
    assert_eq!(scim_type(normalize(Group, json!({"schemas": [G], "members": []}))), (400, Some("invalidValue")));
}

#[test]
fn group_members_kept_with_all_sub_attributes() {
    let out = normalize(
        Group,
        json!({"schemas": [G], "displayName": "Eng", "members": [
            {"value": "u1", "$ref": "https://x/Users/u1", "display": "B", "type": "User", "extra": 1}
        ]}),
    )
    .unwrap();
    assert_eq!(
        out,
        json!({"schemas": [G], "displayName": "Eng", "members": [
            {"value": "u1", "$ref": "https://x/Users/u1", "display": "B", "type": "User"}
        ]})
    );
}

#[test]
fn with_meta_builds_representation() {
    let body = json!({"schemas": [U], "userName": "u", "id": "ignored"});
    let v = with_meta(User, &body, "usr_1", 0, 1_305_261_754_123, 7, "http://h/scim/v2/dir_a/");
    assert_eq!(
        v,
        json!({
            "schemas": [U],
            "id": "usr_1",
            "userName": "u",
            "meta": {
                "resourceType": "User",
                "created": "1970-01-01T00:00:00.000Z",
                "lastModified": "2011-05-13T04:42:34.123Z",
                "location": "http://h/scim/v2/dir_a/Users/usr_1",
                "version": "W/\"7\""
            }
        })
    );
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["schemas", "id", "userName", "meta"]);
    let g = with_meta(Group, &json!({}), "g", 0, 0, 1, "http://h");
    assert_eq!(g["schemas"], json!([G]));
    assert_eq!(g["meta"]["location"], json!("http://h/Groups/g"));
}

#[test]
fn etags() {
    assert_eq!(etag(3), "W/\"3\"");
    assert!(if_match("W/\"3\"", 3));
    assert!(if_match("\"3\"", 3));
    assert!(if_match("*", 9));
    assert!(if_match("W/\"1\", W/\"3\"", 3));
    assert!(!if_match("W/\"4\"", 3));
    assert!(!if_match("", 3));
}

#[test]
fn user_groups_value() {
    let v = user_groups("http://h/", &[("g1".into(), "Eng".into())]);
    assert_eq!(v, json!([{"value": "g1", "$ref": "http://h/Groups/g1", "display": "Eng"}]));
}

fn full_user() -> Value {
    json!({
        "schemas": [U, E],
        "id": "1",
        "externalId": "e",
        "userName": "u",
        "name": {"givenName": "B", "familyName": "J"},
        "emails": [{"value": "a@x", "type": "work"}, {"value": "b@x", "type": "home"}],
        E: {"department": "D", "costCenter": "C"},
        "meta": {"resourceType": "User"}
    })
}

#[test]
fn project_attributes() {
    let full = full_user();
    let v = project(User, &full, Some("externalId"), None).unwrap();
    assert_eq!(v, json!({"schemas": [U, E], "id": "1", "externalId": "e"}));
    let v = project(User, &full, Some("NAME.givenName, emails.value"), None).unwrap();
    assert_eq!(
        v,
        json!({"schemas": [U, E], "id": "1", "name": {"givenName": "B"},
               "emails": [{"value": "a@x"}, {"value": "b@x"}]})
    );
    let v = project(User, &full, Some(&format!("{U}:userName,{E}:department")), None).unwrap();
    assert_eq!(v, json!({"schemas": [U, E], "id": "1", "userName": "u", E: {"department": "D"}}));
    let v = project(User, &full, Some(E), None).unwrap();
    assert_eq!(v[E], json!({"department": "D", "costCenter": "C"}));
    // Unknown names are ignored.
    let v = project(User, &full, Some("nosuch"), None).unwrap();
    assert_eq!(v, json!({"schemas": [U, E], "id": "1"}));
}

#[test]
fn project_excluded_attributes() {
    let full = full_user();
    let v = project(User, &full, None, Some("name,id,meta")).unwrap();
    assert!(v.get("name").is_none());
    assert!(v.get("meta").is_none());
    assert_eq!(v["id"], json!("1"), "returned:always survives exclusion");
    assert_eq!(v["userName"], json!("u"));
    let v = project(User, &full, None, Some("emails.type")).unwrap();
    assert_eq!(v["emails"], json!([{"value": "a@x"}, {"value": "b@x"}]));
    let v = project(User, &full, None, Some(&format!("{E}:department"))).unwrap();
    assert_eq!(v[E], json!({"costCenter": "C"}));
    let v = project(User, &full, None, Some(E)).unwrap();
    assert!(v.get(E).is_none());
    let v = project(User, &full, None, None).unwrap();
    assert_eq!(v, full);
    let g = json!({"schemas": [G], "id": "g", "displayName": "x", "members": [{"value": "1"}]});
    let v = project(Group, &g, None, Some("members")).unwrap();
    assert_eq!(v, json!({"schemas": [G], "id": "g", "displayName": "x"}));
}

#[test]
fn project_rejects_malformed_paths() {
    let full = full_user();
    for bad in ["emails[type eq \"work\"]", "userName.sub", "1abc", "a..b"] {
        let r = project(User, &full, Some(bad), None);
        assert_eq!(scim_type(r), (400, Some("invalidValue")), "{bad}");
    }
}

use roster_scim::discovery;
use serde_json::{json, Value};

const BASE: &str = "http://127.0.0.1:3000/scim/v2/dir_abc";

#[test]
fn service_provider_config() {
    let v = discovery::service_provider_config(BASE);
    assert_eq!(v["schemas"], json!(["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]));
    assert_eq!(v["patch"]["supported"], json!(true));
    assert_eq!(v["bulk"]["supported"], json!(false));
    assert_eq!(v["filter"], json!({"supported": true, "maxResults": 500}));
    assert_eq!(v["changePassword"]["supported"], json!(false));
    assert_eq!(v["sort"]["supported"], json!(true));
    assert_eq!(v["etag"]["supported"], json!(true));
    assert_eq!(v["authenticationSchemes"][0]["type"], json!("oauthbearertoken"));
    assert_eq!(v["meta"]["location"], json!(format!("{BASE}/ServiceProviderConfig")));
    assert_eq!(v["meta"]["resourceType"], json!("ServiceProviderConfig"));
}

#[test]
fn resource_types() {
    let v = discovery::resource_types(&format!("{BASE}/"));
    assert_eq!(v["totalResults"], json!(2));
    let ids: Vec<&Value> = v["Resources"].as_array().unwrap().iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, [&json!("User"), &json!("Group")]);
    let user = discovery::resource_type(BASE, "user").unwrap();
    assert_eq!(user["endpoint"], json!("/Users"));
    assert_eq!(user["schema"], json!("urn:ietf:params:scim:schemas:core:2.0:User"));
    assert_eq!(
        user["schemaExtensions"],
        json!([{"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", "required": false}])
    );
    assert_eq!(user["meta"]["location"], json!(format!("{BASE}/ResourceTypes/User")));
    let group = discovery::resource_type(BASE, "Group").unwrap();
    assert_eq!(group["endpoint"], json!("/Groups"));
    assert!(group.get("schemaExtensions").is_none());
    assert!(discovery::resource_type(BASE, "Nope").is_none());
}

fn attr<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["attributes"].as_array().and_then(|a| a.iter().find(|x| x["name"] == json!(name))).unwrap_or(&Value::Null)
}

#[test]
fn schemas() {
    let v = discovery::schemas(BASE);
    let ids: Vec<&str> = v["Resources"].as_array().unwrap().iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "urn:ietf:params:scim:schemas:core:2.0:User",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
            "urn:ietf:params:scim:schemas:core:2.0:Group"
        ]
    );
    let user = discovery::schema(BASE, "URN:ietf:params:scim:schemas:core:2.0:User").unwrap();
    let un = attr(&user, "userName");
    assert_eq!(un["required"], json!(true));
    assert_eq!(un["uniqueness"], json!("server"));
    assert_eq!(un["caseExact"], json!(false));
    assert_eq!(attr(&user, "active")["type"], json!("boolean"));
    assert_eq!(attr(&user, "groups")["mutability"], json!("readOnly"));
    assert_eq!(attr(&user, "emails")["multiValued"], json!(true));
    assert!(attr(&user, "externalId").is_null(), "common attributes are not listed");
    assert!(attr(&user, "id").is_null());
    let types = &attr(&user, "emails")["subAttributes"][1];
    assert_eq!(types["canonicalValues"], json!(["work", "home", "other"]));
    let group = discovery::schema(BASE, "urn:ietf:params:scim:schemas:core:2.0:Group").unwrap();
    let members = attr(&group, "members");
    assert_eq!(members["subAttributes"][0]["name"], json!("value"));
    assert_eq!(members["subAttributes"][0]["mutability"], json!("immutable"));
    assert_eq!(members["subAttributes"][1]["referenceTypes"], json!(["User", "Group"]));
    assert_eq!(group["meta"]["location"], json!(format!("{BASE}/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group")));
    assert!(discovery::schema(BASE, "urn:nope").is_none());
    // Every attribute carries the RFC 7643 §7 characteristics.
    for s in v["Resources"].as_array().unwrap() {
        for a in s["attributes"].as_array().unwrap() {
            for key in ["name", "type", "multiValued", "required", "caseExact", "mutability", "returned", "uniqueness"]
            {
                assert!(a.get(key).is_some(), "{} lacks {key}", a["name"]);
            }
        }
    }
}

#[test]
fn error_body() {
    let e = roster_scim::ScimError::invalid_filter("bad");
    assert_eq!(
        e.body(),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "400", "scimType": "invalidFilter", "detail": "bad"})
    );
    let e = roster_scim::ScimError::not_found("gone");
    assert_eq!(
        e.body(),
        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "404", "detail": "gone"})
    );
    assert_eq!(roster_scim::ScimError::uniqueness("x").status, 409);
    assert_eq!(roster_scim::ScimError::uniqueness("x").scim_type, Some("uniqueness"));
    assert_eq!(roster_scim::ScimError::precondition_failed("x").status, 412);
    assert_eq!(roster_scim::ScimError::payload_too_large("x").status, 413);
    assert_eq!(roster_scim::ScimError::conflict("x").scim_type, None);
    assert_eq!(e.to_string(), "SCIM 404: gone");
}

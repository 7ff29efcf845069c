//! Discovery documents (RFC 7644 §4, RFC 7643 §5-§7): `/ServiceProviderConfig`,
//! `/ResourceTypes`, `/Schemas`.
//!
//! `base_url` is the directory's SCIM root, e.g. `http://127.0.0.1:3000/scim/v2/dir_abc`.

use crate::list::{list_response, MAX_RESULTS};
use crate::schema::{self, AttrDef, AttrType, SchemaDef};
use crate::ResourceKind;
use serde_json::{json, Map, Value};

/// `schemas` URN of the ServiceProviderConfig resource.
pub const SERVICE_PROVIDER_CONFIG_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// `schemas` URN of ResourceType resources.
pub const RESOURCE_TYPE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// `schemas` URN of Schema resources.
pub const SCHEMA_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

fn root(base_url: &str) -> &str {
    base_url.trim_end_matches('/')
}

/// The ServiceProviderConfig: PATCH supported, bulk not, filter (maxResults 500), no
/// changePassword, sort supported (see [`crate::list::compare`]), ETags supported, OAuth bearer
/// token authentication.
pub fn service_provider_config(base_url: &str) -> Value {
    json!({
        "schemas": [SERVICE_PROVIDER_CONFIG_URN],
        "documentationUri": "https://www.rfc-editor.org/rfc/rfc7644",
        "patch": {"supported": true},
        "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": true},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with the bearer token issued for this directory (Authorization: Bearer <token>).",
            "specUri": "https://www.rfc-editor.org/info/rfc6750",
            "primary": true
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{}/ServiceProviderConfig", root(base_url))
        }
    })
}

fn resource_type_doc(base_url: &str, kind: ResourceKind) -> Value {
    let mut m = Map::new();
    m.insert("schemas".into(), json!([RESOURCE_TYPE_URN]));
    m.insert("id".into(), json!(kind.name()));
    m.insert("name".into(), json!(kind.name()));
    m.insert("endpoint".into(), json!(kind.endpoint()));
    m.insert("description".into(), json!(kind.schema().description));
    m.insert("schema".into(), json!(kind.schema_urn()));
    let exts: Vec<Value> = kind.extensions().iter().map(|e| json!({"schema": e.urn, "required": false})).collect();
    if !exts.is_empty() {
        m.insert("schemaExtensions".into(), Value::Array(exts));
    }
    m.insert(
        "meta".into(),
        json!({
            "resourceType": "ResourceType",
            "location": format!("{}/ResourceTypes/{}", root(base_url), kind.name())
        }),
    );
    Value::Object(m)
}

/// `/ResourceTypes`: a ListResponse of the User and Group resource types.
pub fn resource_types(base_url: &str) -> Value {
    let docs: Vec<Value> = ResourceKind::all().iter().map(|k| resource_type_doc(base_url, *k)).collect();
    let n = docs.len();
    list_response(docs, n, 1)
}

/// `/ResourceTypes/{name}` (`User` or `Group`, case-insensitive); `None` means 404.
pub fn resource_type(base_url: &str, name: &str) -> Option<Value> {
    ResourceKind::all()
        .into_iter()
        .find(|k| k.name().eq_ignore_ascii_case(name))
        .map(|k| resource_type_doc(base_url, k))
}

fn attr_doc(a: &AttrDef) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(a.name));
    m.insert("type".into(), json!(a.ty.as_str()));
    m.insert("multiValued".into(), json!(a.multi));
    m.insert("description".into(), json!(a.description));
    m.insert("required".into(), json!(a.required));
    if !a.canonical.is_empty() {
        m.insert("canonicalValues".into(), json!(a.canonical));
    }
    m.insert("caseExact".into(), json!(a.case_exact));
    m.insert("mutability".into(), json!(a.mutability.as_str()));
    m.insert("returned".into(), json!(a.returned.as_str()));
    m.insert("uniqueness".into(), json!(a.uniqueness));
    if a.ty == AttrType::Reference {
        let types: &[&str] = if a.ref_types.is_empty() { &["external"] } else { a.ref_types };
        m.insert("referenceTypes".into(), json!(types));
    }
    if a.ty == AttrType::Complex {
        m.insert("subAttributes".into(), Value::Array(a.sub.iter().map(attr_doc).collect()));
    }
    Value::Object(m)
}

fn schema_doc(base_url: &str, s: &SchemaDef) -> Value {
    json!({
        "schemas": [SCHEMA_URN],
        "id": s.urn,
        "name": s.name,
        "description": s.description,
        "attributes": s.attrs.iter().map(attr_doc).collect::<Vec<_>>(),
        "meta": {
            "resourceType": "Schema",
            "location": format!("{}/Schemas/{}", root(base_url), s.urn)
        }
    })
}

/// `/Schemas`: a ListResponse of the User, Enterprise User and Group schema documents.
/// Common attributes (`id`, `externalId`, `meta`) are not listed, as RFC 7643 §3.1 and
/// scim2-models do; clients know them from the core resource model.
pub fn schemas(base_url: &str) -> Value {
    let docs: Vec<Value> = schema::all_schemas().iter().map(|s| schema_doc(base_url, s)).collect();
    let n = docs.len();
    list_response(docs, n, 1)
}

/// `/Schemas/{urn}` (case-insensitive); `None` means 404.
pub fn schema(base_url: &str, urn: &str) -> Option<Value> {
    schema::all_schemas().into_iter().find(|s| s.urn.eq_ignore_ascii_case(urn)).map(|s| schema_doc(base_url, s))
}

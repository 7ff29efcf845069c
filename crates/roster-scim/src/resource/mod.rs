//! Resource bodies: validation/canonicalization ([`normalize`]), the returned representation
//! ([`with_meta`]), ETags and attribute projection ([`project`]).

mod normalize;
mod project;

pub use normalize::normalize;
pub(crate) use normalize::parse_bool;
pub use project::project;

use crate::{time, ResourceKind};
use serde_json::{Map, Value};

/// Case-insensitive object lookup (exact match first).
pub(crate) fn get_ci<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

/// The URL of a resource: `base_url` + endpoint + `/` + id.
pub fn location(kind: ResourceKind, base_url: &str, id: &str) -> String {
    format!("{}{}/{}", base_url.trim_end_matches('/'), kind.endpoint(), id)
}

/// Build the representation returned to clients: the body's `schemas`, then `id`, then the
/// body's attributes, then `meta` {`resourceType`, `created`, `lastModified` (RFC 3339, UTC,
/// millisecond precision), `location`, `version` (the weak ETag, see [`etag`])}.
///
/// Any `id`/`meta` already in `body` is replaced. The server adds read-only attributes it
/// computes (a User's `groups`, see [`user_groups`]) to `body` before calling this.
pub fn with_meta(
    kind: ResourceKind,
    body: &Value,
    id: &str,
    created_ms: i64,
    modified_ms: i64,
    version: i64,
    base_url: &str,
) -> Value {
    let mut out = Map::new();
    let empty = Map::new();
    let obj = body.as_object().unwrap_or(&empty);
    let schemas = obj
        .get("schemas")
        .filter(|s| s.is_array())
        .cloned()
        .unwrap_or_else(|| Value::Array(vec![Value::String(kind.schema_urn().into())]));
    out.insert("schemas".into(), schemas);
    out.insert("id".into(), Value::String(id.into()));
    for (k, v) in obj {
        if k == "schemas" || k.eq_ignore_ascii_case("id") || k.eq_ignore_ascii_case("meta") {
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    let mut meta = Map::new();
    meta.insert("resourceType".into(), Value::String(kind.name().into()));
    meta.insert("created".into(), Value::String(time::format_ms(created_ms)));
    meta.insert("lastModified".into(), Value::String(time::format_ms(modified_ms)));
    meta.insert("location".into(), Value::String(location(kind, base_url, id)));
    meta.insert("version".into(), Value::String(etag(version)));
    out.insert("meta".into(), Value::Object(meta));
    Value::Object(out)
}

/// The weak entity tag of a resource version: `W/"<version>"`.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// Whether an `If-Match` header value (`*`, or a comma list of strong/weak tags) matches
/// `version`. Weak comparison: `W/"3"` and `"3"` both match version 3.
pub fn if_match(header: &str, version: i64) -> bool {
    let want = version.to_string();
    header.split(',').map(str::trim).any(|tag| {
        if tag == "*" {
            return true;
        }
        let tag = tag.strip_prefix("W/").or_else(|| tag.strip_prefix("w/")).unwrap_or(tag);
        tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(tag) == want
    })
}

/// The read-only `groups` value of a User: one `{value, $ref, display}` per `(group id,
/// display name)`. Insert it into the body under `"groups"` before [`with_meta`] (omit the key
/// when the user is in no group).
pub fn user_groups(base_url: &str, groups: &[(String, String)]) -> Value {
    Value::Array(
        groups
            .iter()
            .map(|(id, display)| {
                let mut m = Map::new();
                m.insert("value".into(), Value::String(id.clone()));
                m.insert("$ref".into(), Value::String(location(ResourceKind::Group, base_url, id)));
                m.insert("display".into(), Value::String(display.clone()));
                Value::Object(m)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests;

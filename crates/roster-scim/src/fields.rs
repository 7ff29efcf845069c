//! Readers mapping a canonical resource body (see [`crate::resource::normalize`]) to the
//! server's own columns.

use serde_json::Value;

/// The User attributes the server keeps in its own columns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UserFields {
    /// `userName` (empty if absent, which a normalized body never is).
    pub user_name: String,
    /// `externalId`.
    pub external_id: Option<String>,
    /// `active`; `true` when absent.
    pub active: bool,
    /// The `value` of the email marked `primary`, else of the first email.
    pub primary_email: Option<String>,
    /// `name.givenName`.
    pub given_name: Option<String>,
    /// `name.familyName`.
    pub family_name: Option<String>,
    /// `displayName`.
    pub display_name: Option<String>,
}

fn string_at(body: &Value, key: &str) -> Option<String> {
    body.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Read the server-relevant fields of a canonical User body.
pub fn user_fields(body: &Value) -> UserFields {
    let emails = body.get("emails").and_then(Value::as_array);
    let email_of = |e: &Value| e.get("value").and_then(Value::as_str).map(str::to_string);
    let primary_email = emails.and_then(|list| {
        list.iter()
            .find(|e| e.get("primary") == Some(&Value::Bool(true)))
            .and_then(email_of)
            .or_else(|| list.iter().find_map(email_of))
    });
    let name = body.get("name");
    UserFields {
        user_name: string_at(body, "userName").unwrap_or_default(),
        external_id: external_id(body),
        active: body.get("active").and_then(Value::as_bool).unwrap_or(true),
        primary_email,
        given_name: name.and_then(|n| string_at(n, "givenName")),
        family_name: name.and_then(|n| string_at(n, "familyName")),
        display_name: display_name(body),
    }
}

/// The member ids (`members[].value`) of a canonical Group body, in order, without duplicates.
pub fn group_members(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in body.get("members").and_then(Value::as_array).into_iter().flatten() {
        if let Some(v) = m.get("value").and_then(Value::as_str) {
            if !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// `displayName` of a canonical body (User or Group).
pub fn display_name(body: &Value) -> Option<String> {
    string_at(body, "displayName")
}

/// `externalId` of a canonical body (User or Group).
pub fn external_id(body: &Value) -> Option<String> {
    string_at(body, "externalId")
}

/// The text at `path` in a canonical body, for a directory's attribute mapping: a dotted path of attribute names
/// (`name.givenName`, `title`), case-insensitive, optionally after an extension's URN
/// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department`). A multi-valued attribute on the way
/// gives its `primary` element, else its first; a complex value at the end gives its `value`. Numbers and booleans
/// read as text; anything else, or nothing there, is `None`.
pub fn value_at(body: &Value, path: &str) -> Option<String> {
    let (mut at, rest) = match path.strip_prefix("urn:").and_then(|_| path.rsplit_once(':')) {
        Some((urn, attr)) => (get_ci(body, urn)?, attr),
        None => (body, path),
    };
    for name in rest.split('.').filter(|s| !s.is_empty()) {
        at = get_ci(one_of(at), name)?;
    }
    match one_of(at) {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Object(o) => o.get("value").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// An array's `primary` element, else its first; any other value itself.
fn one_of(v: &Value) -> &Value {
    match v {
        Value::Array(items) => {
            items.iter().find(|e| e.get("primary") == Some(&Value::Bool(true))).or_else(|| items.first()).unwrap_or(v)
        }
        other => other,
    }
}

fn get_ci<'a>(v: &'a Value, name: &str) -> Option<&'a Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::value_at;

    #[test]
    fn paths_read_sub_attributes_primary_elements_and_extensions() {
        let body = json!({
            "userName": "ada",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "emails": [{"value": "a@x.test"}, {"value": "b@x.test", "primary": true}],
            "phoneNumbers": [],
            "active": true,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "42", "manager": {"value": "m1"}}
        });
        assert_eq!(value_at(&body, "name.givenName").as_deref(), Some("Ada"));
        assert_eq!(value_at(&body, "NAME.FAMILYNAME").as_deref(), Some("Lovelace"));
        assert_eq!(value_at(&body, "emails").as_deref(), Some("b@x.test"));
        assert_eq!(value_at(&body, "emails.value").as_deref(), Some("b@x.test"));
        assert_eq!(value_at(&body, "active").as_deref(), Some("true"));
        let ext = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        assert_eq!(value_at(&body, &format!("{ext}:employeeNumber")).as_deref(), Some("42"));
        assert_eq!(value_at(&body, &format!("{ext}:manager")).as_deref(), Some("m1"));
        for missing in ["nickName", "name.middleName", "phoneNumbers", "urn:nope:x", "", "name"] {
            assert_eq!(value_at(&body, missing), None, "{missing}");
        }
    }
}

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

//! JWT templates: Clerk's claim shortcodes rendered against the current user, session and organization.
//!
//! A string that is one shortcode (`"{{user.id}}"`) becomes the value itself, of its own JSON type (an object for
//! `{{user.public_metadata}}`, `null` when absent); shortcodes inside a longer string are interpolated as text
//! (`"{{user.first_name}} {{user.last_name}}"`, absent ones as empty text). `a || b || 'literal'` takes the first
//! operand that is present and not null. Objects and arrays are rendered member by member; other values are kept.

use roster_core::model::User;
use roster_core::tokens::TokenContext;
use serde_json::{Map, Value};

/// Claims a template cannot set: every template token carries them.
pub const RESERVED_CLAIMS: &[&str] = &["azp", "exp", "iat", "iss", "jti", "nbf", "sub"];

/// What shortcodes read.
pub struct Subject<'a> {
    pub ctx: &'a TokenContext,
    pub user: &'a User,
}

impl Subject<'_> {
    fn lookup(&self, path: &str) -> Option<Value> {
        let path = path.trim();
        let (head, rest) = match path.split_once('.') {
            Some((h, r)) => (h, r),
            None => (path, ""),
        };
        let (field, deeper) = match rest.split_once('.') {
            Some((f, d)) => (f, Some(d)),
            None => (rest, None),
        };
        let u = self.user;
        let org = self.ctx.organization.as_ref();
        let s = |v: Option<&str>| v.map(|v| Value::String(v.to_owned()));
        let value = match (head, field) {
            ("user", "id") => s(Some(&u.id)),
            ("user", "external_id") => s(u.external_id.as_deref()),
            ("user", "first_name") => s(u.first_name.as_deref()),
            ("user", "last_name") => s(u.last_name.as_deref()),
            ("user", "full_name") => {
                let full = [u.first_name.as_deref(), u.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>();
                (!full.is_empty()).then(|| Value::String(full.join(" ")))
            }
            ("user", "username") => s(u.username.as_deref()),
            ("user", "primary_email_address") => s(u.primary_email()),
            ("user", "primary_phone_number") => s(u.primary_phone()),
            ("user", "email_verified") => Some(Value::Bool(u.primary_email().is_some())),
            ("user", "phone_number_verified") => Some(Value::Bool(u.primary_phone().is_some())),
            ("user", "has_image") => Some(Value::Bool(false)),
            ("user", "image_url") => s(Some("")),
            ("user", "two_factor_enabled") => Some(Value::Bool(false)),
            ("user", "created_at") => Some(Value::from(u.created_at / 1000)),
            ("user", "updated_at") => Some(Value::from(u.updated_at / 1000)),
            ("user", "public_metadata") => return dig(&u.public_metadata, deeper),
            ("user", "unsafe_metadata") => return dig(&u.unsafe_metadata, deeper),
            ("session", "id") => s(Some(&self.ctx.session.id)),
            ("session", "actor") => Some(Value::Null),
            ("org", "id") => s(org.map(|o| o.id.as_str())),
            ("org", "name") => s(org.map(|o| o.name.as_str())),
            ("org", "slug") => s(org.map(|o| o.slug.as_str())),
            ("org", "role") => s(org.map(|o| o.role.as_str())),
            ("org", "permissions") => org.map(|o| Value::from(o.permissions.clone())),
            ("org", "public_metadata") => return org.and_then(|o| dig(&o.public_metadata, deeper)),
            ("org_membership", "public_metadata") => {
                return org.and_then(|o| dig(&o.membership_public_metadata, deeper));
            }
            _ => None,
        };
        if deeper.is_some() {
            return None;
        }
        value
    }

    /// `a || b || 'text'`: the first operand present and not null.
    fn expression(&self, expr: &str) -> Option<Value> {
        expr.split("||").map(str::trim).find_map(|operand| {
            let quoted = operand
                .strip_prefix('\'')
                .and_then(|o| o.strip_suffix('\''))
                .or_else(|| operand.strip_prefix('"').and_then(|o| o.strip_suffix('"')));
            match quoted {
                Some(text) => Some(Value::String(text.to_owned())),
                None => self.lookup(operand).filter(|v| !v.is_null()),
            }
        })
    }

    fn render_string(&self, text: &str) -> Value {
        let trimmed = text.trim();
        if let Some(inner) = trimmed.strip_prefix("{{").and_then(|t| t.strip_suffix("}}")) {
            if !inner.contains("{{") && !inner.contains("}}") {
                return self.expression(inner).unwrap_or(Value::Null);
            }
        }
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            let Some(len) = rest[start..].find("}}") else { break };
            out.push_str(&rest[..start]);
            match self.expression(&rest[start + 2..start + len]) {
                Some(Value::String(s)) => out.push_str(&s),
                Some(Value::Null) | None => {}
                Some(other) => out.push_str(&other.to_string()),
            }
            rest = &rest[start + len + 2..];
        }
        out.push_str(rest);
        Value::String(out)
    }

    pub fn render(&self, value: &Value) -> Value {
        match value {
            Value::String(s) => self.render_string(s),
            Value::Array(items) => Value::Array(items.iter().map(|v| self.render(v)).collect()),
            Value::Object(map) => Value::Object(self.render_map(map)),
            other => other.clone(),
        }
    }

    pub fn render_map(&self, map: &Map<String, Value>) -> Map<String, Value> {
        map.iter().map(|(k, v)| (k.clone(), self.render(v))).collect()
    }
}

fn dig(metadata: &Map<String, Value>, path: Option<&str>) -> Option<Value> {
    let Some(path) = path else { return Some(Value::Object(metadata.clone())) };
    let mut parts = path.split('.');
    let mut current = metadata.get(parts.next()?)?;
    for part in parts {
        current = current.get(part)?;
    }
    Some(current.clone())
}

/// A PEM private key (`PRIVATE KEY`, PKCS#8, or `RSA PRIVATE KEY`, PKCS#1) as DER.
pub fn pem_to_der(pem: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let body: String = pem.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD.decode(body).ok().filter(|d| !d.is_empty())
}

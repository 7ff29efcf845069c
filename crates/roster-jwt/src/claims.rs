//! Clerk's session token claims, version 2, as @clerk/shared decodes them (`jwtPayloadParser`):
//!
//! - `o: {id, slg, rol, per, fpm}`: the active organization, its slug, the role key without `org:`, and the
//!   permissions compressed by feature: `per` lists the distinct actions (`read,manage`), `fea` (top level)
//!   lists the features (`o:invoices,o:sys_memberships`), and `fpm` holds one decimal bit mask per organization
//!   feature of `fea`, bit `i` (least significant first) meaning action `i` of `per`. Permission
//!   `org:invoices:read` is feature `invoices` with action `read`.
//! - `sub` (user), `sid` (session), `iss`, `azp`, `iat`, `nbf`, `exp`, `fva`, `v: 2`.

use serde::{Deserialize, Serialize};

/// The compact organization claim `o`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationClaim {
    pub id: String,
    pub slg: String,
    pub rol: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub per: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fpm: String,
}

impl OrganizationClaim {
    /// The claim for a member with `role` (`org:admin`) and `permissions` (`org:<feature>:<action>` keys), in an
    /// instance whose organization features are `features` (the value of `fea`, without the `o:` scope). A
    /// permission whose feature is not in `features`, or whose key is not `org:<feature>:<action>`, cannot be
    /// expressed and is left out.
    pub fn new(id: &str, slug: &str, role: &str, permissions: &[String], features: &[String]) -> Self {
        let mut actions: Vec<&str> = Vec::new();
        let mut masks = vec![0u128; features.len()];
        for key in permissions {
            let Some((feature, action)) = split_permission(key) else { continue };
            let Some(f) = features.iter().position(|x| x == feature) else { continue };
            let a = match actions.iter().position(|x| *x == action) {
                Some(a) => a,
                None => {
                    actions.push(action);
                    actions.len() - 1
                }
            };
            if a < 128 {
                masks[f] |= 1 << a;
            }
        }
        let per = actions.join(",");
        let fpm = if per.is_empty() {
            String::new()
        } else {
            masks.iter().map(u128::to_string).collect::<Vec<_>>().join(",")
        };
        Self {
            id: id.to_owned(),
            slg: slug.to_owned(),
            rol: role.strip_prefix("org:").unwrap_or(role).to_owned(),
            per,
            fpm,
        }
    }
}

/// `org:invoices:read` -> (`invoices`, `read`).
fn split_permission(key: &str) -> Option<(&str, &str)> {
    let rest = key.strip_prefix("org:")?;
    let (feature, action) = rest.split_once(':')?;
    (!feature.is_empty() && !action.is_empty() && !action.contains(':')).then_some((feature, action))
}

/// The features of an instance, in `fea` order, from every permission key it has (`org:<feature>:<action>`).
pub fn features_of<'a>(permission_keys: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut features: Vec<String> = Vec::new();
    for key in permission_keys {
        if let Some((feature, _)) = split_permission(key) {
            if !features.iter().any(|f| f == feature) {
                features.push(feature.to_owned());
            }
        }
    }
    features.sort();
    features
}

/// The claims of a Roster (or Clerk) session token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// The user id.
    pub sub: String,
    /// The session id.
    pub sid: String,
    pub iss: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub azp: Option<String>,
    pub iat: u64,
    pub nbf: u64,
    pub exp: u64,
    /// Minutes since the first and second factor verifications (`-1`: never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fva: Option<[i64; 2]>,
    /// The claims version: 2.
    pub v: u32,
    /// Features, scoped (`o:invoices`, `u:beta`), comma-separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fea: Option<String>,
    /// The active organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub o: Option<OrganizationClaim>,
}

impl SessionClaims {
    pub fn user_id(&self) -> &str {
        &self.sub
    }

    pub fn session_id(&self) -> &str {
        &self.sid
    }

    pub fn org_id(&self) -> Option<&str> {
        self.o.as_ref().map(|o| o.id.as_str())
    }

    pub fn org_slug(&self) -> Option<&str> {
        self.o.as_ref().map(|o| o.slg.as_str())
    }

    /// The role key with its `org:` prefix, as `auth().orgRole` gives it.
    pub fn org_role(&self) -> Option<String> {
        self.o.as_ref().filter(|o| !o.rol.is_empty()).map(|o| format!("org:{}", o.rol))
    }

    /// The member's permissions, decoded from `per`, `fpm` and `fea` exactly as @clerk/shared does.
    pub fn org_permissions(&self) -> Vec<String> {
        let Some(o) = &self.o else { return Vec::new() };
        if o.per.is_empty() || o.fpm.is_empty() {
            return Vec::new();
        }
        let actions: Vec<&str> = o.per.split(',').map(str::trim).collect();
        let features = self.scoped_features().0;
        let mut out = Vec::new();
        for (feature, mask) in features.iter().zip(o.fpm.split(',')) {
            let Ok(mask) = mask.trim().parse::<u128>() else { continue };
            for (i, action) in actions.iter().enumerate().take(128) {
                if mask >> i & 1 == 1 {
                    out.push(format!("org:{feature}:{action}"));
                }
            }
        }
        out
    }

    /// `(organization features, user features)` of `fea`.
    fn scoped_features(&self) -> (Vec<&str>, Vec<&str>) {
        let (mut org, mut user) = (Vec::new(), Vec::new());
        for part in self.fea.as_deref().unwrap_or_default().split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.split_once(':') {
                Some(("o", v)) => org.push(v),
                Some(("u", v)) => user.push(v),
                Some(("ou" | "uo", v)) => {
                    org.push(v);
                    user.push(v);
                }
                _ => {}
            }
        }
        (org, user)
    }

    /// `has({ role })`: the active organization's role is `role` (with or without `org:`).
    pub fn has_role(&self, role: &str) -> bool {
        self.org_role().is_some_and(|r| r == with_org_prefix(role))
    }

    /// `has({ permission })`: the member holds `permission` (with or without `org:`) in the active organization.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.o.is_some() && self.org_permissions().contains(&with_org_prefix(permission))
    }

    /// `has({ feature })`: `feature` (`invoices`, or scoped `o:invoices` / `u:beta`) is in `fea`.
    pub fn has_feature(&self, feature: &str) -> bool {
        let (org, user) = self.scoped_features();
        match feature.split_once(':') {
            Some(("o" | "org" | "organization", id)) => org.contains(&id),
            Some(("u" | "user", id)) => user.contains(&id),
            Some(_) => false,
            None => org.contains(&feature) || user.contains(&feature),
        }
    }
}

fn with_org_prefix(value: &str) -> String {
    let mut rest = value;
    while let Some(r) = rest.strip_prefix("org:") {
        rest = r;
    }
    format!("org:{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(o: OrganizationClaim, features: &[String]) -> SessionClaims {
        SessionClaims {
            sub: "user_1".into(),
            sid: "sess_1".into(),
            iss: "https://roster".into(),
            azp: None,
            iat: 0,
            nbf: 0,
            exp: 60,
            fva: None,
            v: 2,
            fea: Some(features.iter().map(|f| format!("o:{f}")).collect::<Vec<_>>().join(",")),
            o: Some(o),
        }
    }

    #[test]
    fn permissions_survive_the_compact_encoding() {
        let held: Vec<String> =
            ["org:sys_memberships:read", "org:sys_memberships:manage", "org:invoices:read", "org:odd", "org:x:y"]
                .map(String::from)
                .to_vec();
        let features = features_of(["org:invoices:read", "org:invoices:write", "org:sys_memberships:read"]);
        assert_eq!(features, ["invoices", "sys_memberships"]);
        let o = OrganizationClaim::new("org_1", "acme", "org:admin", &held, &features);
        assert_eq!((o.rol.as_str(), o.per.as_str(), o.fpm.as_str()), ("admin", "read,manage", "1,3"));
        let c = claims(o, &features);
        assert_eq!(
            c.org_permissions(),
            ["org:invoices:read", "org:sys_memberships:read", "org:sys_memberships:manage"]
        );
        assert!(c.has_permission("org:invoices:read") && c.has_permission("invoices:read"));
        assert!(!c.has_permission("org:invoices:write") && !c.has_permission("org:x:y"));
        assert!(c.has_role("org:admin") && c.has_role("admin") && !c.has_role("org:member"));
        assert!(c.has_feature("invoices") && c.has_feature("o:invoices") && !c.has_feature("u:invoices"));
    }

    #[test]
    fn a_member_without_permissions_has_none() {
        let o = OrganizationClaim::new("org_1", "acme", "org:viewer", &[], &["invoices".to_owned()]);
        assert_eq!((o.per.as_str(), o.fpm.as_str()), ("", ""));
        let c = claims(o, &["invoices".to_owned()]);
        assert!(c.org_permissions().is_empty() && !c.has_permission("org:invoices:read"));
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["o"], serde_json::json!({"id": "org_1", "slg": "acme", "rol": "viewer"}));
    }
}

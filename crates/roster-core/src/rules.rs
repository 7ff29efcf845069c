//! The membership rules, as pure decisions. Stores gather the facts inside their write transaction and
//! ask these functions, so every backend enforces the same rules with the same errors.

use crate::DomainError;

/// `max_allowed_memberships` 0 means unlimited; otherwise a new member must fit under it.
/// `members_count` counts the organization's pending invitations too (Clerk: "including outstanding invitations").
pub fn check_quota(members_count: i64, max_allowed_memberships: i64) -> Result<(), DomainError> {
    if max_allowed_memberships > 0 && members_count >= max_allowed_memberships {
        return Err(DomainError::MembershipQuotaExceeded(max_allowed_memberships));
    }
    Ok(())
}

/// Removing or demoting a member who holds `org:sys_memberships:manage` must leave at least one other
/// member holding it: call it for such a change, with how many others hold it.
pub fn check_last_manager(other_managers: i64) -> Result<(), DomainError> {
    if other_managers < 1 {
        return Err(DomainError::MinimumPermissionsNeeded);
    }
    Ok(())
}

/// Slugs: lowercase ASCII letters, digits and `-`, 1 to 256 characters, not starting or ending with `-`.
pub fn validate_slug(slug: &str) -> Result<(), DomainError> {
    let ok = !slug.is_empty()
        && slug.len() <= 256
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid(
            "slug",
            "slug can contain only lowercase alphanumeric characters and the dash \"-\" character.",
        ))
    }
}

/// Derive a slug from an organization name: lowercase, runs of other characters become one `-`.
pub fn slugify(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "organization".to_owned()
    } else {
        trimmed.chars().take(200).collect()
    }
}

/// Organization names: 1 to 256 characters, no URLs or HTML.
pub fn validate_org_name(name: &str) -> Result<(), DomainError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(DomainError::ParamMissing("name".into()));
    }
    if name.chars().count() > 256 {
        return Err(DomainError::invalid("name", "name should not exceed 256 characters."));
    }
    let lower = name.to_lowercase();
    if lower.contains('<') || lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return Err(DomainError::invalid(
            "name",
            format!("The organization name {name:?} is invalid: it may not contain URLs or HTML"),
        ));
    }
    Ok(())
}

/// Role keys: `org:` then lowercase ASCII letters, digits and `_`.
pub fn validate_role_key(key: &str) -> Result<(), DomainError> {
    let ok = key.strip_prefix("org:").is_some_and(|rest| {
        !rest.is_empty()
            && rest.len() <= 64
            && rest.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    });
    if ok {
        Ok(())
    } else {
        Err(DomainError::ParamFormat {
            param: "key".into(),
            long_message:
                "key must start with 'org:' followed by lowercase alphanumeric characters and underscores only.".into(),
        })
    }
}

/// Custom permission keys: `org:<feature>:<action>`, segments of lowercase letters, digits and `_`, and not
/// in the reserved `org:sys_` namespace of system permissions.
pub fn validate_permission_key(key: &str) -> Result<(), DomainError> {
    let segment =
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let parts: Vec<&str> = key.split(':').collect();
    let ok = parts.len() == 3 && parts[0] == "org" && segment(parts[1]) && segment(parts[2]) && key.len() <= 128;
    if !ok {
        return Err(DomainError::ParamFormat {
            param: "key".into(),
            long_message: "key must have the format \"org:feature:action\" with segments of lowercase alphanumeric characters and underscores.".into(),
        });
    }
    if parts[1].starts_with("sys_") {
        return Err(DomainError::invalid("key", "keys starting with org:sys_ are reserved for system permissions."));
    }
    Ok(())
}

/// Permissions the creator role must hold.
pub const CREATOR_ROLE_PERMISSIONS: &[&str] =
    &["org:sys_memberships:manage", "org:sys_memberships:read", "org:sys_profile:delete"];

/// Refuse a creator role that lacks any of `CREATOR_ROLE_PERMISSIONS`.
pub fn check_creator_role(permission_keys: &[String]) -> Result<(), DomainError> {
    let missing: Vec<String> = CREATOR_ROLE_PERMISSIONS
        .iter()
        .filter(|k| !permission_keys.iter().any(|p| p == *k))
        .map(|k| (*k).to_owned())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(DomainError::MissingCreatorRolePermissions(missing))
    }
}

fn format_error(param: &str, what: &str) -> DomainError {
    DomainError::ParamFormat { param: param.to_owned(), long_message: format!("{param} must be a valid {what}.") }
}

/// A plausible email address: one `@`, non-empty local part, a dotted domain, no spaces.
pub fn validate_email(param: &str, email: &str) -> Result<(), DomainError> {
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 320
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format_error(param, "email address"))
    }
}

/// E.164: `+` and 7 to 15 digits.
pub fn validate_phone(param: &str, phone: &str) -> Result<(), DomainError> {
    let digits = phone.strip_prefix('+').unwrap_or("");
    if (7..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(DomainError::ParamFormat {
            param: param.to_owned(),
            long_message: format!("{param} must be a valid phone number according to E.164 international standard."),
        })
    }
}

/// An Ethereum address: `0x` and 40 hex digits.
pub fn validate_web3_wallet(param: &str, wallet: &str) -> Result<(), DomainError> {
    let hex = wallet.strip_prefix("0x").unwrap_or("");
    if hex.len() == 40 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(format_error(param, "web3 wallet address"))
    }
}

/// Usernames: 4 to 64 characters.
pub fn validate_username(username: &str) -> Result<(), DomainError> {
    if (4..=64).contains(&username.chars().count()) {
        Ok(())
    } else {
        Err(DomainError::UsernameLength)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn role_and_permission_keys() {
        assert!(validate_role_key("org:billing_manager2").is_ok());
        assert!(validate_role_key("org:").is_err());
        assert!(validate_role_key("billing").is_err());
        assert!(validate_role_key("org:Billing").is_err());
        assert!(validate_permission_key("org:invoices:read").is_ok());
        assert!(validate_permission_key("org:invoices").is_err());
        assert!(validate_permission_key("org:sys_profile:manage").is_err());
        assert!(check_creator_role(&["org:sys_memberships:manage".into()]).is_err());
        let full: Vec<String> = CREATOR_ROLE_PERMISSIONS.iter().map(|s| s.to_string()).collect();
        assert!(check_creator_role(&full).is_ok());
    }

    #[test]
    fn identifiers() {
        assert!(validate_email("e", "a@b.co").is_ok());
        assert!(validate_email("e", "a@b").is_err());
        assert!(validate_email("e", "a b@c.de").is_err());
        assert!(validate_phone("p", "+15555550100").is_ok());
        assert!(validate_phone("p", "5555550100").is_err());
        assert!(validate_web3_wallet("w", &format!("0x{}", "a".repeat(40))).is_ok());
        assert!(validate_username("abc").is_err());
        assert!(validate_username("abcd").is_ok());
    }

    use super::*;

    #[test]
    fn quota_zero_is_unlimited() {
        assert!(check_quota(1_000_000, 0).is_ok());
        assert!(check_quota(2, 3).is_ok());
        assert_eq!(check_quota(3, 3), Err(DomainError::MembershipQuotaExceeded(3)));
    }

    #[test]
    fn last_manager_is_kept() {
        assert!(check_last_manager(1).is_ok());
        assert_eq!(check_last_manager(0), Err(DomainError::MinimumPermissionsNeeded));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme Corp!"), "acme-corp");
        assert_eq!(slugify("***"), "organization");
        assert!(validate_slug("acme-corp-2").is_ok());
        assert!(validate_slug("Acme").is_err());
        assert!(validate_slug("-a").is_err());
    }

    #[test]
    fn org_names() {
        assert!(validate_org_name("Acme").is_ok());
        assert!(validate_org_name("  ").is_err());
        assert!(validate_org_name("see https://x.io").is_err());
        assert!(validate_org_name(&"a".repeat(257)).is_err());
    }
}

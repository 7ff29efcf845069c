//! Users: the full User object, identifier uniqueness and validation, updates by API version, metadata
//! merge/replace and its size limit, delete, ban/unban and lock/unlock.

mod create;
mod update;

use reqwest::Method;
use serde_json::{json, Value};

use roster_testkit::TestApp;

/// `components.schemas.User.required` of the 2026-05-12 spec (spec/clerk-bapi.yml).
const USER_REQUIRED: &[&str] = &[
    "id",
    "object",
    "username",
    "first_name",
    "last_name",
    "has_image",
    "primary_email_address_id",
    "primary_phone_number_id",
    "primary_web3_wallet_id",
    "password_enabled",
    "two_factor_enabled",
    "totp_enabled",
    "backup_code_enabled",
    "email_addresses",
    "phone_numbers",
    "web3_wallets",
    "passkeys",
    "external_accounts",
    "saml_accounts",
    "enterprise_accounts",
    "public_metadata",
    "external_id",
    "last_sign_in_at",
    "banned",
    "locked",
    "lockout_expires_in_seconds",
    "verification_attempts_remaining",
    "created_at",
    "updated_at",
    "delete_self_enabled",
    "create_organization_enabled",
    "last_active_at",
    "mfa_enabled_at",
    "mfa_disabled_at",
    "legal_accepted_at",
];

#[track_caller]
fn assert_admin_verified(ident: &Value) {
    let v = &ident["verification"];
    assert_eq!(v["object"], "verification_admin", "{ident}");
    assert_eq!(v["status"], "verified", "{ident}");
    assert_eq!(v["strategy"], "admin", "{ident}");
    assert_eq!(ident["linked_to"], json!([]), "{ident}");
    assert_eq!(ident["reserved"], false, "{ident}");
}

async fn count(app: &TestApp) -> i64 {
    app.get("/users/count").await.ok()["total_count"].as_i64().unwrap()
}

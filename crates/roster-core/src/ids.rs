//! Clerk-style identifiers: a resource prefix (`user_`, `org_`, `orgmem_`, ...) and a 27-character
//! base62 KSUID-like suffix (4 bytes of seconds since the KSUID epoch, then 16 random bytes), so ids
//! sort by creation second and never collide across nodes without coordination.

use rand::RngCore;

/// The KSUID epoch, 2014-05-13T16:53:20Z, in Unix seconds.
const KSUID_EPOCH: u64 = 1_400_000_000;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Length of the base62 suffix.
pub const SUFFIX_LEN: usize = 27;

/// Prefixes of every id Roster mints.
pub mod prefix {
    pub const USER: &str = "user";
    pub const ORGANIZATION: &str = "org";
    pub const MEMBERSHIP: &str = "orgmem";
    pub const ROLE: &str = "role";
    pub const PERMISSION: &str = "perm";
    pub const SESSION: &str = "sess";
    pub const CLIENT: &str = "client";
    pub const INSTANCE: &str = "ins";
    pub const EMAIL: &str = "idn";
    pub const API_KEY: &str = "key";
    pub const JWT_TEMPLATE: &str = "jtmp";
    /// Signing keys: their `kid`.
    pub const SIGNING_KEY: &str = "jwk";
    pub const WEBHOOK_ENDPOINT: &str = "whe";
    pub const INVITATION: &str = "orginv";
    pub const DOMAIN: &str = "orgdmn";
    pub const SUGGESTION: &str = "orgsugg";
    pub const ROLE_SET: &str = "rs";
    pub const SCIM_DIRECTORY: &str = "scimdir";
    pub const SCIM_GROUP_ROLE_MAPPING: &str = "scimgrm";
    /// A provisioned user's SCIM resource id (not the Roster user's id).
    pub const SCIM_USER: &str = "scimusr";
    pub const SCIM_GROUP: &str = "scimgrp";
}

/// A typed id: what a store method's parameters are, so an organization id cannot be passed where a user id
/// is expected. Each wraps the id's text as it came (from a path, a body or a row): holding one says which
/// kind of resource it names, not that the resource exists. `Deref<Target = str>` lets the SQL layer bind it
/// as text.
macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                Self(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id)
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.to_owned())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    )+};
}

id_type! {
    /// An instance (`ins_…`): the tenant every other record belongs to.
    InstanceId;
    /// A user (`user_…`).
    UserId;
    /// An organization (`org_…`).
    OrgId;
    /// An organization role (`role_…`).
    RoleId;
    /// An organization permission (`perm_…`).
    PermissionId;
    /// A session (`sess_…`).
    SessionId;
    /// A secret key's record (`key_…`).
    KeyId;
    /// An organization invitation (`orginv_…`).
    InvitationId;
    /// An organization domain (`orgdmn_…`).
    DomainId;
    /// A SCIM directory (`scimdir_…`).
    DirectoryId;
}

/// Mint a new id with the given prefix, e.g. `new_id(prefix::USER)` -> `user_2g7np7Hrk0SN6kj5EDMLDaKNL0S`.
pub fn new_id(prefix: &str) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(KSUID_EPOCH)
        .saturating_sub(KSUID_EPOCH) as u32;
    let mut raw = [0u8; 20];
    raw[..4].copy_from_slice(&secs.to_be_bytes());
    rand::rng().fill_bytes(&mut raw[4..]);
    format!("{prefix}_{}", base62(&raw))
}

/// Fixed-width base62 of a 160-bit big-endian number (27 digits always suffice: 62^27 > 2^160). Divides five
/// 32-bit limbs per digit, not twenty bytes: ids are minted inside write transactions (one per membership
/// of a bulk write), so this is on the writer's path.
fn base62(bytes: &[u8; 20]) -> String {
    let mut limbs = [0u32; 5];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.chunks_exact(4)) {
        *limb = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    let mut out = [b'0'; SUFFIX_LEN];
    for slot in out.iter_mut().rev() {
        let mut rem: u64 = 0;
        for limb in limbs.iter_mut() {
            let acc = (rem << 32) | u64::from(*limb);
            *limb = (acc / 62) as u32;
            rem = acc % 62;
        }
        *slot = ALPHABET[rem as usize];
    }
    String::from_utf8(out.to_vec()).expect("alphabet is ascii")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_ids_compare_and_deref_as_their_text() {
        let user = UserId::new("user_1");
        assert_eq!(user, "user_1");
        assert_eq!(&*user, "user_1");
        assert_eq!(user.to_string(), "user_1");
        assert_eq!(String::from(user.clone()), "user_1");
        assert_ne!(user, UserId::from("user_2"));
    }

    #[test]
    fn ids_have_prefix_and_27_base62_chars() {
        let id = new_id(prefix::MEMBERSHIP);
        let suffix = id.strip_prefix("orgmem_").unwrap();
        assert_eq!(suffix.len(), SUFFIX_LEN);
        assert!(suffix.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(new_id(prefix::USER), new_id(prefix::USER));
    }

    #[test]
    fn base62_is_fixed_width_and_order_preserving() {
        assert_eq!(base62(&[0; 20]), "0".repeat(27));
        assert_eq!(base62(&[255; 20]), "aWgEPTl1tmebfsQzFP4bxwgy80V");
        let mut a = [0u8; 20];
        a[3] = 1;
        let mut b = [0u8; 20];
        b[3] = 2;
        assert!(base62(&a) < base62(&b));
        // The digits of 2^32 + 61 and 62^2: limb boundaries and carries.
        let mut c = [0u8; 20];
        c[15] = 1;
        c[19] = 61;
        assert_eq!(base62(&c), format!("{}4gfFD3", "0".repeat(21)));
        let mut d = [0u8; 20];
        d[18..].copy_from_slice(&3844u16.to_be_bytes());
        assert_eq!(base62(&d), format!("{}100", "0".repeat(24)));
    }
}

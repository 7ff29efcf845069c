//! Request bodies, one type per body: the server deserializes them (with a deserializer of its own that
//! answers Clerk's error for each bad field), the SDK serializes them, and the OpenAPI document describes them
//! (feature `openapi`). Absent optional fields are not sent; `Option<Option<T>>` fields tell an absent field
//! (`None`, left alone) from `null` (`Some(None)`, cleared).

mod enrollment;
mod memberships;
mod organizations;
mod roles;
mod scim;
mod users;

pub use enrollment::*;
pub use memberships::*;
pub use organizations::*;
pub use roles::*;
pub use scim::*;
pub use users::*;

use serde::de::{Deserialize, Deserializer, Visitor};

use crate::values::Metadata;

/// The newtype-struct name under which metadata fields ask to be deserialized. A deserializer that knows it
/// (Roster's server) applies the metadata rules there, with the field's name in its errors: an object of at
/// most 8 KB serialized, `null` for `{}`. Any other deserializer (`serde_json`) sees a plain newtype.
pub const METADATA_FIELD: &str = "$roster::metadata";

/// `deserialize_with` helpers for the request bodies' fields.
pub mod field {
    use super::*;

    /// A metadata field: absent -> `None` (with `#[serde(default)]`); `null` -> `Some({})`; an object -> `Some`.
    pub fn metadata<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Metadata>, D::Error> {
        struct MetadataVisitor;

        impl<'de> Visitor<'de> for MetadataVisitor {
            type Value = Option<Metadata>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a metadata object or null")
            }

            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                Option::<Metadata>::deserialize(d).map(|m| Some(m.unwrap_or_default()))
            }
        }

        deserializer.deserialize_newtype_struct(METADATA_FIELD, MetadataVisitor)
    }

    /// A field that may be cleared: absent -> `None` (with `#[serde(default)]`); `null` -> `Some(None)`.
    pub fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

/// Documentation types of the OpenAPI document: values as Roster checks them.
#[cfg(feature = "openapi")]
pub mod schema {
    /// An email address as Roster checks it: one `@`, a dotted domain, no whitespace.
    #[derive(utoipa::ToSchema)]
    #[schema(pattern = r"^[^@\s]+@[^@\s.][^@\s]*\.[^@\s]*[^@\s.]$", max_length = 320)]
    pub struct EmailAddressValue(pub String);

    /// A phone number in E.164: `+` and 7 to 15 digits.
    #[derive(utoipa::ToSchema)]
    #[schema(pattern = r"^\+[0-9]{7,15}$")]
    pub struct PhoneNumberValue(pub String);

    /// An Ethereum address: `0x` and 40 hex digits.
    #[derive(utoipa::ToSchema)]
    #[schema(pattern = r"^0x[0-9a-fA-F]{40}$")]
    pub struct Web3WalletValue(pub String);

    #[derive(utoipa::ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum IdentificationStatus {
        Verified,
        Reserved,
    }

    #[derive(utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum EnrollmentMode {
        ManualInvitation,
        AutomaticInvitation,
        AutomaticSuggestion,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn metadata_and_nullable_fields_tell_absent_from_null() {
        let body: UpdateOrganizationRoleRequest = serde_json::from_value(json!({"description": null})).unwrap();
        assert_eq!(body.description, Some(None));
        assert_eq!(body.permissions, None);
        let body: UserMetadataRequest = serde_json::from_value(json!({"public_metadata": null})).unwrap();
        assert_eq!(body.public_metadata, Some(Metadata::new()));
        assert_eq!(body.private_metadata, None);
        let back = serde_json::to_value(&body).unwrap();
        assert_eq!(back, json!({"public_metadata": {}}));
    }

    #[test]
    fn unset_fields_are_not_sent() {
        let body = CreateUserRequest { email_address: vec!["a@example.com".into()], ..Default::default() };
        assert_eq!(serde_json::to_value(&body).unwrap(), json!({"email_address": ["a@example.com"]}));
        let cleared = UpdateOrganizationRoleRequest { description: Some(None), ..Default::default() };
        assert_eq!(serde_json::to_value(&cleared).unwrap(), json!({"description": null}));
    }
}

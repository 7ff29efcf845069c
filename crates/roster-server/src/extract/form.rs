//! A `serde::Deserializer` over a JSON object body that answers Clerk's error for each bad field, so the
//! request bodies of `roster-api-types` are deserialized directly and their fields are named in every
//! error: absent, `null` or blank where a value is required -> 422 `form_param_missing`; a field the body
//! type does not know (`deny_unknown_fields`) -> `form_param_unknown`; a value of the wrong JSON type ->
//! `form_param_value_invalid` ("Received number, must be of type string."); more than 100 array values ->
//! `form_param_value_invalid`; metadata that is not an object or is over 8 KB -> its metadata error. An
//! array field that is `null` reads as empty.

use std::fmt;

use serde::de::value::StringDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use roster_api_types::requests::METADATA_FIELD;
use roster_core::metadata;
use roster_core::query::MAX_ARRAY_VALUES;
use roster_core::DomainError;

use crate::error::ApiError;

/// Deserialize a body type from the object `map`.
pub fn from_map<T: de::DeserializeOwned>(map: Map<String, Value>) -> Result<T, ApiError> {
    T::deserialize(BodyDeserializer(map)).map_err(|e| match e {
        FieldError::Api(e) => e,
        // A message no field claimed (the body type's own): the body as a whole is invalid.
        FieldError::Message(_) => ApiError::body_invalid(),
    })
}

/// An error while deserializing: Clerk's error already, or a message still to be given its field's name.
#[derive(Debug)]
pub enum FieldError {
    Api(ApiError),
    Message(String),
}

impl FieldError {
    fn at(self, key: &str) -> Self {
        match self {
            Self::Message(m) => Self::Api(ApiError::invalid(key, format!("{key} is invalid: {m}."))),
            api => api,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Api(e) => f.write_str(&e.long_message),
            Self::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for FieldError {}

impl de::Error for FieldError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::Message(msg.to_string())
    }

    fn missing_field(field: &'static str) -> Self {
        Self::Api(ApiError::missing(field))
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        Self::Api(ApiError::unknown(field))
    }
}

impl From<DomainError> for FieldError {
    fn from(e: DomainError) -> Self {
        Self::Api(e.into())
    }
}

struct BodyDeserializer(Map<String, Value>);

impl<'de> Deserializer<'de> for BodyDeserializer {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        visitor.visit_map(Fields { entries: self.0.into_iter(), pending: None })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The body's fields in the order they came.
struct Fields {
    entries: serde_json::map::IntoIter,
    pending: Option<(String, Value)>,
}

impl<'de> MapAccess<'de> for Fields {
    type Error = FieldError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, FieldError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        let name: StringDeserializer<FieldError> = key.clone().into_deserializer();
        self.pending = Some((key, value));
        seed.deserialize(name).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FieldError> {
        let (key, value) = self.pending.take().ok_or_else(|| FieldError::Message("a value without a key".into()))?;
        seed.deserialize(Field { key: &key, value, role: Role::Required }).map_err(|e| e.at(&key))
    }
}

/// Where a value stands: a field's own value (`null` and blank strings count as missing), the value inside
/// an `Option` (never `null`), or an array element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Required,
    Optional,
    Element,
}

/// One field's value, with the field's name for its errors.
struct Field<'k> {
    key: &'k str,
    value: Value,
    role: Role,
}

impl Field<'_> {
    fn wrong_type(&self, expected: &str) -> FieldError {
        if self.value.is_null() && self.role == Role::Required {
            return FieldError::Api(ApiError::missing(self.key));
        }
        FieldError::Api(ApiError::wrong_type(self.key, &self.value, expected))
    }
}

/// Let `serde_json` deserialize what needs no rule of ours, naming the field in its errors.
fn plain<'de, V: Visitor<'de>>(
    value: Value,
    deserialize: impl FnOnce(Value, V) -> Result<V::Value, serde_json::Error>,
    visitor: V,
) -> Result<V::Value, FieldError> {
    deserialize(value, visitor).map_err(|e| FieldError::Message(e.to_string()))
}

impl<'de> Deserializer<'de> for Field<'_> {
    type Error = FieldError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        plain(self.value, Value::deserialize_any, visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.value {
            Value::Bool(b) => visitor.visit_bool(b),
            _ => Err(self.wrong_type("boolean")),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.value.as_i64() {
            Some(n) => visitor.visit_i64(n),
            None => Err(self.wrong_type("integer")),
        }
    }

    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_i64(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.value {
            Value::String(s) if self.role == Role::Required && s.trim().is_empty() => {
                Err(FieldError::Api(ApiError::missing(self.key)))
            }
            Value::String(s) => visitor.visit_string(s),
            _ => Err(self.wrong_type("string")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Field { key: self.key, value, role: Role::Optional }),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        let values = match self.value {
            Value::Null if self.role != Role::Element => Vec::new(),
            Value::Array(values) => values,
            _ => return Err(self.wrong_type("array")),
        };
        if values.len() > MAX_ARRAY_VALUES {
            return Err(DomainError::ArrayTooLong { param: self.key.into(), limit: MAX_ARRAY_VALUES }.into());
        }
        visitor.visit_seq(Elements { key: self.key, values: values.into_iter() })
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FieldError> {
        match self.value {
            value @ Value::Object(_) => plain(value, Value::deserialize_map, visitor),
            _ => Err(self.wrong_type("object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FieldError> {
        if name != METADATA_FIELD {
            return visitor.visit_newtype_struct(self);
        }
        // A metadata field: an object (or `null`, read as `{}`) within the size limit.
        let object = metadata::expect_object(self.key, self.value)?;
        metadata::check_size(self.key, &object)?;
        visitor.visit_newtype_struct(Field { key: self.key, value: Value::Object(object), role: Role::Optional })
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u8 u16 u128 f32 f64 char bytes byte_buf unit unit_struct tuple tuple_struct enum identifier
        ignored_any
    }
}

/// An array field's values.
struct Elements<'k> {
    key: &'k str,
    values: std::vec::IntoIter<Value>,
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = FieldError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, FieldError> {
        match self.values.next() {
            None => Ok(None),
            Some(value) => seed.deserialize(Field { key: self.key, value, role: Role::Element }).map(Some),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.values.len())
    }
}

#[cfg(test)]
mod tests {
    use roster_api_types::{
        CreateOrganizationMembershipRequestBody as CreateMembership, CreateUserRequest, UpdateOrganizationRoleRequest,
        UpdateUserRequest, UserMetadataRequest,
    };
    use serde_json::json;

    use super::*;

    fn parse<T: de::DeserializeOwned>(body: Value) -> Result<T, ApiError> {
        from_map(body.as_object().expect("an object").clone())
    }

    /// The code, parameter and long message of the error a body gets.
    fn error<T: de::DeserializeOwned + fmt::Debug>(body: Value) -> (&'static str, String, String) {
        let e = parse::<T>(body).expect_err("an error");
        let param = e.meta.get("param_name").and_then(Value::as_str).unwrap_or_default().to_owned();
        (e.code, param, e.long_message.clone())
    }

    #[test]
    fn required_strings_absent_null_or_blank_are_missing() {
        for body in [json!({"role": "org:member"}), json!({"user_id": null, "role": "r"}), json!({"user_id": " "})] {
            let (code, param, long) = error::<CreateMembership>(body);
            assert_eq!(
                (code, param.as_str(), long.as_str()),
                ("form_param_missing", "user_id", "user_id must be included.")
            );
        }
        let ok: CreateMembership = parse(json!({"user_id": "user_1", "role": "org:member"})).unwrap();
        assert_eq!((ok.user_id.as_str(), ok.public_metadata), ("user_1", None));
    }

    #[test]
    fn wrong_types_name_the_field_and_both_types() {
        let cases = [
            (json!({"user_id": 5, "role": "r"}), "user_id", "Received number, must be of type string."),
            (json!({"banned": "yes"}), "banned", "Received string, must be of type boolean."),
            (
                json!({"create_organizations_limit": 1.5}),
                "create_organizations_limit",
                "Received number, must be of type integer.",
            ),
            (json!({"email_address": "a@example.com"}), "email_address", "Received string, must be of type array."),
            (
                json!({"email_address": ["a@example.com", 7]}),
                "email_address",
                "Received number, must be of type string.",
            ),
            (json!({"email_address": [null]}), "email_address", "Received null, must be of type string."),
        ];
        for (body, field, message) in cases {
            let (code, param, long) =
                if field == "user_id" { error::<CreateMembership>(body) } else { error::<CreateUserRequest>(body) };
            assert_eq!(code, "form_param_value_invalid", "{field}");
            assert_eq!(param, field);
            assert_eq!(long, format!("{field} is invalid. {message}"));
        }
    }

    #[test]
    fn unknown_fields_are_refused_where_the_body_type_says_so() {
        let (code, param, _) = error::<UserMetadataRequest>(json!({"public_metadata": {}, "extra": 1}));
        assert_eq!((code, param.as_str()), ("form_param_unknown", "extra"));
        // Bodies that ignore unknown fields still do.
        let ok: CreateMembership = parse(json!({"user_id": "u", "role": "r", "extra": [1]})).unwrap();
        assert_eq!(ok.role, "r");
    }

    #[test]
    fn metadata_is_an_object_within_8_kb_and_null_is_empty() {
        let (code, param, long) = error::<UserMetadataRequest>(json!({"private_metadata": [1]}));
        assert_eq!((code, param.as_str()), ("form_param_value_invalid", "private_metadata"));
        assert!(long.contains("not a valid key-value object"), "{long}");
        let big = json!({"public_metadata": {"k": "x".repeat(9000)}});
        assert_eq!(error::<UserMetadataRequest>(big).0, "form_param_exceeds_allowed_size");
        let body: UserMetadataRequest =
            parse(json!({"public_metadata": null, "unsafe_metadata": {"a": {"b": null}}})).unwrap();
        assert_eq!(body.public_metadata, Some(Map::new()));
        assert_eq!(body.private_metadata, None);
        assert_eq!(Value::Object(body.unsafe_metadata.unwrap()), json!({"a": {"b": null}}));
    }

    #[test]
    fn arrays_hold_at_most_100_values_and_null_is_empty() {
        let many: Vec<String> = (0..101).map(|i| format!("u{i}@example.com")).collect();
        let (code, param, _) = error::<CreateUserRequest>(json!({"email_address": many}));
        assert_eq!((code, param.as_str()), ("form_param_array_size_exceeded", "email_address"));
        let body: CreateUserRequest = parse(json!({"email_address": null})).unwrap();
        assert!(body.email_address.is_empty());
    }

    #[test]
    fn nullable_fields_tell_null_from_absent() {
        let body: UpdateUserRequest = parse(json!({"first_name": null, "username": "alice"})).unwrap();
        assert_eq!(body.first_name, Some(None));
        assert_eq!(body.last_name, None);
        assert_eq!(body.username, Some(Some("alice".into())));
        let role: UpdateOrganizationRoleRequest = parse(json!({"permissions": null, "name": " "})).unwrap();
        assert_eq!(role.permissions, Some(None));
        // A blank optional string is a value (the handler decides what it means).
        assert_eq!(role.name.as_deref(), Some(" "));
    }
}

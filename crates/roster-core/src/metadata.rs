//! Metadata rules shared by users, organizations and memberships: values are JSON objects, each field at
//! most 8 KB serialized, `PATCH .../metadata` deep-merges (objects merge recursively, `null` deletes a key at
//! any depth, arrays and scalars replace), `PUT .../metadata` replaces whole top-level fields.

use serde_json::{Map, Value};

use crate::DomainError;

/// Clerk's documented limit for one metadata field, in bytes of serialized JSON.
pub const MAX_METADATA_BYTES: usize = 8 * 1024;

pub type Metadata = Map<String, Value>;

/// Merge `patch` into `target` in place, Clerk's deep-merge semantics.
pub fn deep_merge(target: &mut Metadata, patch: Metadata) {
    for (key, value) in patch {
        match value {
            Value::Null => {
                target.remove(&key);
            }
            Value::Object(inner) => match target.get_mut(&key) {
                Some(Value::Object(existing)) => deep_merge(existing, inner),
                _ => {
                    // A new or non-object slot takes the object, minus any null leaves it carried.
                    let mut fresh = Map::new();
                    deep_merge(&mut fresh, inner);
                    target.insert(key, Value::Object(fresh));
                }
            },
            other => {
                target.insert(key, other);
            }
        }
    }
}

/// Accept `value` as a metadata object for `param`: objects pass, `null` means empty, anything else is 422.
pub fn expect_object(param: &str, value: Value) -> Result<Metadata, DomainError> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(DomainError::MetadataNotObject(param.to_owned())),
    }
}

/// Refuse a metadata field whose serialized form is over the limit.
pub fn check_size(param: &str, value: &Metadata) -> Result<(), DomainError> {
    let size = serde_json::to_vec(value).map(|v| v.len()).unwrap_or(usize::MAX);
    if size > MAX_METADATA_BYTES {
        return Err(DomainError::MetadataTooLarge { param: param.to_owned(), limit: MAX_METADATA_BYTES });
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MetadataMode {
    /// Deep merge, `null` deletes (`PATCH .../metadata`).
    #[default]
    Merge,
    /// Replace each given top-level field (`PUT .../metadata`).
    Replace,
}

/// Metadata fields to change; `None` leaves a field untouched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetadataUpdate {
    pub mode: MetadataMode,
    pub public: Option<Metadata>,
    pub private: Option<Metadata>,
    pub unsafe_: Option<Metadata>,
}

impl MetadataUpdate {
    pub fn is_empty(&self) -> bool {
        self.public.is_none() && self.private.is_none() && self.unsafe_.is_none()
    }

    /// Apply one field's change to its current value, then check the size of the result.
    pub fn apply(
        mode: MetadataMode,
        param: &str,
        current: &mut Metadata,
        change: Option<Metadata>,
    ) -> Result<(), DomainError> {
        if let Some(change) = change {
            match mode {
                MetadataMode::Merge => deep_merge(current, change),
                MetadataMode::Replace => *current = change,
            }
            check_size(param, current)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Metadata {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn merge_is_deep_and_null_deletes_at_any_depth() {
        let mut target = obj(json!({"a": {"b": 1, "c": {"d": 2, "e": 3}}, "keep": true, "gone": 1}));
        deep_merge(&mut target, obj(json!({"a": {"c": {"d": null, "f": 4}}, "gone": null, "new": [1, null]})));
        assert_eq!(
            Value::Object(target),
            json!({"a": {"b": 1, "c": {"e": 3, "f": 4}}, "keep": true, "new": [1, null]})
        );
    }

    #[test]
    fn arrays_and_scalars_replace_and_objects_replace_scalars() {
        let mut target = obj(json!({"list": [1, 2, 3], "n": 1, "s": "x"}));
        deep_merge(&mut target, obj(json!({"list": [9], "n": {"k": null, "v": 1}, "s": 2})));
        assert_eq!(Value::Object(target), json!({"list": [9], "n": {"v": 1}, "s": 2}));
    }

    #[test]
    fn size_limit_is_8_kib_of_serialized_json() {
        let fits = obj(json!({"k": "x".repeat(MAX_METADATA_BYTES - 8)}));
        assert_eq!(serde_json::to_vec(&fits).unwrap().len(), MAX_METADATA_BYTES);
        assert!(check_size("public_metadata", &fits).is_ok());
        let over = obj(json!({"k": "x".repeat(MAX_METADATA_BYTES - 7)}));
        assert!(matches!(check_size("public_metadata", &over), Err(DomainError::MetadataTooLarge { .. })));
    }

    #[test]
    fn non_objects_are_refused() {
        assert!(expect_object("p", json!([1])).is_err());
        assert!(expect_object("p", json!("s")).is_err());
        assert_eq!(expect_object("p", Value::Null).unwrap(), Map::new());
    }
}

//! SCIM PATCH (RFC 7644 §3.5.2): parsing a `PatchOp` message and applying it to a resource body.

mod apply;
mod ops;

pub use apply::apply;
pub use scim_v2::filter::PatchPath;

use crate::resource::get_ci;
use crate::{short, ScimError};
use serde_json::Value;

/// The `schemas` URN of a PATCH request.
pub const PATCH_OP_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// Most operations accepted in one PATCH request.
pub const MAX_OPERATIONS: usize = 1000;

/// The `op` of a PATCH operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// `add`
    Add,
    /// `replace`
    Replace,
    /// `remove`
    Remove,
}

/// One parsed PATCH operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The operation.
    pub op: OpKind,
    /// The target path; `None` for a pathless `add`/`replace` (then `value` is an object).
    pub path: Option<PatchPath>,
    /// The `value` member: `None` when absent; `Some(Value::Null)` when explicitly null.
    pub value: Option<Value>,
}

/// Parse a PatchOp body.
///
/// * The body must be an object whose `schemas` contains [`PATCH_OP_URN`] (any case), else 400
///   `invalidSyntax`.
/// * `Operations` (key matched case-insensitively) must be a non-empty array of at most
///   [`MAX_OPERATIONS`] objects, else 400 `invalidSyntax` (`tooMany` above the limit).
/// * `op` is case-insensitive (`Add`, `Replace`, `Remove` from Entra); anything else is 400
///   `invalidSyntax`. Operation member names are case-insensitive too.
/// * `path` must be a string parsing as an RFC 7644 path (400 `invalidPath` otherwise); an empty
///   string counts as absent. `remove` without a path is 400 `noTarget`.
/// * `add` needs a non-null `value`; `replace` needs a `value` member (`null` unassigns); a
///   pathless `add`/`replace` needs an object value. Otherwise 400 `invalidValue`.
pub fn parse(body: Value) -> Result<Vec<Operation>, ScimError> {
    let Value::Object(obj) = body else {
        return Err(ScimError::invalid_syntax("a PatchOp must be a JSON object"));
    };
    let has_urn = matches!(get_ci(&obj, "schemas"), Some(Value::Array(list))
        if list.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP_URN))));
    if !has_urn {
        return Err(ScimError::invalid_syntax(format!("`schemas` must contain {PATCH_OP_URN}")));
    }
    let Some(Value::Array(list)) = get_ci(&obj, "Operations") else {
        return Err(ScimError::invalid_syntax("`Operations` must be an array"));
    };
    if list.is_empty() {
        return Err(ScimError::invalid_syntax("`Operations` must not be empty"));
    }
    if list.len() > MAX_OPERATIONS {
        return Err(ScimError::too_many(format!("at most {MAX_OPERATIONS} operations per request")));
    }
    list.iter().map(parse_op).collect()
}

fn parse_op(raw: &Value) -> Result<Operation, ScimError> {
    let Value::Object(o) = raw else {
        return Err(ScimError::invalid_syntax("each operation must be an object"));
    };
    let op = match get_ci(o, "op").and_then(Value::as_str).map(str::trim) {
        Some(s) if s.eq_ignore_ascii_case("add") => OpKind::Add,
        Some(s) if s.eq_ignore_ascii_case("replace") => OpKind::Replace,
        Some(s) if s.eq_ignore_ascii_case("remove") => OpKind::Remove,
        Some(s) => return Err(ScimError::invalid_syntax(format!("unknown PATCH op `{}`", short(s)))),
        None => return Err(ScimError::invalid_syntax("each operation needs an `op` string")),
    };
    let path = match get_ci(o, "path") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            s.parse::<PatchPath>()
                .map_err(|_| ScimError::invalid_path(format!("invalid PATCH path `{}`", short(s))))?,
        ),
        Some(_) => return Err(ScimError::invalid_path("`path` must be a string")),
    };
    let value = get_ci(o, "value").cloned();
    match op {
        OpKind::Remove if path.is_none() => return Err(ScimError::no_target("`remove` requires a path")),
        OpKind::Add if value.as_ref().is_none_or(Value::is_null) => {
            return Err(ScimError::invalid_value("`add` requires a value"))
        }
        OpKind::Replace if value.is_none() => return Err(ScimError::invalid_value("`replace` requires a value")),
        OpKind::Add | OpKind::Replace if path.is_none() && !value.as_ref().is_some_and(Value::is_object) => {
            return Err(ScimError::invalid_value("a pathless operation requires an object value"))
        }
        _ => {}
    }
    Ok(Operation { op, path, value })
}

#[cfg(test)]
mod tests;

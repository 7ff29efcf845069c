//! POST/PUT body validation and canonicalization.

use super::get_ci;
use crate::schema::{self, AttrDef, AttrType, Mutability, Resolved, SchemaDef, COMMON};
use crate::{ResourceKind, ScimError};
use serde_json::{Map, Value};

/// Validate and canonicalize a POST/PUT body (also used to re-validate after PATCH).
///
/// * The body must be an object whose `schemas` (any case) is an array of strings containing the
///   core URN of `kind`, else 400 `invalidSyntax`. Unknown URNs in `schemas` are ignored; the
///   output `schemas` is rebuilt as the core URN plus each extension actually present.
/// * Attribute names are matched case-insensitively and rewritten to the published case,
///   sub-attributes too. Extension attributes live under their URN key (an
///   `"<extension URN>:<attr>"` or `"<core URN>:<attr>"` top-level key is also understood).
/// * Unknown attributes (and sub-attributes) are dropped silently, as are readOnly ones (`id`,
///   `meta`, a User's `groups`, `manager.displayName`). `null` and `[]` mean unassigned.
/// * Booleans accept `true`/`false` and the strings `"true"`/`"false"` in any case (Entra);
///   numbers given for string attributes are stringified; a string given for a complex
///   attribute that has a `value` sub-attribute becomes `{"value": ...}` (Entra's `manager`);
///   a single object given for a multi-valued attribute becomes a one-element array. Any other
///   type mismatch is 400 `invalidValue`.
/// * Multi-valued: if several values have `primary: true`, the first keeps it and the others
///   are set to `false`.
/// * Required attributes (`userName`, Group `displayName`) must be non-empty strings, else 400
///   `invalidValue`.
///
/// The output lists `schemas`, then `externalId`, then attributes in schema order, then
/// extension objects: the canonical resource body (no `id`/`meta`). Normalizing its output
/// again returns it unchanged.
pub fn normalize(kind: ResourceKind, body: Value) -> Result<Value, ScimError> {
    let Value::Object(input) = body else {
        return Err(ScimError::invalid_syntax("the resource must be a JSON object"));
    };
    check_schemas(kind, get_ci(&input, "schemas"))?;
    let mut core: Map<String, Value> = Map::new();
    let mut exts: Vec<(&'static SchemaDef, Map<String, Value>)> = Vec::new();
    for (key, value) in input {
        if key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        match schema::resolve_key(kind, &key) {
            None => {}
            Some(Resolved::Extension(ext)) => {
                let map = match value {
                    Value::Null => continue,
                    Value::Object(m) => normalize_attrs(ext.attrs, m, ext.name)?,
                    _ => return Err(ScimError::invalid_value(format!("extension {} must be an object", ext.urn))),
                };
                let slot = ext_slot(&mut exts, ext);
                for (k, v) in map {
                    slot.insert(k, v);
                }
            }
            Some(Resolved::Attr { container, attr, .. }) => {
                let target = match container {
                    schema::Container::Core => &mut core,
                    schema::Container::Extension(ext) => ext_slot(&mut exts, ext),
                };
                if attr.mutability == Mutability::ReadOnly {
                    continue;
                }
                match normalize_value(attr, value)? {
                    Some(v) => {
                        target.insert(attr.name.to_string(), v);
                    }
                    None => {
                        target.remove(attr.name);
                    }
                }
            }
        }
    }
    check_required(kind.schema(), &core)?;
    let mut out = Map::new();
    let mut schemas = vec![Value::String(kind.schema_urn().into())];
    let mut ordered = Map::new();
    for def in COMMON.iter().chain(kind.schema().attrs) {
        if let Some(v) = core.remove(def.name) {
            ordered.insert(def.name.to_string(), v);
        }
    }
    for ext in kind.extensions() {
        if let Some((_, map)) = exts.iter_mut().find(|(e, _)| e.urn == ext.urn) {
            if map.is_empty() {
                continue;
            }
            check_required(ext, map)?;
            let mut m = Map::new();
            for def in ext.attrs {
                if let Some(v) = map.remove(def.name) {
                    m.insert(def.name.to_string(), v);
                }
            }
            schemas.push(Value::String(ext.urn.into()));
            ordered.insert(ext.urn.to_string(), Value::Object(m));
        }
    }
    out.insert("schemas".into(), Value::Array(schemas));
    out.extend(ordered);
    Ok(Value::Object(out))
}

fn ext_slot<'a>(
    exts: &'a mut Vec<(&'static SchemaDef, Map<String, Value>)>,
    ext: &'static SchemaDef,
) -> &'a mut Map<String, Value> {
    let idx = match exts.iter().position(|(e, _)| e.urn == ext.urn) {
        Some(i) => i,
        None => {
            exts.push((ext, Map::new()));
            exts.len() - 1
        }
    };
    &mut exts[idx].1
}

fn check_schemas(kind: ResourceKind, schemas: Option<&Value>) -> Result<(), ScimError> {
    let Some(Value::Array(list)) = schemas else {
        return Err(ScimError::invalid_syntax("`schemas` must be an array of schema URNs"));
    };
    let mut found = false;
    for s in list {
        let Value::String(s) = s else {
            return Err(ScimError::invalid_syntax("`schemas` must contain strings"));
        };
        found |= s.eq_ignore_ascii_case(kind.schema_urn());
    }
    if found {
        Ok(())
    } else {
        Err(ScimError::invalid_syntax(format!("`schemas` must include {}", kind.schema_urn())))
    }
}

fn check_required(schema: &SchemaDef, map: &Map<String, Value>) -> Result<(), ScimError> {
    for def in schema.attrs.iter().filter(|d| d.required) {
        let ok = match map.get(def.name) {
            Some(Value::String(s)) => !s.trim().is_empty(),
            Some(Value::Null) | None => false,
            Some(_) => true,
        };
        if !ok {
            return Err(ScimError::invalid_value(format!("required attribute `{}` is missing or empty", def.name)));
        }
    }
    Ok(())
}

/// Normalize an object against a list of (sub-)attribute definitions.
pub(crate) fn normalize_attrs(
    defs: &'static [AttrDef],
    input: Map<String, Value>,
    parent: &str,
) -> Result<Map<String, Value>, ScimError> {
    let mut found: Map<String, Value> = Map::new();
    for (key, value) in input {
        let Some(def) = schema::find(defs, &key) else {
            continue;
        };
        if def.mutability == Mutability::ReadOnly {
            continue;
        }
        match normalize_value(def, value).map_err(|e| prefix(e, parent))? {
            Some(v) => {
                found.insert(def.name.to_string(), v);
            }
            None => {
                found.remove(def.name);
            }
        }
    }
    let mut out = Map::new();
    for def in defs {
        if let Some(v) = found.remove(def.name) {
            out.insert(def.name.to_string(), v);
        }
    }
    Ok(out)
}

fn prefix(mut e: ScimError, parent: &str) -> ScimError {
    e.detail = format!("{parent}: {}", e.detail);
    e
}

/// Normalize one attribute's value; `Ok(None)` means unassigned.
pub(crate) fn normalize_value(def: &'static AttrDef, value: Value) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if !def.multi {
        if value.is_array() {
            return Err(ScimError::invalid_value(format!("`{}` is single-valued, got an array", def.name)));
        }
        return normalize_single(def, value);
    }
    let items = match value {
        Value::Array(a) => a,
        other => vec![other],
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.is_array() {
            return Err(ScimError::invalid_value(format!("`{}` values must not be arrays", def.name)));
        }
        if let Some(v) = normalize_single(def, item)? {
            out.push(v);
        }
    }
    if out.is_empty() {
        return Ok(None);
    }
    if def.sub_attr("primary").is_some() {
        let mut seen = false;
        for v in &mut out {
            if let Some(p) = v.get_mut("primary") {
                if *p == Value::Bool(true) {
                    if seen {
                        *p = Value::Bool(false);
                    }
                    seen = true;
                }
            }
        }
    }
    Ok(Some(Value::Array(out)))
}

fn type_error(def: &AttrDef, got: &Value) -> ScimError {
    let got = match got {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    ScimError::invalid_value(format!("`{}` must be of type {}, got {got}", def.name, def.ty.as_str()))
}

fn normalize_single(def: &'static AttrDef, value: Value) -> Result<Option<Value>, ScimError> {
    match (def.ty, value) {
        (_, Value::Null) => Ok(None),
        (AttrType::String, Value::String(s)) => Ok(Some(Value::String(s))),
        (AttrType::String, Value::Number(n)) => Ok(Some(Value::String(n.to_string()))),
        (AttrType::Boolean, Value::Bool(b)) => Ok(Some(Value::Bool(b))),
        (AttrType::Boolean, Value::String(s)) => match parse_bool(&s) {
            Some(b) => Ok(Some(Value::Bool(b))),
            None => Err(ScimError::invalid_value(format!("`{}` must be a boolean", def.name))),
        },
        (AttrType::Reference, Value::String(s)) => Ok(Some(Value::String(s))),
        (AttrType::DateTime, Value::String(s)) => {
            if crate::time::parse_nanos(&s).is_some() {
                Ok(Some(Value::String(s)))
            } else {
                Err(ScimError::invalid_value(format!("`{}` must be an RFC 3339 date-time", def.name)))
            }
        }
        (AttrType::Integer, Value::Number(n)) if n.is_i64() || n.is_u64() => Ok(Some(Value::Number(n))),
        (AttrType::Integer, Value::String(s)) => match s.trim().parse::<i64>() {
            Ok(i) => Ok(Some(Value::from(i))),
            Err(_) => Err(ScimError::invalid_value(format!("`{}` must be an integer", def.name))),
        },
        (AttrType::Complex, Value::Object(m)) => {
            let m = normalize_attrs(def.sub, m, def.name)?;
            Ok((!m.is_empty()).then_some(Value::Object(m)))
        }
        (AttrType::Complex, Value::String(s)) if def.sub_attr("value").is_some() => {
            let mut m = Map::new();
            m.insert("value".into(), Value::String(s));
            Ok(Some(Value::Object(m)))
        }
        (_, other) => Err(type_error(def, &other)),
    }
}

/// `true`/`false` in any case (Entra sends `"True"`/`"False"`).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    if s.trim().eq_ignore_ascii_case("true") {
        Some(true)
    } else if s.trim().eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

//! `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9).

use crate::schema::{self, AttrDef, Container, Resolved, Returned, SchemaDef};
use crate::{short, ResourceKind, ScimError};
use scim_v2::filter::PatchPath;
use serde_json::{Map, Value};

/// Apply `attributes` / `excludedAttributes` (comma-separated attribute paths: `name`,
/// `name.givenName`, `urn:...:User:userName`, `urn:...:enterprise:2.0:User:department`, or a
/// whole extension URN; case-insensitive) to a full representation.
///
/// * `schemas` and `returned: always` attributes (`id`) are always kept; `returned: never`
///   attributes are always dropped; `returned: request` ones only appear when listed in
///   `attributes`.
/// * With `attributes`, only the listed attributes (or sub-attributes) are kept; `meta` is
///   dropped unless listed.
/// * With `excludedAttributes`, the listed attributes/sub-attributes are removed.
/// * Both may be given (RFC says they are mutually exclusive; Roster applies `attributes`
///   first, then `excludedAttributes`).
/// * Unknown attribute names are ignored; a syntactically invalid path, a value-filter path,
///   or a sub-attribute of a simple attribute is 400 `invalidValue`.
pub fn project(
    kind: ResourceKind,
    full: &Value,
    attributes: Option<&str>,
    excluded: Option<&str>,
) -> Result<Value, ScimError> {
    let include = attributes.map(|a| parse_list(kind, a)).transpose()?;
    let exclude = excluded.map(|a| parse_list(kind, a)).transpose()?;
    let Value::Object(obj) = full else {
        return Ok(full.clone());
    };
    let mut out = Map::new();
    for (key, value) in obj {
        if key == "schemas" {
            out.insert(key.clone(), value.clone());
            continue;
        }
        match schema::resolve_key(kind, key) {
            Some(Resolved::Extension(ext)) => {
                let Value::Object(inner) = value else {
                    continue;
                };
                let mut m = Map::new();
                for (k, v) in inner {
                    let Some(def) = schema::find(ext.attrs, k) else {
                        continue;
                    };
                    let c = Container::Extension(ext);
                    if let Some(v) = decide(c, def, v, include.as_deref(), exclude.as_deref()) {
                        m.insert(k.clone(), v);
                    }
                }
                if !m.is_empty() {
                    out.insert(key.clone(), Value::Object(m));
                }
            }
            Some(Resolved::Attr { container, attr, .. }) => {
                if let Some(v) = decide(container, attr, value, include.as_deref(), exclude.as_deref()) {
                    out.insert(key.clone(), v);
                }
            }
            None => {
                if include.is_none() {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
    }
    Ok(Value::Object(out))
}

fn parse_list(kind: ResourceKind, list: &str) -> Result<Vec<Resolved>, ScimError> {
    let mut out = Vec::new();
    for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if raw.eq_ignore_ascii_case("schemas") {
            continue;
        }
        let path: PatchPath =
            raw.parse().map_err(|_| ScimError::invalid_value(format!("invalid attribute path `{}`", short(raw))))?;
        let PatchPath::Attr(ap) = path else {
            return Err(ScimError::invalid_value(format!(
                "attribute lists do not take value filters: `{}`",
                short(raw)
            )));
        };
        match schema::resolve(kind, ap.uri.as_deref(), &ap.name, ap.sub_attr.as_deref()) {
            Ok(r) => out.push(r),
            Err(schema::ResolveError::Unknown) => {}
            Err(schema::ResolveError::BadSub) => {
                return Err(ScimError::invalid_value(format!("`{}` has no sub-attributes", short(raw))))
            }
        }
    }
    Ok(out)
}

fn same_container(a: Container, b: Container) -> bool {
    match (a, b) {
        (Container::Core, Container::Core) => true,
        (Container::Extension(x), Container::Extension(y)) => x.urn == y.urn,
        _ => false,
    }
}

fn in_ext(c: Container, ext: &SchemaDef) -> bool {
    matches!(c, Container::Extension(e) if e.urn == ext.urn)
}

/// What a selection list says about one attribute: whole, some sub-attributes, or nothing.
enum Sel {
    Whole,
    Subs(Vec<&'static str>),
    None,
}

fn selection(list: &[Resolved], c: Container, def: &'static AttrDef) -> Sel {
    let mut subs = Vec::new();
    for r in list {
        match r {
            Resolved::Extension(ext) if in_ext(c, ext) => return Sel::Whole,
            Resolved::Attr { container, attr, sub } if same_container(*container, c) && std::ptr::eq(*attr, def) => {
                match sub {
                    None => return Sel::Whole,
                    Some(s) => subs.push(s.name),
                }
            }
            _ => {}
        }
    }
    if subs.is_empty() {
        Sel::None
    } else {
        Sel::Subs(subs)
    }
}

fn keep_subs(value: &Value, subs: &[&str], keep: bool) -> Option<Value> {
    let filter_obj = |m: &Map<String, Value>| -> Map<String, Value> {
        m.iter()
            .filter(|(k, _)| subs.iter().any(|s| s.eq_ignore_ascii_case(k)) == keep)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    match value {
        Value::Object(m) => {
            let m = filter_obj(m);
            (!m.is_empty()).then_some(Value::Object(m))
        }
        Value::Array(items) => {
            let items: Vec<Value> = items
                .iter()
                .filter_map(|i| match i {
                    Value::Object(m) => {
                        let m = filter_obj(m);
                        (!m.is_empty()).then_some(Value::Object(m))
                    }
                    other => Some(other.clone()),
                })
                .collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        other => Some(other.clone()),
    }
}

fn decide(
    c: Container,
    def: &'static AttrDef,
    value: &Value,
    include: Option<&[Resolved]>,
    exclude: Option<&[Resolved]>,
) -> Option<Value> {
    if def.returned == Returned::Never {
        return None;
    }
    if def.returned == Returned::Always {
        return Some(value.clone());
    }
    let mut value = match include {
        Some(list) => match selection(list, c, def) {
            Sel::Whole => value.clone(),
            Sel::Subs(subs) => keep_subs(value, &subs, true)?,
            Sel::None => return None,
        },
        None if def.returned == Returned::Request => return None,
        None => value.clone(),
    };
    if let Some(list) = exclude {
        match selection(list, c, def) {
            Sel::Whole => return None,
            Sel::Subs(subs) => value = keep_subs(&value, &subs, false)?,
            Sel::None => {}
        }
    }
    Some(value)
}

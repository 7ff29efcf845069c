//! The individual add/replace/remove primitives on a resource body.

use super::OpKind;
use crate::filter::matches_element;
use crate::schema::{AttrDef, AttrType, Mutability};
use crate::{short, ScimError};
use scim_v2::filter::{AttrExp, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::{Map, Value};

/// The operation being applied.
pub(super) struct Ctx<'p> {
    pub op: OpKind,
    /// Part of a pathless value object: read-only keys are ignored rather than rejected.
    pub lenient: bool,
    pub path: &'p PatchPath,
}

impl Ctx<'_> {
    fn path_str(&self) -> String {
        short(&self.path.to_string())
    }
}

/// Remove every key equal to `name` ignoring case; return the last value removed.
pub(super) fn take_ci(map: &mut Map<String, Value>, name: &str) -> Option<Value> {
    let keys: Vec<String> = map.keys().filter(|k| k.eq_ignore_ascii_case(name)).cloned().collect();
    let mut out = None;
    for k in keys {
        out = map.remove(&k);
    }
    out
}

/// A string given for a complex attribute with a `value` sub-attribute means `{"value": s}`.
fn coerce_complex(def: &AttrDef, v: Value) -> Value {
    match v {
        Value::String(s) if def.ty == AttrType::Complex && def.sub_attr("value").is_some() => {
            let mut m = Map::new();
            m.insert("value".into(), Value::String(s));
            Value::Object(m)
        }
        other => other,
    }
}

fn items(def: &AttrDef, v: Value) -> Vec<Value> {
    match v {
        Value::Array(a) => a.into_iter().map(|i| coerce_complex(def, i)).collect(),
        Value::Null => Vec::new(),
        other => vec![coerce_complex(def, other)],
    }
}

fn current_items(map: &mut Map<String, Value>, name: &str) -> Vec<Value> {
    match take_ci(map, name) {
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => Vec::new(),
        Some(other) => vec![other],
    }
}

fn put_items(map: &mut Map<String, Value>, name: &str, list: Vec<Value>) {
    if !list.is_empty() {
        map.insert(name.to_string(), Value::Array(list));
    }
}

fn obj_get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object().and_then(|m| crate::resource::get_ci(m, key))
}

fn is_true(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => crate::resource::parse_bool(s) == Some(true),
        _ => false,
    }
}

/// If any element at an index in `winners` is primary, clear `primary` on all the others.
fn enforce_primary(def: &AttrDef, list: &mut [Value], winners: &[usize]) {
    if def.sub_attr("primary").is_none()
        || !winners.iter().any(|&i| list.get(i).is_some_and(|v| is_true(obj_get(v, "primary"))))
    {
        return;
    }
    for (i, el) in list.iter_mut().enumerate() {
        if !winners.contains(&i) {
            if let Some(m) = el.as_object_mut() {
                if is_true(crate::resource::get_ci(m, "primary")) {
                    take_ci(m, "primary");
                    m.insert("primary".into(), Value::Bool(false));
                }
            }
        }
    }
}

fn unassign_required(ctx: &Ctx<'_>, def: &AttrDef) -> Result<(), ScimError> {
    if def.required {
        return Err(ScimError::mutability(format!("required attribute `{}` cannot be removed", ctx.path_str())));
    }
    Ok(())
}

fn values_equal(def: &AttrDef, a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if !def.case_exact => {
            x.eq_ignore_ascii_case(y) || x.to_lowercase() == y.to_lowercase()
        }
        _ => a == b,
    }
}

fn merge_into(def: &AttrDef, existing: Option<Value>, v: Value) -> Result<Value, ScimError> {
    let Value::Object(new) = coerce_complex(def, v) else {
        return Err(ScimError::invalid_value(format!("`{}` requires an object value", def.name)));
    };
    let mut base = match existing {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    for (k, v) in new {
        let name = def.sub_attr(&k).map_or(k.clone(), |d| d.name.to_string());
        take_ci(&mut base, &name);
        base.insert(name, v);
    }
    Ok(Value::Object(base))
}

/// `add`/`replace`/`remove` on a whole attribute (no sub-attribute, no filter).
pub(super) fn on_attr(
    ctx: &Ctx<'_>,
    map: &mut Map<String, Value>,
    def: &'static AttrDef,
    value: Value,
) -> Result<(), ScimError> {
    let unassign = ctx.op == OpKind::Remove
        || value.is_null()
        || (def.multi && value.as_array().is_some_and(Vec::is_empty) && ctx.op == OpKind::Replace);
    if ctx.op == OpKind::Remove && def.multi && !value.is_null() {
        return remove_listed(map, def, value);
    }
    if unassign {
        if ctx.op == OpKind::Add {
            return Ok(());
        }
        unassign_required(ctx, def)?;
        take_ci(map, def.name);
        return Ok(());
    }
    if def.multi {
        let new = items(def, value);
        let mut list = if ctx.op == OpKind::Add {
            current_items(map, def.name)
        } else {
            take_ci(map, def.name);
            Vec::new()
        };
        let mut winners = Vec::new();
        for item in new {
            let dup = list.iter().any(|e| {
                *e == item
                    || (def.name == "members"
                        && obj_get(e, "value").is_some()
                        && obj_get(e, "value") == obj_get(&item, "value"))
            });
            if !dup {
                list.push(item);
                winners.push(list.len() - 1);
            }
        }
        enforce_primary(def, &mut list, &winners);
        put_items(map, def.name, list);
        return Ok(());
    }
    let v = if def.ty == AttrType::Complex {
        merge_into(def, take_ci(map, def.name), value)?
    } else {
        take_ci(map, def.name);
        value
    };
    map.insert(def.name.to_string(), v);
    Ok(())
}

/// Entra's `remove members` with a value array: remove the listed elements only.
fn remove_listed(map: &mut Map<String, Value>, def: &'static AttrDef, value: Value) -> Result<(), ScimError> {
    let listed = items(def, value);
    let value_def = def.sub_attr("value");
    let mut list = current_items(map, def.name);
    list.retain(|el| {
        !listed.iter().any(|l| match (obj_get(l, "value"), obj_get(el, "value"), value_def) {
            (Some(a), Some(b), Some(vd)) => values_equal(vd, a, b),
            _ => l == el,
        })
    });
    put_items(map, def.name, list);
    Ok(())
}

fn check_immutable(ctx: &Ctx<'_>, sub: &AttrDef, old: Option<&Value>, new: Option<&Value>) -> Result<(), ScimError> {
    if sub.mutability == Mutability::Immutable {
        if let Some(old) = old.filter(|o| !o.is_null()) {
            if new != Some(old) {
                return Err(ScimError::mutability(format!("`{}` is immutable", ctx.path_str())));
            }
        }
    }
    Ok(())
}

/// Write (or, for remove / null, clear) sub-attribute `sub` of one element/object.
fn write_sub(ctx: &Ctx<'_>, el: &mut Value, sub: &AttrDef, value: &Value) -> Result<(), ScimError> {
    if !el.is_object() {
        *el = Value::Object(Map::new());
    }
    let Some(m) = el.as_object_mut() else { return Ok(()) };
    let clear = ctx.op == OpKind::Remove || value.is_null();
    let old = crate::resource::get_ci(m, sub.name).cloned();
    check_immutable(ctx, sub, old.as_ref(), if clear { None } else { Some(value) })?;
    take_ci(m, sub.name);
    if !clear {
        m.insert(sub.name.to_string(), value.clone());
    }
    Ok(())
}

/// Operations on `attr.sub` (no filter): on a complex attribute, its sub-attribute; on a
/// multi-valued one, that sub-attribute of every element (creating one element if none).
pub(super) fn on_sub(
    ctx: &Ctx<'_>,
    map: &mut Map<String, Value>,
    attr: &'static AttrDef,
    sub: &'static AttrDef,
    value: Value,
) -> Result<(), ScimError> {
    let clear = ctx.op == OpKind::Remove || value.is_null();
    if ctx.op == OpKind::Add && value.is_null() {
        return Ok(());
    }
    if clear && sub.required {
        unassign_required(ctx, sub)?;
    }
    if attr.multi {
        let mut list = current_items(map, attr.name);
        if list.is_empty() && !clear {
            list.push(Value::Object(Map::new()));
        }
        for el in &mut list {
            write_sub(ctx, el, sub, &value)?;
        }
        let winners: Vec<usize> = (0..list.len()).collect();
        enforce_primary(attr, &mut list, &winners);
        put_items(map, attr.name, list);
    } else {
        let mut obj = take_ci(map, attr.name).unwrap_or(Value::Null);
        if obj.is_null() && clear {
            return Ok(());
        }
        write_sub(ctx, &mut obj, sub, &value)?;
        map.insert(attr.name.to_string(), obj);
    }
    Ok(())
}

/// A new element built from the `eq` terms of a value filter (`type eq "work"` → `{"type":"work"}`).
fn seed(attr: &AttrDef, f: &ValFilter, out: &mut Map<String, Value>) -> bool {
    match f {
        ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, cv)) if p.sub_attr.is_none() => {
            let Some(def) = attr.sub_attr(&p.name) else { return false };
            let v = match cv {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::True => Value::Bool(true),
                CompValue::False => Value::Bool(false),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Null => return false,
            };
            out.insert(def.name.to_string(), v);
            true
        }
        ValFilter::And(items) => items.iter().all(|i| seed(attr, i, out)),
        _ => false,
    }
}

/// Operations on `attr[filter]` and `attr[filter].sub`.
pub(super) fn filtered(
    ctx: &Ctx<'_>,
    map: &mut Map<String, Value>,
    attr: &'static AttrDef,
    f: &ValFilter,
    sub: Option<&'static AttrDef>,
    value: Value,
) -> Result<(), ScimError> {
    let mut list = current_items(map, attr.name);
    let matched: Vec<usize> =
        list.iter().enumerate().filter(|(_, el)| matches_element(attr, f, el)).map(|(i, _)| i).collect();
    let result = filtered_inner(ctx, &mut list, &matched, attr, f, sub, value);
    put_items(map, attr.name, list);
    result
}

fn filtered_inner(
    ctx: &Ctx<'_>,
    list: &mut Vec<Value>,
    matched: &[usize],
    attr: &'static AttrDef,
    f: &ValFilter,
    sub: Option<&'static AttrDef>,
    value: Value,
) -> Result<(), ScimError> {
    let remove = ctx.op == OpKind::Remove || (ctx.op == OpKind::Replace && value.is_null());
    match sub {
        Some(sub) => {
            if matched.is_empty() {
                if remove {
                    return Ok(());
                }
                let mut el = Map::new();
                if !seed(attr, f, &mut el) {
                    return Err(ScimError::no_target(format!(
                        "no value of `{}` matches `{}`",
                        attr.name,
                        ctx.path_str()
                    )));
                }
                el.insert(sub.name.to_string(), value);
                list.push(Value::Object(el));
                let winners = [list.len() - 1];
                enforce_primary(attr, list, &winners);
                return Ok(());
            }
            for &i in matched {
                if let Some(el) = list.get_mut(i) {
                    write_sub(ctx, el, sub, &value)?;
                }
            }
            enforce_primary(attr, list, matched);
            Ok(())
        }
        None if remove => {
            let mut i = 0;
            list.retain(|_| {
                let keep = !matched.contains(&i);
                i += 1;
                keep
            });
            Ok(())
        }
        None => {
            if matched.is_empty() {
                return Err(ScimError::no_target(format!("no value of `{}` matches `{}`", attr.name, ctx.path_str())));
            }
            for &i in matched {
                let Some(el) = list.get_mut(i) else { continue };
                let old = std::mem::take(el);
                let new = if ctx.op == OpKind::Add {
                    merge_into(attr, Some(old.clone()), value.clone())?
                } else {
                    merge_into(attr, None, value.clone())?
                };
                for s in attr.sub.iter().filter(|s| s.mutability == Mutability::Immutable) {
                    let before = obj_get(&old, s.name);
                    let after = obj_get(&new, s.name);
                    if after.is_some() {
                        check_immutable(ctx, s, before, after)?;
                    }
                }
                *el = new;
            }
            enforce_primary(attr, list, matched);
            Ok(())
        }
    }
}

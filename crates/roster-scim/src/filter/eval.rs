//! In-memory filter evaluation.

use crate::resource::get_ci;
use crate::schema::{self, AttrDef, AttrType, Container, Resolved};
use crate::time::parse_nanos;
use crate::ResourceKind;
use scim_v2::filter::{AttrExp, CompValue, CompareOp, Filter, ValFilter};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// Evaluate `f` against a full representation (with `id`/`meta`).
///
/// Attribute names are case-insensitive; string comparisons are case-insensitive unless the
/// attribute is `caseExact` (`id`, `externalId`, member `value`, ...). A multi-valued attribute
/// matches if any value matches (`emails.value eq "x"`; `emails eq "x"` compares each email's
/// `value`). `dateTime` attributes (`meta.created`, `meta.lastModified`) compare as instants.
/// `ne` is the negation of `eq` (so it matches an absent attribute); `eq null` matches an absent
/// attribute. Comparisons between mismatched types are false. Unknown attributes are false
/// (use [`super::validate`] to reject them up front).
pub fn matches(kind: ResourceKind, f: &Filter, resource: &Value) -> bool {
    let Value::Object(res) = resource else {
        return false;
    };
    eval(kind, f, res)
}

fn eval(kind: ResourceKind, f: &Filter, res: &Map<String, Value>) -> bool {
    match f {
        Filter::Attr(e) => eval_top(kind, e, res),
        Filter::ValuePath(vp) => {
            let Ok(Resolved::Attr { container, attr, .. }) =
                schema::resolve(kind, vp.attr.uri.as_deref(), &vp.attr.name, None)
            else {
                return false;
            };
            let Some(v) = lookup(res, container, attr) else {
                return false;
            };
            elements(v).any(|el| matches_element(attr, &vp.filter, el))
        }
        Filter::Not(inner) => !eval(kind, inner, res),
        Filter::And(items) => items.iter().all(|i| eval(kind, i, res)),
        Filter::Or(items) => items.iter().any(|i| eval(kind, i, res)),
    }
}

fn lookup<'a>(res: &'a Map<String, Value>, c: Container, attr: &AttrDef) -> Option<&'a Value> {
    match c {
        Container::Core => get_ci(res, attr.name),
        Container::Extension(ext) => get_ci(res, ext.urn).and_then(Value::as_object).and_then(|m| get_ci(m, attr.name)),
    }
}

fn elements(v: &Value) -> Box<dyn Iterator<Item = &Value> + '_> {
    match v {
        Value::Array(a) => Box::new(a.iter()),
        other => Box::new(std::iter::once(other)),
    }
}

/// Evaluate a value filter (`type eq "work" and value co "@x"`) against one element of the
/// multi-valued complex attribute `parent`.
pub fn matches_element(parent: &AttrDef, f: &ValFilter, element: &Value) -> bool {
    let Value::Object(el) = element else {
        return false;
    };
    match f {
        ValFilter::Attr(e) => {
            let path = match e {
                AttrExp::Present(p) | AttrExp::Comparison(p, _, _) => p,
            };
            if path.sub_attr.is_some() {
                return false;
            }
            let Some(def) = parent.sub_attr(&path.name) else {
                return false;
            };
            let values: Vec<&Value> = get_ci(el, def.name).map(elements).into_iter().flatten().collect();
            compare(e, def, &values)
        }
        ValFilter::Not(inner) => !matches_element(parent, inner, element),
        ValFilter::And(items) => items.iter().all(|i| matches_element(parent, i, element)),
        ValFilter::Or(items) => items.iter().any(|i| matches_element(parent, i, element)),
    }
}

fn eval_top(kind: ResourceKind, e: &AttrExp, res: &Map<String, Value>) -> bool {
    let path = match e {
        AttrExp::Present(p) | AttrExp::Comparison(p, _, _) => p,
    };
    let resolved = schema::resolve(kind, path.uri.as_deref(), &path.name, path.sub_attr.as_deref());
    let (container, attr, sub) = match resolved {
        Ok(Resolved::Attr { container, attr, sub }) => (container, attr, sub),
        Ok(Resolved::Extension(ext)) => {
            let present = get_ci(res, ext.urn).is_some_and(present);
            return matches!(e, AttrExp::Present(_)) && present;
        }
        Err(_) => return false,
    };
    let Some(top) = lookup(res, container, attr) else {
        return compare(e, attr, &[]);
    };
    // Pick the values compared, and the definition governing them.
    let sub = match sub {
        Some(s) => Some(s),
        None if attr.ty == AttrType::Complex && matches!(e, AttrExp::Comparison(..)) => attr.sub_attr("value"),
        None => None,
    };
    match sub {
        Some(s) => {
            let values: Vec<&Value> = elements(top)
                .filter_map(|el| el.as_object().and_then(|m| get_ci(m, s.name)))
                .flat_map(elements)
                .collect();
            compare(e, s, &values)
        }
        None if attr.ty == AttrType::Complex && matches!(e, AttrExp::Comparison(..)) => false,
        None => compare(e, attr, &elements(top).collect::<Vec<_>>()),
    }
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(present),
        Value::Object(m) => m.values().any(present),
        _ => true,
    }
}

fn compare(e: &AttrExp, def: &AttrDef, values: &[&Value]) -> bool {
    match e {
        AttrExp::Present(_) => values.iter().any(|v| present(v)),
        AttrExp::Comparison(_, CompareOp::Eq, CompValue::Null) => !values.iter().any(|v| present(v)),
        AttrExp::Comparison(_, CompareOp::Ne, CompValue::Null) => values.iter().any(|v| present(v)),
        AttrExp::Comparison(_, CompareOp::Ne, cv) => !values.iter().any(|v| compare_one(def, &CompareOp::Eq, v, cv)),
        AttrExp::Comparison(_, op, cv) => values.iter().any(|v| compare_one(def, op, v, cv)),
    }
}

fn ordering_ok(op: &CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord == Ordering::Equal,
        CompareOp::Ne => ord != Ordering::Equal,
        CompareOp::Gt => ord == Ordering::Greater,
        CompareOp::Ge => ord != Ordering::Less,
        CompareOp::Lt => ord == Ordering::Less,
        CompareOp::Le => ord != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn compare_strings(def: &AttrDef, op: &CompareOp, actual: &str, wanted: &str) -> bool {
    if def.ty == AttrType::DateTime && !matches!(op, CompareOp::Co | CompareOp::Sw | CompareOp::Ew) {
        if let (Some(a), Some(b)) = (parse_nanos(actual), parse_nanos(wanted)) {
            return ordering_ok(op, a.cmp(&b));
        }
    }
    let (a, b) = if def.case_exact {
        (actual.to_string(), wanted.to_string())
    } else {
        (actual.to_lowercase(), wanted.to_lowercase())
    };
    match op {
        CompareOp::Co => a.contains(&b),
        CompareOp::Sw => a.starts_with(&b),
        CompareOp::Ew => a.ends_with(&b),
        other => ordering_ok(other, a.cmp(&b)),
    }
}

fn compare_one(def: &AttrDef, op: &CompareOp, actual: &Value, wanted: &CompValue) -> bool {
    match (actual, wanted) {
        (Value::String(a), CompValue::Str(b)) => compare_strings(def, op, a, b),
        (Value::String(a), CompValue::Number(n)) => compare_strings(def, op, a, &n.to_string()),
        (Value::Bool(a), CompValue::True | CompValue::False) => {
            let b = matches!(wanted, CompValue::True);
            matches!(op, CompareOp::Eq) && *a == b
        }
        (Value::Bool(a), CompValue::Str(s)) => {
            crate::resource::parse_bool(s).is_some_and(|b| matches!(op, CompareOp::Eq) && *a == b)
        }
        (Value::Number(a), CompValue::Number(b)) => {
            let ord = match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => Some(x.cmp(&y)),
                _ => a.as_f64().zip(b.as_f64()).and_then(|(x, y)| x.partial_cmp(&y)),
            };
            ord.is_some_and(|o| ordering_ok(op, o))
        }
        _ => false,
    }
}

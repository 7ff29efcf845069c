//! List/query parameters (RFC 7644 §3.4.2), sorting and the ListResponse envelope.

use crate::filter::{self, Filter};
use crate::resource::get_ci;
use crate::schema::{self, AttrDef, AttrType, Container, Resolved};
use crate::time::parse_nanos;
use crate::{short, ResourceKind, ScimError};
use scim_v2::filter::PatchPath;
use serde_json::{json, Value};
use std::cmp::Ordering;

/// `schemas` URN of a ListResponse.
pub const LIST_RESPONSE_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// The most resources returned per page (`count` is capped to this; advertised as
/// `filter.maxResults`).
pub const MAX_RESULTS: usize = 500;

/// `sortOrder`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// `ascending` (the default).
    #[default]
    Ascending,
    /// `descending`.
    Descending,
}

/// Parsed query parameters of `GET /Users`, `GET /Groups` (or a `/.search` body's fields).
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    /// `filter`, parsed and validated for the resource type.
    pub filter: Option<Filter>,
    /// `startIndex`, 1-based; values below 1 become 1.
    pub start_index: usize,
    /// `count`: negative becomes 0, capped at [`MAX_RESULTS`]; `None` means the server default
    /// (use [`MAX_RESULTS`] or less).
    pub count: Option<usize>,
    /// `attributes` (pass to [`crate::resource::project`]).
    pub attributes: Option<String>,
    /// `excludedAttributes` (pass to [`crate::resource::project`]).
    pub excluded_attributes: Option<String>,
    /// `sortBy` (an attribute path, validated; see [`compare`]).
    pub sort_by: Option<String>,
    /// `sortOrder`.
    pub sort_order: SortOrder,
}

impl Default for ListParams {
    fn default() -> Self {
        ListParams {
            filter: None,
            start_index: 1,
            count: None,
            attributes: None,
            excluded_attributes: None,
            sort_by: None,
            sort_order: SortOrder::Ascending,
        }
    }
}

fn parse_int(name: &str, v: &str) -> Result<i64, ScimError> {
    let t = v.trim();
    t.parse::<i64>().or_else(|_| {
        // Out-of-range numerals are still numbers: saturate instead of rejecting.
        let digits = t.strip_prefix('-').unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(if t.starts_with('-') { i64::MIN } else { i64::MAX })
        } else {
            Err(ScimError::invalid_value(format!("`{name}` must be an integer, got `{}`", short(v))))
        }
    })
}

/// Parse list query parameters; keys are case-insensitive, the last occurrence wins, unknown
/// keys are ignored. A non-integer `startIndex`/`count`, an invalid `sortOrder` or `sortBy`
/// is 400 `invalidValue`; an invalid filter is 400 `invalidFilter`. Empty values count as
/// absent.
pub fn parse_params(kind: ResourceKind, query: &[(String, String)]) -> Result<ListParams, ScimError> {
    let mut p = ListParams::default();
    for (k, v) in query {
        let present = !v.trim().is_empty();
        if k.eq_ignore_ascii_case("filter") {
            p.filter = if present { Some(filter::parse_for(kind, v)?) } else { None };
        } else if k.eq_ignore_ascii_case("startIndex") {
            if present {
                let n = parse_int("startIndex", v)?;
                p.start_index = usize::try_from(n.max(1)).unwrap_or(usize::MAX);
            }
        } else if k.eq_ignore_ascii_case("count") {
            if present {
                let n = parse_int("count", v)?;
                p.count = Some(usize::try_from(n.max(0)).unwrap_or(usize::MAX).min(MAX_RESULTS));
            }
        } else if k.eq_ignore_ascii_case("attributes") {
            p.attributes = present.then(|| v.clone());
        } else if k.eq_ignore_ascii_case("excludedAttributes") {
            p.excluded_attributes = present.then(|| v.clone());
        } else if k.eq_ignore_ascii_case("sortBy") {
            if present {
                sort_attr(kind, v)?;
                p.sort_by = Some(v.trim().to_string());
            } else {
                p.sort_by = None;
            }
        } else if k.eq_ignore_ascii_case("sortOrder") && present {
            p.sort_order = match v.trim() {
                s if s.eq_ignore_ascii_case("ascending") => SortOrder::Ascending,
                s if s.eq_ignore_ascii_case("descending") => SortOrder::Descending,
                _ => {
                    return Err(ScimError::invalid_value(format!(
                        "`sortOrder` must be `ascending` or `descending`, got `{}`",
                        short(v)
                    )))
                }
            };
        }
    }
    Ok(p)
}

type SortKey = (Container, &'static AttrDef, Option<&'static AttrDef>);

fn sort_attr(kind: ResourceKind, s: &str) -> Result<SortKey, ScimError> {
    let bad = || ScimError::invalid_value(format!("invalid `sortBy` attribute `{}`", short(s)));
    let Ok(PatchPath::Attr(ap)) = s.trim().parse::<PatchPath>() else {
        return Err(bad());
    };
    match schema::resolve(kind, ap.uri.as_deref(), &ap.name, ap.sub_attr.as_deref()) {
        Ok(Resolved::Attr { container, attr, sub }) => Ok((container, attr, sub)),
        _ => Err(bad()),
    }
}

/// The value a resource sorts by: for multi-valued attributes, the primary (else first)
/// element; for complex attributes without a sub-attribute, their `value`.
fn sort_value(key: SortKey, res: &Value) -> Option<(&'static AttrDef, &Value)> {
    let (container, attr, sub) = key;
    let obj = res.as_object()?;
    let top = match container {
        Container::Core => get_ci(obj, attr.name)?,
        Container::Extension(ext) => get_ci(get_ci(obj, ext.urn)?.as_object()?, attr.name)?,
    };
    let el = match top {
        Value::Array(a) => a.iter().find(|e| e.get("primary") == Some(&Value::Bool(true))).or_else(|| a.first())?,
        other => other,
    };
    let sub = sub.or_else(|| (attr.ty == AttrType::Complex).then(|| attr.sub_attr("value")).flatten());
    match sub {
        Some(s) => Some((s, get_ci(el.as_object()?, s.name)?)),
        None => Some((attr, el)),
    }
}

fn cmp_values(def: &AttrDef, a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            if def.ty == AttrType::DateTime {
                if let (Some(p), Some(q)) = (parse_nanos(x), parse_nanos(y)) {
                    return p.cmp(&q);
                }
            }
            if def.case_exact {
                x.cmp(y)
            } else {
                x.to_lowercase().cmp(&y.to_lowercase()).then_with(|| x.cmp(y))
            }
        }
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().zip(y.as_f64()).and_then(|(p, q)| p.partial_cmp(&q)).unwrap_or(Ordering::Equal)
        }
        _ => Ordering::Equal,
    }
}

/// Compare two full representations by `sort_by` (RFC 7644 §3.4.2.3) for `sort_order`.
/// Strings compare case-insensitively unless caseExact, dateTimes as instants; resources
/// without a value sort last when ascending (first when descending). An invalid `sort_by`
/// compares everything equal (use [`parse_params`] to reject it up front).
pub fn compare(kind: ResourceKind, sort_by: &str, order: SortOrder, a: &Value, b: &Value) -> Ordering {
    let Ok(key) = sort_attr(kind, sort_by) else {
        return Ordering::Equal;
    };
    let ord = match (sort_value(key, a), sort_value(key, b)) {
        (Some((d, x)), Some((_, y))) => cmp_values(d, x, y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    match order {
        SortOrder::Ascending => ord,
        SortOrder::Descending => ord.reverse(),
    }
}

/// The page of `items` (already filtered and sorted) selected by `start_index`/`count`.
pub fn paginate<T>(items: Vec<T>, start_index: usize, count: Option<usize>) -> Vec<T> {
    let count = count.unwrap_or(MAX_RESULTS).min(MAX_RESULTS);
    items.into_iter().skip(start_index.saturating_sub(1)).take(count).collect()
}

/// The ListResponse envelope: `schemas`, `totalResults`, `startIndex`, `itemsPerPage`
/// (= `resources.len()`), `Resources`.
pub fn list_response(resources: Vec<Value>, total_results: usize, start_index: usize) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": total_results,
        "startIndex": start_index.max(1),
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

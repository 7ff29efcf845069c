//! SCIM filters (RFC 7644 §3.4.2.2): parsing (via `scim_v2`), schema validation, in-memory
//! evaluation and index hints.

mod eval;

pub use eval::{matches, matches_element};
pub use scim_v2::filter::Filter;

use crate::schema::{self, AttrDef, AttrType, ResolveError, Resolved};
use crate::{short, ResourceKind, ScimError};
use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, ValFilter};

/// Parse a filter expression. Syntax errors and `scim_v2`'s depth (64) / term (1024) limits
/// are 400 `invalidFilter`.
pub fn parse(s: &str) -> Result<Filter, ScimError> {
    s.parse::<Filter>().map_err(|e| ScimError::invalid_filter(format!("invalid filter: {}", short(&e.to_string()))))
}

/// [`parse`] then [`validate`].
pub fn parse_for(kind: ResourceKind, s: &str) -> Result<Filter, ScimError> {
    let f = parse(s)?;
    validate(kind, &f)?;
    Ok(f)
}

/// Check every attribute path of `f` against `kind`'s schemas (core, common and extension
/// attributes; value filters against the sub-attributes). Unknown attributes, sub-attributes of
/// simple attributes, value filters on non-complex attributes, comparisons (other than `pr`) on
/// a complex attribute without a `value` sub-attribute, and `gt`/`ge`/`lt`/`le` on booleans
/// (RFC 7644 §3.4.2.2) are 400 `invalidFilter`.
pub fn validate(kind: ResourceKind, f: &Filter) -> Result<(), ScimError> {
    match f {
        Filter::Attr(e) => {
            let (path, op) = split(e);
            let def = match schema::resolve(kind, path.uri.as_deref(), &path.name, path.sub_attr.as_deref()) {
                Ok(Resolved::Attr { attr, sub, .. }) => sub.unwrap_or(attr),
                Ok(Resolved::Extension(_)) if op.is_none() => return Ok(()),
                Ok(Resolved::Extension(_)) => {
                    return Err(ScimError::invalid_filter(format!("cannot compare a whole extension: `{path}`")))
                }
                Err(e) => return Err(unknown(path, e)),
            };
            check_op(def, op, path)
        }
        Filter::ValuePath(vp) => {
            let parent = match schema::resolve(kind, vp.attr.uri.as_deref(), &vp.attr.name, vp.attr.sub_attr.as_deref())
            {
                Ok(Resolved::Attr { attr, sub: None, .. }) if attr.ty == AttrType::Complex => attr,
                Ok(_) => {
                    return Err(ScimError::invalid_filter(format!(
                        "value filter on a non-complex attribute: `{}`",
                        vp.attr
                    )))
                }
                Err(e) => return Err(unknown(&vp.attr, e)),
            };
            validate_val(parent, &vp.filter)
        }
        Filter::Not(inner) => validate(kind, inner),
        Filter::And(items) | Filter::Or(items) => items.iter().try_for_each(|i| validate(kind, i)),
    }
}

/// Validate a value filter (`emails[...]`, or a PATCH path's filter) against `parent`'s
/// sub-attributes.
pub(crate) fn validate_val(parent: &'static AttrDef, f: &ValFilter) -> Result<(), ScimError> {
    match f {
        ValFilter::Attr(e) => {
            let (path, op) = split(e);
            if path.sub_attr.is_some() {
                return Err(ScimError::invalid_filter(format!(
                    "`{path}`: sub-attributes are not allowed inside a value filter"
                )));
            }
            let def = parent.sub_attr(&path.name).ok_or_else(|| {
                ScimError::invalid_filter(format!("`{}` has no sub-attribute `{}`", parent.name, path.name))
            })?;
            check_op(def, op, path)
        }
        ValFilter::Not(inner) => validate_val(parent, inner),
        ValFilter::And(items) | ValFilter::Or(items) => items.iter().try_for_each(|i| validate_val(parent, i)),
    }
}

fn split(e: &AttrExp) -> (&AttrPath, Option<&CompareOp>) {
    match e {
        AttrExp::Present(p) => (p, None),
        AttrExp::Comparison(p, op, _) => (p, Some(op)),
    }
}

fn unknown(path: &AttrPath, e: ResolveError) -> ScimError {
    match e {
        ResolveError::Unknown => ScimError::invalid_filter(format!("unknown attribute `{path}`")),
        ResolveError::BadSub => ScimError::invalid_filter(format!("`{path}`: attribute has no sub-attributes")),
    }
}

fn check_op(def: &AttrDef, op: Option<&CompareOp>, path: &AttrPath) -> Result<(), ScimError> {
    let Some(op) = op else { return Ok(()) };
    let def = if def.ty == AttrType::Complex {
        def.sub_attr("value")
            .ok_or_else(|| ScimError::invalid_filter(format!("cannot compare complex attribute `{path}`")))?
    } else {
        def
    };
    if def.ty == AttrType::Boolean && matches!(op, CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le) {
        return Err(ScimError::invalid_filter(format!("`{op}` is not defined for boolean attribute `{path}`")));
    }
    Ok(())
}

/// An attribute the server may keep an index on (see [`simple_eq`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexedAttr {
    /// `userName` (caseExact false: compare case-insensitively).
    UserName,
    /// `externalId` (caseExact true).
    ExternalId,
    /// `displayName` (caseExact false).
    DisplayName,
    /// `id` (caseExact true).
    Id,
    /// `emails.value`, `emails[value eq ...]` or `emails eq ...` (caseExact false).
    EmailValue,
}

impl IndexedAttr {
    /// Whether the schema says comparisons on this attribute are case-sensitive.
    pub fn case_exact(self) -> bool {
        matches!(self, IndexedAttr::ExternalId | IndexedAttr::Id)
    }
}

fn plain(path: &AttrPath) -> bool {
    path.uri
        .as_deref()
        .is_none_or(|u| u.eq_ignore_ascii_case(schema::USER_URN) || u.eq_ignore_ascii_case(schema::GROUP_URN))
}

/// If `f` is exactly `<attr> eq "<string>"` for an [`IndexedAttr`] (optionally with the core
/// URN prefix), return it so the server can use an index instead of scanning. The server must
/// still honour [`IndexedAttr::case_exact`]; running [`matches`] on the candidates is always
/// correct.
pub fn simple_eq(f: &Filter) -> Option<(IndexedAttr, String)> {
    let (path, value) = match f {
        Filter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v))) => (p, v),
        Filter::ValuePath(vp)
            if vp.attr.name.eq_ignore_ascii_case("emails") && vp.attr.sub_attr.is_none() && plain(&vp.attr) =>
        {
            if let ValFilter::Attr(AttrExp::Comparison(p, CompareOp::Eq, CompValue::Str(v))) = &*vp.filter {
                if p.name.eq_ignore_ascii_case("value") && p.sub_attr.is_none() {
                    return Some((IndexedAttr::EmailValue, v.clone()));
                }
            }
            return None;
        }
        _ => return None,
    };
    if !plain(path) {
        return None;
    }
    let name = path.name.as_str();
    let attr = match path.sub_attr.as_deref() {
        None if name.eq_ignore_ascii_case("userName") => IndexedAttr::UserName,
        None if name.eq_ignore_ascii_case("externalId") => IndexedAttr::ExternalId,
        None if name.eq_ignore_ascii_case("displayName") => IndexedAttr::DisplayName,
        None if name.eq_ignore_ascii_case("id") => IndexedAttr::Id,
        None if name.eq_ignore_ascii_case("emails") => IndexedAttr::EmailValue,
        Some(s) if name.eq_ignore_ascii_case("emails") && s.eq_ignore_ascii_case("value") => IndexedAttr::EmailValue,
        _ => return None,
    };
    Some((attr, value.clone()))
}

#[cfg(test)]
mod tests;

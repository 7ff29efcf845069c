//! Applying parsed operations to a resource body.

use super::ops::{self, Ctx};
use super::{OpKind, Operation};
use crate::schema::{self, AttrDef, Container, Mutability, Resolved, SchemaDef};
use crate::{filter, resource, short, ResourceKind, ScimError};
use scim_v2::filter::{PatchPath, ValFilter};
use serde_json::{Map, Value};

/// What a PATCH path designates.
pub(super) enum Target<'p> {
    /// Not an attribute Roster stores (unknown names, `schemas`): the operation is a no-op.
    Ignore,
    /// A whole extension object.
    Extension(&'static SchemaDef),
    /// An attribute, optionally a sub-attribute, optionally filtered elements.
    Attr { container: Container, attr: &'static AttrDef, sub: Option<&'static AttrDef>, filter: Option<&'p ValFilter> },
}

/// Apply `ops` in order to a resource body (as produced by [`resource::normalize`]: no
/// `id`/`meta`, no read-only attributes), per RFC 7644 §3.5.2, then re-validate it with
/// [`resource::normalize`]. On error `resource` is left unchanged.
///
/// * Paths: `attr`, `attr.sub`, `urn:...:attr[.sub]`, a bare extension URN, and value paths
///   `attr[filter]` / `attr[filter].sub`. Attributes Roster does not publish are ignored (the
///   operation succeeds and changes nothing), as `normalize` drops them.
/// * `add`: single-valued attributes are set; complex ones merged sub-attribute by
///   sub-attribute; multi-valued ones appended (a member whose `value` is already present, or
///   an identical element, is not added twice). `add`/`replace` on `attr[filter].sub` with no
///   matching element creates one from the filter's `eq` terms (Entra's
///   `emails[type eq "work"].value`); without a sub-attribute, no match is 400 `noTarget`.
/// * `replace`: like add, except multi-valued attributes are replaced wholesale and matching
///   filtered elements are replaced; a `null` value unassigns.
/// * `remove`: unassigns; with a value filter removes the matching elements (no match: no-op);
///   on a multi-valued attribute with a `value` array (Entra's
///   `{"op":"Remove","path":"members","value":[{"value":"id"}]}`) removes just those.
/// * Setting `primary: true` on an element clears it on the others.
/// * Errors: read-only targets (`id`, `meta`, `groups`) and changing an immutable sub-attribute
///   (`members[...].value`) are 400 `mutability`, as is unassigning a required attribute;
///   structurally impossible paths (sub-attribute of a simple attribute, filter on a
///   single-valued attribute) are 400 `invalidPath`; wrong value types are 400 `invalidValue`.
///   In a pathless value object, read-only keys (`id`, `meta`, `schemas`, ...) are ignored.
pub fn apply(kind: ResourceKind, resource: &mut Value, ops: &[Operation]) -> Result<(), ScimError> {
    let mut work = match resource {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        _ => return Err(ScimError::invalid_value("the stored resource is not an object")),
    };
    for op in ops {
        apply_one(kind, &mut work, op)?;
    }
    work.retain(|k, _| !k.eq_ignore_ascii_case("schemas"));
    let mut body = Map::new();
    body.insert("schemas".into(), Value::Array(vec![Value::String(kind.schema_urn().into())]));
    body.extend(work);
    *resource = resource::normalize(kind, Value::Object(body))?;
    Ok(())
}

fn apply_one(kind: ResourceKind, work: &mut Map<String, Value>, op: &Operation) -> Result<(), ScimError> {
    let value = op.value.clone().unwrap_or(Value::Null);
    match &op.path {
        Some(path) => {
            let target = target(kind, path)?;
            let ctx = Ctx { op: op.op, lenient: false, path };
            run(&ctx, work, target, value)
        }
        None => {
            let Value::Object(entries) = value else {
                return Err(ScimError::invalid_value("a pathless operation requires an object value"));
            };
            for (key, v) in entries {
                if key.eq_ignore_ascii_case("schemas") {
                    continue;
                }
                let Ok(path) = key.parse::<PatchPath>() else {
                    continue;
                };
                let target = target(kind, &path)?;
                if op.op == OpKind::Add && v.is_null() {
                    continue;
                }
                let ctx = Ctx { op: op.op, lenient: true, path: &path };
                run(&ctx, work, target, v)?;
            }
            Ok(())
        }
    }
}

/// Resolve a PATCH path against `kind`'s schemas.
pub(super) fn target(kind: ResourceKind, path: &PatchPath) -> Result<Target<'_>, ScimError> {
    match path {
        PatchPath::Attr(ap) => {
            if ap.uri.is_none() && ap.sub_attr.is_none() && ap.name.eq_ignore_ascii_case("schemas") {
                return Ok(Target::Ignore);
            }
            match schema::resolve(kind, ap.uri.as_deref(), &ap.name, ap.sub_attr.as_deref()) {
                Ok(Resolved::Extension(ext)) => Ok(Target::Extension(ext)),
                Ok(Resolved::Attr { container, attr, sub }) => Ok(Target::Attr { container, attr, sub, filter: None }),
                Err(schema::ResolveError::Unknown) => Ok(Target::Ignore),
                Err(schema::ResolveError::BadSub) => {
                    Err(ScimError::invalid_path(format!("`{}` has no sub-attributes", short(&ap.to_string()))))
                }
            }
        }
        PatchPath::Value(vp) => {
            if vp.attr.sub_attr.is_some() {
                return Err(ScimError::invalid_path(format!(
                    "a value filter must follow a top-level attribute: `{}`",
                    short(&path.to_string())
                )));
            }
            let (container, attr) = match schema::resolve(kind, vp.attr.uri.as_deref(), &vp.attr.name, None) {
                Ok(Resolved::Attr { container, attr, .. }) => (container, attr),
                Ok(Resolved::Extension(_)) => {
                    return Err(ScimError::invalid_path("a value filter cannot apply to an extension"))
                }
                Err(_) => return Ok(Target::Ignore),
            };
            if !attr.is_multi_complex() {
                return Err(ScimError::invalid_path(format!(
                    "`{}` is not a multi-valued complex attribute",
                    attr.name
                )));
            }
            filter::validate_val(attr, &vp.filter)?;
            let sub = match &vp.sub_attr {
                None => None,
                Some(s) => match attr.sub_attr(s) {
                    Some(d) => Some(d),
                    None => return Ok(Target::Ignore),
                },
            };
            Ok(Target::Attr { container, attr, sub, filter: Some(&vp.filter) })
        }
    }
}

fn run(ctx: &Ctx<'_>, work: &mut Map<String, Value>, target: Target<'_>, value: Value) -> Result<(), ScimError> {
    match target {
        Target::Ignore => Ok(()),
        Target::Extension(ext) => {
            if ctx.op == OpKind::Remove || value.is_null() {
                ops::take_ci(work, ext.urn);
                return Ok(());
            }
            let Value::Object(entries) = value else {
                return Err(ScimError::invalid_value(format!("`{}` requires an object value", ext.urn)));
            };
            for (k, v) in entries {
                let Some(def) = schema::find(ext.attrs, &k) else {
                    continue;
                };
                if def.mutability == Mutability::ReadOnly {
                    continue;
                }
                let t = Target::Attr { container: Container::Extension(ext), attr: def, sub: None, filter: None };
                run(ctx, work, t, v)?;
            }
            Ok(())
        }
        Target::Attr { container, attr, sub, filter } => {
            let read_only =
                attr.mutability == Mutability::ReadOnly || sub.is_some_and(|s| s.mutability == Mutability::ReadOnly);
            if read_only {
                if ctx.lenient {
                    return Ok(());
                }
                return Err(ScimError::mutability(format!("`{}` is read-only", short(&ctx.path.to_string()))));
            }
            let dispatch = |map: &mut Map<String, Value>| match filter {
                Some(f) => ops::filtered(ctx, map, attr, f, sub, value),
                None => match sub {
                    Some(s) => ops::on_sub(ctx, map, attr, s, value),
                    None => ops::on_attr(ctx, map, attr, value),
                },
            };
            match container {
                Container::Core => dispatch(work),
                Container::Extension(ext) => {
                    let mut map = match ops::take_ci(work, ext.urn) {
                        Some(Value::Object(m)) => m,
                        _ => Map::new(),
                    };
                    let result = dispatch(&mut map);
                    work.insert(ext.urn.to_string(), Value::Object(map));
                    result
                }
            }
        }
    }
}

//! The attribute definitions Roster publishes (RFC 7643 §2, §7) and lookups over them.
//!
//! Every other module (normalize, filter, patch, projection, discovery) reads these tables,
//! so what `/Schemas` advertises is exactly what the server validates and round-trips.

use crate::ResourceKind;

/// RFC 7643 §2.3 attribute data types (the subset Roster uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// `string`
    String,
    /// `boolean`
    Boolean,
    /// `complex`
    Complex,
    /// `reference`
    Reference,
    /// `dateTime`
    DateTime,
    /// `integer`
    Integer,
}

impl AttrType {
    /// The RFC 7643 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::String => "string",
            AttrType::Boolean => "boolean",
            AttrType::Complex => "complex",
            AttrType::Reference => "reference",
            AttrType::DateTime => "dateTime",
            AttrType::Integer => "integer",
        }
    }
}

/// RFC 7643 §7 `mutability`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mutability {
    /// `readOnly`: never written by clients (ignored on POST/PUT, `mutability` error on PATCH).
    ReadOnly,
    /// `readWrite`
    ReadWrite,
    /// `immutable`: may be set once, never changed.
    Immutable,
    /// `writeOnly`
    WriteOnly,
}

impl Mutability {
    /// The RFC 7643 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Mutability::ReadOnly => "readOnly",
            Mutability::ReadWrite => "readWrite",
            Mutability::Immutable => "immutable",
            Mutability::WriteOnly => "writeOnly",
        }
    }
}

/// RFC 7643 §7 `returned`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Returned {
    /// `always`: returned whatever `attributes`/`excludedAttributes` say.
    Always,
    /// `never`
    Never,
    /// `default`: returned unless excluded (or unless `attributes` lists others).
    Default,
    /// `request`: returned only when named in `attributes`.
    Request,
}

impl Returned {
    /// The RFC 7643 keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            Returned::Always => "always",
            Returned::Never => "never",
            Returned::Default => "default",
            Returned::Request => "request",
        }
    }
}

/// One attribute (or sub-attribute) definition.
#[derive(Debug)]
pub struct AttrDef {
    /// Canonical name (case as published).
    pub name: &'static str,
    /// Data type.
    pub ty: AttrType,
    /// `multiValued`.
    pub multi: bool,
    /// `required`.
    pub required: bool,
    /// `caseExact` (string comparisons in filters).
    pub case_exact: bool,
    /// `mutability`.
    pub mutability: Mutability,
    /// `returned`.
    pub returned: Returned,
    /// `uniqueness` keyword (`none`, `server`, `global`).
    pub uniqueness: &'static str,
    /// `canonicalValues` (suggestions only; never enforced).
    pub canonical: &'static [&'static str],
    /// `referenceTypes` for `reference` attributes.
    pub ref_types: &'static [&'static str],
    /// Sub-attributes of a `complex` attribute.
    pub sub: &'static [AttrDef],
    /// Human-readable description.
    pub description: &'static str,
}

impl AttrDef {
    /// Case-insensitive lookup of a sub-attribute.
    pub fn sub_attr(&self, name: &str) -> Option<&'static AttrDef> {
        find(self.sub, name)
    }
    /// Whether this is a multi-valued complex attribute (the only kind a value filter applies to).
    pub fn is_multi_complex(&self) -> bool {
        self.multi && self.ty == AttrType::Complex
    }
}

/// A schema document: core resource schema or extension.
#[derive(Debug)]
pub struct SchemaDef {
    /// Schema URN (its `id`).
    pub urn: &'static str,
    /// Schema `name`.
    pub name: &'static str,
    /// Schema `description`.
    pub description: &'static str,
    /// Attributes published in the schema document.
    pub attrs: &'static [AttrDef],
}

/// Case-insensitive lookup in a list of definitions.
pub fn find(defs: &'static [AttrDef], name: &str) -> Option<&'static AttrDef> {
    defs.iter().find(|d| d.name.eq_ignore_ascii_case(name))
}

const fn attr(name: &'static str, ty: AttrType, description: &'static str) -> AttrDef {
    AttrDef {
        name,
        ty,
        multi: false,
        required: false,
        case_exact: false,
        mutability: Mutability::ReadWrite,
        returned: Returned::Default,
        uniqueness: "none",
        canonical: &[],
        ref_types: &[],
        sub: &[],
        description,
    }
}

const fn string(name: &'static str, description: &'static str) -> AttrDef {
    attr(name, AttrType::String, description)
}

/// Core User schema URN.
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Core Group schema URN.
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Enterprise User extension URN.
pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// Common attributes of every resource (RFC 7643 §3.1). Not listed in schema documents
/// (as RFC 7643 and scim2-models do), but understood by every operation.
pub static COMMON: &[AttrDef] = &[
    AttrDef {
        mutability: Mutability::ReadOnly,
        returned: Returned::Always,
        case_exact: true,
        uniqueness: "server",
        ..string("id", "Unique identifier assigned by the service provider.")
    },
    AttrDef { case_exact: true, ..string("externalId", "Identifier assigned by the provisioning client.") },
    AttrDef {
        mutability: Mutability::ReadOnly,
        sub: META_SUB,
        ..attr("meta", AttrType::Complex, "Resource metadata.")
    },
];

static META_SUB: &[AttrDef] = &[
    AttrDef {
        mutability: Mutability::ReadOnly,
        case_exact: true,
        ..string("resourceType", "Name of the resource type.")
    },
    AttrDef {
        mutability: Mutability::ReadOnly,
        ..attr("created", AttrType::DateTime, "When the resource was created.")
    },
    AttrDef {
        mutability: Mutability::ReadOnly,
        ..attr("lastModified", AttrType::DateTime, "When the resource last changed.")
    },
    AttrDef {
        mutability: Mutability::ReadOnly,
        case_exact: true,
        ..attr("location", AttrType::Reference, "URI of the resource.")
    },
    AttrDef {
        mutability: Mutability::ReadOnly,
        case_exact: true,
        ..string("version", "Entity tag of the resource version.")
    },
];

static NAME_SUB: &[AttrDef] = &[
    string("formatted", "The full name, formatted for display."),
    string("familyName", "The family name (last name)."),
    string("givenName", "The given name (first name)."),
    string("middleName", "The middle name(s)."),
];

static EMAIL_SUB: &[AttrDef] = &[
    string("value", "Email address."),
    AttrDef { canonical: &["work", "home", "other"], ..string("type", "A label for the address, e.g. 'work'.") },
    attr("primary", AttrType::Boolean, "Whether this is the primary address (at most one value is true)."),
    string("display", "A human-readable name for the address."),
];

static USER_GROUPS_SUB: &[AttrDef] = &[
    AttrDef { mutability: Mutability::ReadOnly, case_exact: true, ..string("value", "The id of the group.") },
    AttrDef {
        mutability: Mutability::ReadOnly,
        case_exact: true,
        ref_types: &["Group"],
        ..attr("$ref", AttrType::Reference, "The URI of the group.")
    },
    AttrDef { mutability: Mutability::ReadOnly, ..string("display", "The display name of the group.") },
];

static USER_ATTRS: &[AttrDef] = &[
    AttrDef {
        required: true,
        uniqueness: "server",
        ..string("userName", "Unique identifier of the user, typically used to sign in.")
    },
    AttrDef { sub: NAME_SUB, ..attr("name", AttrType::Complex, "The components of the user's name.") },
    string("displayName", "The name of the user, suitable for display."),
    string("nickName", "The casual way to address the user."),
    string("title", "The user's title, e.g. 'Vice President'."),
    attr("active", AttrType::Boolean, "The user's administrative status."),
    AttrDef { multi: true, sub: EMAIL_SUB, ..attr("emails", AttrType::Complex, "Email addresses of the user.") },
    AttrDef {
        multi: true,
        mutability: Mutability::ReadOnly,
        sub: USER_GROUPS_SUB,
        ..attr("groups", AttrType::Complex, "Groups the user belongs to (read-only).")
    },
];

static MANAGER_SUB: &[AttrDef] = &[
    AttrDef { case_exact: true, ..string("value", "The id of the manager (a User).") },
    AttrDef { case_exact: true, ref_types: &["User"], ..attr("$ref", AttrType::Reference, "The URI of the manager.") },
    AttrDef { mutability: Mutability::ReadOnly, ..string("displayName", "The display name of the manager.") },
];

static ENTERPRISE_ATTRS: &[AttrDef] = &[
    string("employeeNumber", "Organization-assigned identifier of the user."),
    string("costCenter", "Cost center."),
    string("organization", "Organization."),
    string("division", "Division."),
    string("department", "Department."),
    AttrDef { sub: MANAGER_SUB, ..attr("manager", AttrType::Complex, "The user's manager.") },
];

static MEMBER_SUB: &[AttrDef] = &[
    AttrDef { mutability: Mutability::Immutable, case_exact: true, ..string("value", "The id of the member.") },
    AttrDef {
        mutability: Mutability::Immutable,
        case_exact: true,
        ref_types: &["User", "Group"],
        ..attr("$ref", AttrType::Reference, "The URI of the member.")
    },
    string("display", "A human-readable name of the member."),
    AttrDef {
        mutability: Mutability::Immutable,
        canonical: &["User", "Group"],
        ..string("type", "The type of the member: 'User' or 'Group'.")
    },
];

static GROUP_ATTRS: &[AttrDef] = &[
    AttrDef { required: true, ..string("displayName", "A human-readable name for the group.") },
    AttrDef { multi: true, sub: MEMBER_SUB, ..attr("members", AttrType::Complex, "Members of the group.") },
];

/// The core User schema.
pub static USER_SCHEMA: SchemaDef =
    SchemaDef { urn: USER_URN, name: "User", description: "User Account", attrs: USER_ATTRS };

/// The Enterprise User extension schema.
pub static ENTERPRISE_SCHEMA: SchemaDef =
    SchemaDef { urn: ENTERPRISE_URN, name: "EnterpriseUser", description: "Enterprise User", attrs: ENTERPRISE_ATTRS };

/// The core Group schema.
pub static GROUP_SCHEMA: SchemaDef =
    SchemaDef { urn: GROUP_URN, name: "Group", description: "Group", attrs: GROUP_ATTRS };

static USER_EXTENSIONS: &[&SchemaDef] = &[&ENTERPRISE_SCHEMA];

/// Every published resource schema and extension, in `/Schemas` order.
pub fn all_schemas() -> [&'static SchemaDef; 3] {
    [&USER_SCHEMA, &ENTERPRISE_SCHEMA, &GROUP_SCHEMA]
}

impl ResourceKind {
    /// The core schema of this resource type.
    pub fn schema(self) -> &'static SchemaDef {
        match self {
            ResourceKind::User => &USER_SCHEMA,
            ResourceKind::Group => &GROUP_SCHEMA,
        }
    }
    /// The schema extensions this resource type accepts.
    pub fn extensions(self) -> &'static [&'static SchemaDef] {
        match self {
            ResourceKind::User => USER_EXTENSIONS,
            ResourceKind::Group => &[],
        }
    }
    /// Case-insensitive lookup of an extension of this kind by URN.
    pub fn extension(self, urn: &str) -> Option<&'static SchemaDef> {
        self.extensions().iter().copied().find(|s| s.urn.eq_ignore_ascii_case(urn))
    }
}

/// Where an attribute lives in a resource body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// Top level (core or common attribute).
    Core,
    /// Inside the object keyed by this extension's URN.
    Extension(&'static SchemaDef),
}

impl PartialEq for SchemaDef {
    fn eq(&self, other: &Self) -> bool {
        self.urn == other.urn
    }
}
impl Eq for SchemaDef {}

/// What a parsed attribute path (`[urn:]name[.sub]`) designates.
#[derive(Debug, Clone, Copy)]
pub enum Resolved {
    /// A whole extension object (path was exactly an extension URN).
    Extension(&'static SchemaDef),
    /// An attribute, optionally one of its sub-attributes.
    Attr {
        /// Where the attribute lives.
        container: Container,
        /// The attribute.
        attr: &'static AttrDef,
        /// The sub-attribute, if the path named one.
        sub: Option<&'static AttrDef>,
    },
}

/// Outcome of [`resolve`] for a path whose shape is wrong, not merely unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// The attribute (or sub-attribute, or URN) is not defined for the resource type.
    Unknown,
    /// A sub-attribute was given for a non-complex attribute, or one that does not exist.
    BadSub,
}

/// Resolve `[uri:]name[.sub]` for `kind`, case-insensitively. `uri` may be the core URN,
/// an extension URN, or (with `name` as its last segment) form an extension URN itself.
pub fn resolve(kind: ResourceKind, uri: Option<&str>, name: &str, sub: Option<&str>) -> Result<Resolved, ResolveError> {
    let container = match uri {
        None => Container::Core,
        Some(u) if u.eq_ignore_ascii_case(kind.schema().urn) => Container::Core,
        Some(u) => {
            if let Some(ext) = kind.extension(u) {
                Container::Extension(ext)
            } else {
                let whole = format!("{u}:{name}");
                match kind.extension(&whole) {
                    Some(ext) if sub.is_none() => return Ok(Resolved::Extension(ext)),
                    _ => return Err(ResolveError::Unknown),
                }
            }
        }
    };
    let attr = match container {
        Container::Core => find(kind.schema().attrs, name).or_else(|| find(COMMON, name)),
        Container::Extension(ext) => find(ext.attrs, name),
    }
    .ok_or(ResolveError::Unknown)?;
    let sub = match sub {
        None => None,
        Some(s) if attr.ty == AttrType::Complex => Some(attr.sub_attr(s).ok_or(ResolveError::Unknown)?),
        Some(_) => return Err(ResolveError::BadSub),
    };
    Ok(Resolved::Attr { container, attr, sub })
}

/// Resolve a raw key of a JSON body or a pathless PATCH value: `name`, `urn:...:name`,
/// or an extension URN. Dotted sub-paths are not handled here.
pub fn resolve_key(kind: ResourceKind, key: &str) -> Option<Resolved> {
    if let Some(ext) = kind.extension(key) {
        return Some(Resolved::Extension(ext));
    }
    match key.rsplit_once(':') {
        Some((uri, name)) => resolve(kind, Some(uri), name, None).ok(),
        None => resolve(kind, None, key, None).ok(),
    }
}

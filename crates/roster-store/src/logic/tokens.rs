//! Session tokens: each instance's signing keys, JWT templates, and the data a token is computed from.

use roster_core::ids::{new_id, prefix};
use roster_core::tokens::{JwtTemplate, JwtTemplateUpdate, KeyAddition, OrganizationContext, SigningKey, TokenContext};
use roster_core::{now_millis, DomainError};

use super::rows::json;
use super::rows::roles::RolesCache;
use super::rows::sessions::{session_from_row, SESSION_COLUMNS};
use super::Tx;
use crate::sql::{vals, Db, DbError, DbErrorKind, Dialect, Row};

const KEY_COLUMNS: &str = "kid, instance_id, n, e, private_key, created_at, active_at, retire_at";

fn key_from_row(mut r: Row) -> Result<SigningKey, DbError> {
    Ok(SigningKey {
        kid: r.take(0)?,
        instance_id: r.take(1)?,
        n: r.take(2)?,
        e: r.take(3)?,
        private_key: r.take(4)?,
        created_at: r.take(5)?,
        active_at: r.take(6)?,
        retire_at: r.take(7)?,
    })
}

/// The instance's published keys (not retired at `now`), oldest activation first.
pub fn signing_keys(c: &dyn Db, instance_id: &str) -> Tx<Vec<SigningKey>> {
    let rows = c.query(
        &format!(
            "SELECT {KEY_COLUMNS} FROM signing_keys WHERE instance_id = ?1 AND (retire_at IS NULL OR retire_at > ?2) \
             ORDER BY active_at, created_at, kid"
        ),
        vals![instance_id, now_millis()],
    )?;
    Ok(rows.into_iter().map(key_from_row).collect::<Result<_, _>>()?)
}

/// Add `key` to its instance (see `KeyAddition`); returns the instance's published keys after.
pub fn add_signing_key(c: &dyn Db, key: &SigningKey, addition: KeyAddition) -> Tx<Vec<SigningKey>> {
    // Writers of one instance's keys take turns: the instance row is locked (SQLite has one writer anyway).
    let lock = if c.dialect() == Dialect::Postgres { " FOR UPDATE" } else { "" };
    c.query_opt(&format!("SELECT id FROM instances WHERE id = ?1{lock}"), vals![key.instance_id])?.ok_or_else(
        || DomainError::invalid("instance", format!("No instance was found with id {}", key.instance_id)),
    )?;
    let existing = signing_keys(c, &key.instance_id)?;
    let now = now_millis();
    match addition {
        KeyAddition::First if !existing.is_empty() => return Ok(existing),
        KeyAddition::First => {}
        KeyAddition::Rotate { retire_previous_at } => {
            if let Some(pending) = existing.iter().find(|k| k.active_at > now) {
                return Err(
                    DomainError::KeyRotationPending { kid: pending.kid.clone(), active_at: pending.active_at }.into()
                );
            }
            c.execute(
                "UPDATE signing_keys SET retire_at = ?2 WHERE instance_id = ?1 AND retire_at IS NULL",
                vals![key.instance_id, retire_previous_at],
            )?;
        }
    }
    c.execute(
        &format!("INSERT INTO signing_keys ({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        vals![key.kid, key.instance_id, key.n, key.e, key.private_key, key.created_at, key.active_at, key.retire_at],
    )?;
    signing_keys(c, &key.instance_id)
}

/// The session, its active organization and the user's role and permissions there, in one snapshot.
pub fn token_context(c: &dyn Db, roles: &RolesCache, instance_id: &str, session_id: &str) -> Tx<TokenContext> {
    let mut row = c
        .query_opt(
            &format!(
                "SELECT {SESSION_COLUMNS}, o.id, o.slug, o.name, o.public_metadata, m.role_id, m.public_metadata, \
                 i.roles_version \
                 FROM sessions s JOIN instances i ON i.id = s.instance_id \
                 LEFT JOIN organizations o ON o.id = s.last_active_organization_id \
                 LEFT JOIN memberships m ON m.organization_id = o.id AND m.user_id = s.user_id \
                 WHERE s.instance_id = ?1 AND s.id = ?2"
            ),
            vals![instance_id, session_id],
        )?
        .ok_or_else(|| DomainError::SessionNotFound(session_id.to_owned()))?;
    let session = session_from_row(&mut row, now_millis())?;
    let role_id: Option<String> = row.take(14)?;
    let map = roles.roles_at(c, instance_id, Some(row.take(16)?))?;
    let mut instance_permissions: Vec<String> =
        map.values().flat_map(|r| r.permissions.iter().map(|p| p.key.clone())).collect();
    instance_permissions.sort();
    instance_permissions.dedup();
    let organization = match (row.take::<Option<String>>(10)?, role_id) {
        (Some(id), Some(role_id)) => {
            let role = map.get(&role_id).ok_or_else(DomainError::role_not_found)?;
            Some(OrganizationContext {
                id,
                slug: row.take(11)?,
                name: row.take(12)?,
                public_metadata: json(row.take(13)?),
                role: role.key.clone(),
                permissions: role.permission_keys(),
                membership_public_metadata: json(row.take(15)?),
            })
        }
        _ => None,
    };
    Ok(TokenContext { session, organization, instance_permissions })
}

const TEMPLATE_COLUMNS: &str =
    "id, name, claims, lifetime, allowed_clock_skew, custom_signing_key, signing_algorithm, \
     signing_key, created_at, updated_at";

fn template_from_row(mut r: Row) -> Result<JwtTemplate, DbError> {
    let claims: String = r.take(2)?;
    Ok(JwtTemplate {
        id: r.take(0)?,
        name: r.take(1)?,
        claims: serde_json::from_str(&claims).unwrap_or_default(),
        lifetime: r.take(3)?,
        allowed_clock_skew: r.take(4)?,
        custom_signing_key: r.take(5)?,
        signing_algorithm: r.take(6)?,
        signing_key: r.take(7)?,
        created_at: r.take(8)?,
        updated_at: r.take(9)?,
    })
}

pub fn list_templates(c: &dyn Db, instance_id: &str) -> Tx<Vec<JwtTemplate>> {
    let rows = c.query(
        &format!("SELECT {TEMPLATE_COLUMNS} FROM jwt_templates WHERE instance_id = ?1 ORDER BY created_at, id"),
        vals![instance_id],
    )?;
    Ok(rows.into_iter().map(template_from_row).collect::<Result<_, _>>()?)
}

/// A template by id, or by name (`POST /sessions/{id}/tokens/{template_name}`).
pub fn get_template(c: &dyn Db, instance_id: &str, id_or_name: &str) -> Tx<JwtTemplate> {
    c.query_opt(
        &format!(
            "SELECT {TEMPLATE_COLUMNS} FROM jwt_templates WHERE instance_id = ?1 AND (id = ?2 OR name = ?2) \
             ORDER BY CASE WHEN id = ?2 THEN 0 ELSE 1 END LIMIT 1"
        ),
        vals![instance_id, id_or_name],
    )?
    .map(template_from_row)
    .transpose()?
    .ok_or_else(|| DomainError::NotFound.into())
}

fn name_taken(e: DbError) -> super::StoreError {
    if e.kind() == DbErrorKind::UniqueViolation {
        DomainError::IdentifierExists { param: "name".into(), what: "name" }.into()
    } else {
        e.into()
    }
}

pub fn create_template(c: &dyn Db, instance_id: &str, mut t: JwtTemplate) -> Tx<JwtTemplate> {
    let now = now_millis();
    t.id = new_id(prefix::JWT_TEMPLATE);
    t.created_at = now;
    t.updated_at = now;
    write_template(c, instance_id, &t, true)?;
    Ok(t)
}

pub fn update_template(c: &dyn Db, instance_id: &str, id: &str, u: JwtTemplateUpdate) -> Tx<JwtTemplate> {
    let mut t = get_template(c, instance_id, id)?;
    if t.id != id {
        return Err(DomainError::NotFound.into());
    }
    if let Some(v) = u.name {
        t.name = v;
    }
    if let Some(v) = u.claims {
        t.claims = v;
    }
    if let Some(v) = u.lifetime {
        t.lifetime = v;
    }
    if let Some(v) = u.allowed_clock_skew {
        t.allowed_clock_skew = v;
    }
    if let Some(v) = u.custom_signing_key {
        t.custom_signing_key = v;
    }
    if let Some(v) = u.signing_algorithm {
        t.signing_algorithm = v;
    }
    if let Some(v) = u.signing_key {
        t.signing_key = v;
    }
    if !t.custom_signing_key {
        t.signing_key = None;
        t.signing_algorithm = "RS256".into();
    }
    t.updated_at = now_millis();
    write_template(c, instance_id, &t, false)?;
    Ok(t)
}

fn write_template(c: &dyn Db, instance_id: &str, t: &JwtTemplate, insert: bool) -> Tx<()> {
    let claims = serde_json::to_string(&t.claims).unwrap_or_else(|_| "{}".into());
    let written = if insert {
        c.execute(
            &format!(
                "INSERT INTO jwt_templates (instance_id, {TEMPLATE_COLUMNS}) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
            ),
            vals![
                instance_id,
                t.id,
                t.name,
                claims,
                t.lifetime,
                t.allowed_clock_skew,
                t.custom_signing_key,
                t.signing_algorithm,
                t.signing_key,
                t.created_at,
                t.updated_at
            ],
        )
    } else {
        c.execute(
            "UPDATE jwt_templates SET name = ?3, claims = ?4, lifetime = ?5, allowed_clock_skew = ?6, \
             custom_signing_key = ?7, signing_algorithm = ?8, signing_key = ?9, updated_at = ?10 \
             WHERE instance_id = ?1 AND id = ?2",
            vals![
                instance_id,
                t.id,
                t.name,
                claims,
                t.lifetime,
                t.allowed_clock_skew,
                t.custom_signing_key,
                t.signing_algorithm,
                t.signing_key,
                t.updated_at
            ],
        )
    };
    written.map_err(name_taken)?;
    Ok(())
}

pub fn delete_template(c: &dyn Db, instance_id: &str, id: &str) -> Tx<JwtTemplate> {
    let t = get_template(c, instance_id, id)?;
    if t.id != id {
        return Err(DomainError::NotFound.into());
    }
    c.execute("DELETE FROM jwt_templates WHERE instance_id = ?1 AND id = ?2", vals![instance_id, id])?;
    Ok(t)
}

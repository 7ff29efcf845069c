//! Instances, their secret keys, and the default roles and permissions seeded into each new instance.

use roster_core::ids::{new_id, prefix};
use roster_core::model::{ApiKey, Environment, Instance, OrganizationSettings};
use roster_core::roles::{DEFAULT_ROLES, SYSTEM_PERMISSIONS};
use roster_core::store::{Bootstrap, KeyCandidate};
use roster_core::{keys, now_millis, DomainError};

use super::rows::instances::{instance_from_row, load_instance, INSTANCE_SELECT, KEY_CANDIDATES_SELECT};
use super::rows::roles::load_roles;
use super::Tx;
use crate::sql::{vals, Db, DbError, Dialect, Row, Value};

pub fn create(c: &dyn Db, environment: Environment, name: &str) -> Tx<Instance> {
    let now = now_millis();
    let instance = Instance {
        id: new_id(prefix::INSTANCE).into(),
        environment,
        name: name.to_owned(),
        created_at: now,
        settings: OrganizationSettings::default(),
    };
    c.execute(
        "INSERT INTO instances (id, environment, name, created_at) VALUES (?1, ?2, ?3, ?4)",
        vals![instance.id, environment.as_str(), name, now],
    )?;
    let roles = seed_roles(c, &instance.id, now)?;
    c.execute(
        "UPDATE instances SET org_creator_role_id = ?2, org_domains_default_role_id = ?3 WHERE id = ?1",
        vals![instance.id, roles[roster_core::roles::ADMIN], roles[roster_core::roles::MEMBER]],
    )?;
    load_instance(c, &instance.id)
}

/// Seed the system permissions and the default roles; returns role ids by key.
fn seed_roles(c: &dyn Db, instance_id: &str, now: i64) -> Tx<std::collections::HashMap<&'static str, String>> {
    let mut role_ids = std::collections::HashMap::new();
    let mut perm_ids = std::collections::HashMap::new();
    for (key, name, description) in SYSTEM_PERMISSIONS {
        let id = new_id(prefix::PERMISSION);
        c.execute(
            "INSERT INTO permissions (id, instance_id, key, name, description, type, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, 'system', ?6, ?6)",
            vals![id, instance_id, key, name, description, now],
        )?;
        perm_ids.insert(*key, id);
    }
    for role in DEFAULT_ROLES {
        let id = new_id(prefix::ROLE);
        c.execute(
            "INSERT INTO roles (id, instance_id, key, name, description, is_creator_eligible, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            vals![id, instance_id, role.key, role.name, role.description, role.is_creator_eligible, now],
        )?;
        for perm in role.permissions {
            c.execute(
                "INSERT INTO role_permissions (role_id, permission_id) VALUES (?1, ?2)",
                vals![id, perm_ids[perm]],
            )?;
        }
        role_ids.insert(role.key, id);
    }
    Ok(role_ids)
}

pub fn list(c: &dyn Db) -> Tx<Vec<Instance>> {
    let rows = c.query(&format!("{INSTANCE_SELECT} ORDER BY i.created_at, i.id"), vals![])?;
    Ok(rows.into_iter().map(|mut r| instance_from_row(&mut r)).collect::<Result<_, _>>()?)
}

pub fn bootstrap(c: &dyn Db, secret: Option<&str>) -> Tx<Bootstrap> {
    if c.dialect() == Dialect::Postgres {
        // Nodes starting together on an empty database would each create a development instance: they take
        // turns instead (the lock is released at commit), and the later ones find the first one's.
        c.execute("SELECT pg_advisory_xact_lock(7165065455842050669)", vals![])?;
    }
    let existing: Option<String> = c
        .query_opt(
            "SELECT id FROM instances WHERE environment = 'development' ORDER BY created_at, id LIMIT 1",
            vals![],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    match (existing, secret) {
        (Some(instance_id), Some(secret)) => {
            if !key_exists(c, secret)? {
                create_key(c, &instance_id, Some(secret))?;
            }
            Ok(Bootstrap::Existing)
        }
        (Some(_), None) => Ok(Bootstrap::Existing),
        (None, secret) => {
            let any = c.query_opt("SELECT id FROM instances LIMIT 1", vals![])?;
            if any.is_some() && secret.is_none() {
                return Ok(Bootstrap::Existing);
            }
            let instance = create(c, Environment::Development, "development")?;
            let (_, minted) = create_key(c, &instance.id, secret)?;
            let secret_key = if secret.is_some() { None } else { Some(minted) };
            Ok(Bootstrap::Created { instance, secret_key })
        }
    }
}

fn key_exists(c: &dyn Db, secret: &str) -> Tx<bool> {
    let digest = keys::digest(secret);
    let hashes: Vec<String> = c
        .query("SELECT hash FROM api_keys WHERE lookup = ?1", vals![&digest.lookup])?
        .iter()
        .map(|r| r.get(0))
        .collect::<Result<_, _>>()?;
    Ok(hashes.iter().any(|h| keys::verify(&digest, h)))
}

pub fn create_key(c: &dyn Db, instance_id: &str, secret: Option<&str>) -> Tx<(ApiKey, String)> {
    let instance = load_instance(c, instance_id)
        .map_err(|_| DomainError::invalid("instance", format!("No instance was found with id {instance_id}")))?;
    let secret = match secret {
        Some(s) => {
            if keys::environment_of(s) != Some(instance.environment) {
                return Err(DomainError::invalid(
                    "secret_key",
                    format!(
                        "a {} instance takes keys starting with {}",
                        instance.environment.as_str(),
                        if instance.environment == Environment::Production { "sk_live_" } else { "sk_test_" }
                    ),
                )
                .into());
            }
            s.to_owned()
        }
        None => keys::generate(instance.environment),
    };
    let digest = keys::digest(&secret);
    let key = ApiKey {
        id: new_id(prefix::API_KEY),
        instance_id: instance_id.to_owned(),
        hint: keys::redact(&secret),
        created_at: now_millis(),
        revoked_at: None,
    };
    c.execute(
        "INSERT INTO api_keys (id, instance_id, lookup, hash, hint, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        vals![key.id, key.instance_id, digest.lookup, digest.hash, key.hint, key.created_at],
    )?;
    Ok((key, secret))
}

fn key_from_row(r: &mut Row) -> Result<ApiKey, DbError> {
    Ok(ApiKey {
        id: r.take(0)?,
        instance_id: r.take(1)?,
        hint: r.take(2)?,
        created_at: r.take(3)?,
        revoked_at: r.take(4)?,
    })
}

pub fn list_keys(c: &dyn Db, instance_id: Option<&str>) -> Tx<Vec<ApiKey>> {
    let rows = c.query(
        "SELECT id, instance_id, hint, created_at, revoked_at FROM api_keys \
         WHERE ?1 IS NULL OR instance_id = ?1 ORDER BY created_at, id",
        vals![instance_id],
    )?;
    Ok(rows.into_iter().map(|mut r| key_from_row(&mut r)).collect::<Result<_, _>>()?)
}

pub fn revoke_key(c: &dyn Db, key_id: &str) -> Tx<ApiKey> {
    c.execute("UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", vals![key_id, now_millis()])?;
    c.query_opt("SELECT id, instance_id, hint, created_at, revoked_at FROM api_keys WHERE id = ?1", vals![key_id])?
        .map(|mut r| key_from_row(&mut r))
        .transpose()?
        .ok_or_else(|| DomainError::NotFound.into())
}

pub fn find_keys(c: &dyn Db, lookup: &str) -> Tx<Vec<KeyCandidate>> {
    let rows = c.query(KEY_CANDIDATES_SELECT, vals![lookup])?;
    let candidate = |mut r: Row| -> Result<KeyCandidate, DbError> {
        let (hash, revoked): (String, Option<i64>) = (r.take(12)?, r.take(13)?);
        Ok(KeyCandidate { hash, revoked: revoked.is_some(), instance: instance_from_row(&mut r)? })
    };
    Ok(rows.into_iter().map(candidate).collect::<Result<_, _>>()?)
}

/// `PATCH /instance/organization_settings`: roles are given by id and must exist in the instance; the
/// creator role must hold the permissions `rules::CREATOR_ROLE_PERMISSIONS` names.
pub fn update_settings(
    c: &dyn Db,
    instance_id: &str,
    u: roster_core::store::SettingsUpdate,
) -> Tx<roster_core::model::OrganizationSettings> {
    let roles = load_roles(c, instance_id)?;
    let find =
        |id: &str| roles.iter().find(|r| r.id == id).ok_or(DomainError::RoleNotFound { param: "role_id".into() });
    if let Some(id) = &u.creator_role_id {
        roster_core::rules::check_creator_role(&find(id)?.permission_keys())?;
    }
    if let Some(id) = &u.domains_default_role_id {
        find(id)?;
    }
    let set = |column: &str, value: Value| -> Tx<()> {
        c.execute(&format!("UPDATE instances SET {column} = ?2 WHERE id = ?1"), vals![instance_id, value])?;
        Ok(())
    };
    if let Some(v) = u.enabled {
        set("org_enabled", Value::Bool(v))?;
    }
    if let Some(v) = u.max_allowed_memberships {
        set("org_max_allowed_memberships", Value::Int(v))?;
    }
    if let Some(v) = u.admin_delete_enabled {
        set("org_admin_delete_enabled", Value::Bool(v))?;
    }
    if let Some(v) = u.domains_enabled {
        set("org_domains_enabled", Value::Bool(v))?;
    }
    if let Some(v) = u.slug_disabled {
        set("org_slug_disabled", Value::Bool(v))?;
    }
    if let Some(v) = u.domains_enrollment_modes {
        set("org_domains_enrollment_modes", Value::Text(serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())))?;
    }
    if let Some(v) = u.creator_role_id {
        set("org_creator_role_id", Value::Text(v))?;
    }
    if let Some(v) = u.domains_default_role_id {
        set("org_domains_default_role_id", Value::Text(v))?;
    }
    Ok(load_instance(c, instance_id)?.settings)
}

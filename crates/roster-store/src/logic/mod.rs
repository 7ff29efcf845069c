//! The use-case logic of the store, written once against `sql::Db` and shared by every backend: the rules
//! checked inside a write transaction, the SQL of lists and filters, and the decoding of rows. The few
//! statements that differ between dialects go through small helpers matching on `Db::dialect`.
//!
//! Layers, each calling only the ones below it:
//! - use cases: `instances`, `memberships`, `orgs`, `roles`, `sessions`, `users`, `limits` (called by
//!   `crate::store`; never by each other);
//! - `rows`: row decoding, reads by id and the row writes several use cases share;
//! - `filter`: the statement builder (`Sql`), list filters and orders;
//! - this module's `Tx`/`StoreError`, and `crate::sql` (connections, values, `vals!`).

pub mod domains;
pub mod events;
pub mod filter;
pub mod idempotency;
pub mod instances;
pub mod invitations;
pub mod limits;
pub mod memberships;
pub mod orgs;
pub mod role_sets;
pub mod roles;
pub mod rows;
pub mod scim;
pub mod sessions;
pub mod tokens;
pub mod users;
pub mod webhooks;

use roster_core::DomainError;

use crate::sql::DbError;

/// Errors inside a store transaction: a rule the domain reports, or a database failure.
#[derive(Debug)]
pub enum StoreError {
    Domain(DomainError),
    Sql(DbError),
}

impl From<DomainError> for StoreError {
    fn from(e: DomainError) -> Self {
        Self::Domain(e)
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        Self::Sql(e)
    }
}

impl From<StoreError> for DomainError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d,
            StoreError::Sql(e) => DomainError::Internal(e.to_string()),
        }
    }
}

/// The result of work inside a store transaction.
pub type Tx<T> = std::result::Result<T, StoreError>;

#[cfg(test)]
mod tests {
    //! The dialect branches no SQLite test reaches: the SQL the shared logic sends a PostgreSQL connection.

    use std::cell::RefCell;

    use roster_core::query::UserFilter;

    use super::filter::{user_filter, Sql, TextSearch};
    use crate::sql::{Db, DbError, Dialect, Row, Value};

    /// A connection that records the SQL it is sent and returns no rows.
    struct Recorder {
        dialect: Dialect,
        sent: RefCell<Vec<String>>,
    }

    impl Recorder {
        fn new(dialect: Dialect) -> Self {
            Self { dialect, sent: RefCell::default() }
        }
    }

    impl Db for Recorder {
        fn dialect(&self) -> Dialect {
            self.dialect
        }

        fn execute(&self, sql: &str, _: &[Value]) -> Result<usize, DbError> {
            self.sent.borrow_mut().push(sql.to_owned());
            Ok(0)
        }

        fn query(&self, sql: &str, _: &[Value]) -> Result<Vec<Row>, DbError> {
            self.sent.borrow_mut().push(sql.to_owned());
            Ok(Vec::new())
        }
    }

    #[test]
    fn organization_row_is_locked_on_postgres_only() {
        for (dialect, locks) in [(Dialect::Postgres, true), (Dialect::Sqlite, false)] {
            let c = Recorder::new(dialect);
            assert!(super::rows::orgs::org_by_id_for_update(&c, "ins_1", "org_1").is_err());
            let sent = c.sent.borrow();
            assert_eq!(sent.len(), 1);
            assert_eq!(sent[0].ends_with(" FOR UPDATE"), locks, "{dialect:?}: {}", sent[0]);
        }
    }

    #[test]
    fn membership_writes_read_the_organization_for_update() {
        let c = Recorder::new(Dialect::Postgres);
        let cache = super::rows::roles::RolesCache::versioned();
        let _ = super::memberships::delete(&c, &cache, "ins_1", "org_1", "user_1");
        let _ = super::memberships::update_membership_role(&c, &cache, "ins_1", "org_1", "user_1", "org:member");
        let sent = c.sent.borrow();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(sent.iter().all(|s| s.contains("FROM organizations o") && s.ends_with(" FOR UPDATE")));
    }

    #[test]
    fn sorting_matches_hides_numeric_sort_columns_from_sqlite_indexes_only() {
        use roster_core::query::{MembershipOrder, UserOrder};

        use super::filter::{membership_order, plan, user_order, Plan, SORT_MATCHES_BELOW};
        let by_created = membership_order(MembershipOrder::default(), Plan::IndexOrder);
        assert_eq!(by_created, " ORDER BY m.created_at DESC, m.id DESC");
        assert_eq!(
            membership_order(MembershipOrder::default(), Plan::SortMatches),
            " ORDER BY +m.created_at DESC, +m.id DESC"
        );
        // Only SQLite, only filtered lists, only few matches.
        assert_eq!(plan(Dialect::Sqlite, true, SORT_MATCHES_BELOW), Plan::SortMatches);
        assert_eq!(plan(Dialect::Postgres, true, 1), Plan::IndexOrder);
        assert_eq!(plan(Dialect::Sqlite, false, 1), Plan::IndexOrder);
        assert_eq!(plan(Dialect::Sqlite, true, SORT_MATCHES_BELOW + 1), Plan::IndexOrder);
        let users = user_order(UserOrder::default(), Plan::SortMatches);
        assert!(users.contains("+u.created_at"), "{users}");
        // Text orders cannot use an index anyway; their columns are left alone.
        let by_name = MembershipOrder::parse("first_name").unwrap();
        assert_eq!(
            membership_order(by_name, Plan::SortMatches),
            membership_order(by_name, Plan::IndexOrder).replace("m.id", "+m.id")
        );
    }

    #[test]
    fn text_search_per_dialect() {
        let filter = UserFilter { query: Some("alice".into()), ..Default::default() };
        let mut sqlite = Sql::new(Dialect::Sqlite);
        user_filter(&mut sqlite, &filter, "m.user_id", &TextSearch::InStatements);
        assert!(sqlite.where_sql().contains("users_search MATCH"));
        // Matches found up front are bound as one JSON array, keeping the statement's text the same.
        let mut found = Sql::new(Dialect::Sqlite);
        user_filter(&mut found, &filter, "m.user_id", &TextSearch::Matches(r#"["user_1"]"#.into()));
        assert_eq!(found.where_sql(), " AND m.user_id IN (SELECT value FROM json_each(?1))");
        assert_eq!(found.params, vec![Value::Text(r#"["user_1"]"#.into())]);
        let mut postgres = Sql::new(Dialect::Postgres);
        user_filter(&mut postgres, &filter, "m.user_id", &TextSearch::InStatements);
        assert_eq!(postgres.where_sql(), " AND u.search_text LIKE ?1 ESCAPE '\\'");
        assert_eq!(postgres.params, vec![Value::Text("%alice%".into())]);
        let wild = UserFilter { query: Some("a_b%c\\d".into()), ..Default::default() };
        let mut postgres = Sql::new(Dialect::Postgres);
        user_filter(&mut postgres, &wild, "m.user_id", &TextSearch::InStatements);
        assert_eq!(postgres.params, vec![Value::Text("%a\\_b\\%c\\\\d%".into())]);
    }
}

//! SQL for the list filters and orders, built with numbered placeholders only: every value a client
//! sends is bound as a parameter, never spliced into the SQL text.

use roster_core::DomainError;

use super::Tx;
use crate::sql::{Db, Dialect, Value};

use roster_core::query::{
    MembershipOrder, MembershipOrderField, Order, OrganizationOrder, OrganizationOrderField, UserFilter, UserOrder,
    UserOrderField,
};

pub struct Sql {
    pub dialect: Dialect,
    pub clauses: Vec<String>,
    pub params: Vec<Value>,
}

impl Sql {
    pub fn new(dialect: Dialect) -> Self {
        Self { dialect, clauses: Vec::new(), params: Vec::new() }
    }

    /// `haystack` contains `needle` (both SQL expressions), as a case-sensitive substring.
    pub fn contains(&self, haystack: &str, needle: &str) -> String {
        contains(self.dialect, haystack, needle)
    }

    /// Bind a value; returns its placeholder.
    pub fn bind(&mut self, v: impl Into<Value>) -> String {
        self.params.push(v.into());
        format!("?{}", self.params.len())
    }

    /// Bind a list; returns `(?a, ?b, …)`.
    pub fn bind_list(&mut self, values: &[String]) -> String {
        let marks: Vec<String> = values.iter().map(|v| self.bind(v.clone())).collect();
        format!("({})", marks.join(", "))
    }

    pub fn clause(&mut self, c: String) {
        self.clauses.push(c);
    }

    pub fn where_sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" AND {}", self.clauses.join(" AND "))
        }
    }
}

/// `haystack` contains `needle` (both SQL expressions), as a case-sensitive substring.
pub fn contains(dialect: Dialect, haystack: &str, needle: &str) -> String {
    match dialect {
        Dialect::Sqlite => format!("instr({haystack}, {needle}) > 0"),
        Dialect::Postgres => format!("strpos({haystack}, {needle}) > 0"),
    }
}

fn lowered(values: &[String]) -> Vec<String> {
    values.iter().map(|v| v.to_lowercase()).collect()
}

fn identification_in(sql: &mut Sql, kind: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    let list = sql.bind_list(&lowered(values));
    sql.clause(format!(
        "EXISTS (SELECT 1 FROM identifications i WHERE i.user_id = u.id AND i.kind = '{kind}' AND i.value_lower IN {list})"
    ));
}

fn identification_like(sql: &mut Sql, kind: &str, needle: &Option<String>) {
    if let Some(q) = needle {
        let p = sql.bind(q.clone());
        let found = sql.contains("i.value_lower", &p);
        sql.clause(format!(
            "EXISTS (SELECT 1 FROM identifications i WHERE i.user_id = u.id AND i.kind = '{kind}' AND {found})"
        ));
    }
}

/// How a list applies `query=`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextSearch {
    /// Inside the list's statements (the count and the page each search).
    InStatements,
    /// Among these users (a JSON array of ids), found once before the count and the page.
    Matches(String),
}

/// At most this many users matching `query=` are found up front (`TextSearch::Matches`); with more, each
/// statement searches again.
pub const MATCHES_FOUND_FIRST: i64 = 2000;

/// On SQLite, find the users of the instance matching `query=` once, through the trigram index: the count and the
/// page would otherwise each run the same search, whose cost on common trigrams dominates both. PostgreSQL's
/// `pg_trgm` search stays inside the statements.
pub fn resolve_text_search(c: &dyn Db, instance_id: &str, f: &UserFilter) -> Tx<TextSearch> {
    let Some(q) = f.query.as_deref().filter(|q| c.dialect() == Dialect::Sqlite && fts_usable(q)) else {
        return Ok(TextSearch::InStatements);
    };
    let rows = c.query(
        // `+s.instance_id`: driven by the trigram index, never by the instance's index (every user of the instance).
        "SELECT s.id FROM users s WHERE s.rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH ?1) \
         AND instr(s.search_text, ?2) > 0 AND +s.instance_id = ?3 LIMIT ?4",
        &[
            Value::Text(fts_phrase(q)),
            Value::Text(q.to_owned()),
            Value::Text(instance_id.to_owned()),
            Value::Int(MATCHES_FOUND_FIRST + 1),
        ],
    )?;
    if rows.len() as i64 > MATCHES_FOUND_FIRST {
        return Ok(TextSearch::InStatements);
    }
    let ids = rows.into_iter().map(|r| r.get::<String>(0)).collect::<Result<Vec<_>, _>>()?;
    Ok(TextSearch::Matches(serde_json::to_string(&ids).map_err(|e| DomainError::Internal(e.to_string()))?))
}

/// Whether SQLite's FTS5 trigram index can serve a search for `q`: three characters at least, and no NUL (FTS5
/// reads a query as a C string: a NUL ends it, "unterminated string").
fn fts_usable(q: &str) -> bool {
    q.chars().count() >= 3 && !q.contains('\0')
}

/// `q` as an FTS5 phrase.
fn fts_phrase(q: &str) -> String {
    format!("\"{}\"", q.replace('"', "\"\""))
}

/// Clauses on the user aliased `u`. `user_id` is the column holding the user's id in the driving table
/// (`m.user_id` for memberships, `u.id` for users): the text search narrows on it, so an index on it (such as
/// memberships' (organization_id, user_id)) serves the few matches instead of scanning every member.
pub fn user_filter(sql: &mut Sql, f: &UserFilter, user_id: &str, search: &TextSearch) {
    if !f.user_ids.is_empty() {
        let list = sql.bind_list(&f.user_ids);
        sql.clause(format!("u.id IN {list}"));
    }
    if !f.exclude_user_ids.is_empty() {
        let list = sql.bind_list(&f.exclude_user_ids);
        sql.clause(format!("u.id NOT IN {list}"));
    }
    identification_in(sql, "email_address", &f.email_addresses);
    identification_in(sql, "phone_number", &f.phone_numbers);
    identification_in(sql, "web3_wallet", &f.web3_wallets);
    if !f.usernames.is_empty() {
        let list = sql.bind_list(&lowered(&f.usernames));
        sql.clause(format!("u.username_lower IN {list}"));
    }
    if !f.external_ids.is_empty() {
        let list = sql.bind_list(&f.external_ids);
        sql.clause(format!("u.external_id IN {list}"));
    }
    if let Some(q) = &f.query {
        text_search(sql, q, user_id, search);
    }
    identification_like(sql, "email_address", &f.email_address_query);
    identification_like(sql, "phone_number", &f.phone_number_query);
    if let Some(q) = &f.username_query {
        let p = sql.bind(q.clone());
        let found = sql.contains("coalesce(u.username_lower, '')", &p);
        sql.clause(found);
    }
    if let Some(q) = &f.name_query {
        let p = sql.bind(q.clone());
        let found = sql.contains("u.name_text", &p);
        sql.clause(found);
    }
    if let Some(banned) = f.banned {
        let p = sql.bind(banned);
        sql.clause(format!("u.banned = {p}"));
    }
    let bounds = [
        ("u.created_at", "<", f.created_at_before),
        ("u.created_at", ">", f.created_at_after),
        ("u.last_active_at", "<", f.last_active_at_before),
        ("u.last_active_at", ">", f.last_active_at_after),
        ("u.last_sign_in_at", "<", f.last_sign_in_at_before),
        ("u.last_sign_in_at", ">", f.last_sign_in_at_after),
    ];
    for (column, op, value) in bounds {
        if let Some(v) = value {
            let p = sql.bind(v);
            sql.clause(format!("{column} {op} {p}"));
        }
    }
    if !f.organization_ids.is_empty() {
        let list = sql.bind_list(&f.organization_ids);
        sql.clause(format!(
            "EXISTS (SELECT 1 FROM memberships mm WHERE mm.user_id = u.id AND mm.organization_id IN {list})"
        ));
    }
    if !f.exclude_organization_ids.is_empty() {
        let list = sql.bind_list(&f.exclude_organization_ids);
        sql.clause(format!(
            "NOT EXISTS (SELECT 1 FROM memberships mm WHERE mm.user_id = u.id AND mm.organization_id IN {list})"
        ));
    }
}

/// `query=`: the user's search text contains `q`. `user_id` as in `user_filter`.
fn text_search(sql: &mut Sql, q: &str, user_id: &str, search: &TextSearch) {
    match sql.dialect {
        Dialect::Sqlite => {
            if let TextSearch::Matches(ids) = search {
                let p = sql.bind(ids.clone());
                sql.clause(format!("{user_id} IN (SELECT value FROM json_each({p}))"));
                return;
            }
            let p = sql.bind(q.to_owned());
            if fts_usable(q) {
                // The trigram index narrows to candidate rows; instr keeps the exact substring semantics.
                let phrase = sql.bind(fts_phrase(q));
                sql.clause(format!(
                    "{user_id} IN (SELECT s.id FROM users s WHERE s.rowid IN \
                     (SELECT rowid FROM users_search WHERE users_search MATCH {phrase}) AND instr(s.search_text, {p}) > 0)"
                ));
            } else {
                sql.clause(format!("instr(u.search_text, {p}) > 0"));
            }
        }
        // `LIKE '%needle%'` with the needle's wildcards escaped: the same exact substring test, which the pg_trgm
        // GIN index on users.search_text serves for needles of three characters or more.
        Dialect::Postgres => {
            let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            let p = sql.bind(format!("%{escaped}%"));
            sql.clause(format!("u.search_text LIKE {p} ESCAPE '\\'"));
        }
    }
}

/// How a sort column behaves.
#[derive(Clone, Copy)]
enum Kind {
    /// NOT NULL number: sorted as is, so an index on it can deliver the order.
    Number,
    /// Nullable number: NULLs last in both directions.
    NullableNumber,
    /// Nullable text: NULLs last, case-insensitively (ASCII folding, as SQLite's `lower`), then exactly.
    Text,
}

/// How a page is found: by walking an index in the sort order, or by finding the matches and sorting them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Whatever the planner picks (an index in sort order, when one fits).
    IndexOrder,
    /// Numeric sort columns and the tie wrapped in SQLite's no-op unary `+`, which stops the planner from walking
    /// an index in sort order.
    SortMatches,
}

/// At most this many matching rows, a filtered page is sorted rather than read in an index's order.
pub const SORT_MATCHES_BELOW: i64 = 1000;

/// The plan for a page of a list whose count is known. Walking the `(organization_id, created_at)` index costs a
/// probe of every member of the organization until the page is full, which is cheap when most members match and
/// ruinous when a search matches a handful of 100,000: then finding the few matches through the filter's index
/// and sorting them is the fast plan. Other engines plan from statistics and are left to it.
pub fn plan(dialect: Dialect, filtered: bool, matches: i64) -> Plan {
    if dialect == Dialect::Sqlite && filtered && matches <= SORT_MATCHES_BELOW {
        Plan::SortMatches
    } else {
        Plan::IndexOrder
    }
}

/// `ORDER BY` a column, ties broken by `tie` in the same direction so pages never overlap.
fn column_order_sql(column: &str, kind: Kind, descending: bool, tie: &str, plan: Plan) -> String {
    let dir = if descending { "DESC" } else { "ASC" };
    let hide = if plan == Plan::SortMatches { "+" } else { "" };
    match kind {
        Kind::Number => format!(" ORDER BY {hide}{column} {dir}, {hide}{tie} {dir}"),
        Kind::NullableNumber => format!(" ORDER BY ({column} IS NULL) ASC, {column} {dir}, {hide}{tie} {dir}"),
        Kind::Text => {
            format!(" ORDER BY ({column} IS NULL) ASC, lower({column}) {dir}, {column} {dir}, {hide}{tie} {dir}")
        }
    }
}

pub fn membership_order(o: MembershipOrder, plan: Plan) -> String {
    let Order { field, descending } = o;
    let (column, kind) = match field {
        MembershipOrderField::CreatedAt => ("m.created_at", Kind::Number),
        MembershipOrderField::EmailAddress => ("u.primary_email", Kind::Text),
        MembershipOrderField::PhoneNumber => ("u.primary_phone", Kind::Text),
        MembershipOrderField::FirstName => ("u.first_name", Kind::Text),
        MembershipOrderField::LastName => ("u.last_name", Kind::Text),
        MembershipOrderField::Username => ("u.username", Kind::Text),
    };
    column_order_sql(column, kind, descending, "m.id", plan)
}

pub fn user_order(o: UserOrder, plan: Plan) -> String {
    let Order { field, descending } = o;
    let (column, kind) = match field {
        UserOrderField::CreatedAt => ("u.created_at", Kind::Number),
        UserOrderField::UpdatedAt => ("u.updated_at", Kind::Number),
        UserOrderField::EmailAddress => ("u.primary_email", Kind::Text),
        UserOrderField::Web3Wallet => ("u.primary_web3", Kind::Text),
        UserOrderField::FirstName => ("u.first_name", Kind::Text),
        UserOrderField::LastName => ("u.last_name", Kind::Text),
        UserOrderField::PhoneNumber => ("u.primary_phone", Kind::Text),
        UserOrderField::Username => ("u.username", Kind::Text),
        UserOrderField::LastActiveAt => ("u.last_active_at", Kind::NullableNumber),
        UserOrderField::LastSignInAt => ("u.last_sign_in_at", Kind::NullableNumber),
    };
    column_order_sql(column, kind, descending, "u.id", plan)
}

pub fn organization_order(o: OrganizationOrder) -> String {
    let Order { field, descending } = o;
    let (column, kind) = match field {
        OrganizationOrderField::CreatedAt => ("o.created_at", Kind::Number),
        OrganizationOrderField::Name => ("o.name", Kind::Text),
        OrganizationOrderField::MembersCount => ("o.members_count", Kind::Number),
    };
    column_order_sql(column, kind, descending, "o.id", Plan::IndexOrder)
}

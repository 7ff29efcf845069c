//! `Db` for a PostgreSQL connection: the logic's `?N` placeholders rewritten to `$N` once per SQL text and the
//! prepared statement kept per connection (as rusqlite's statement cache does for SQLite); values encoded
//! according to the type PostgreSQL inferred for each parameter, and read back as the four kinds of `Value`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::error::Error;

use bytes::BytesMut;
use postgres::error::SqlState;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use crate::sql::{Db, DbError, DbErrorKind, Dialect, Row, Value};

/// Statements kept per connection; past this the cache is emptied and refilled (list SQL varies with the
/// filter shape, so the set of texts is bounded but large).
const STATEMENT_CACHE: usize = 256;

impl From<postgres::Error> for DbError {
    fn from(e: postgres::Error) -> Self {
        let kind = match e.code() {
            Some(c) if *c == SqlState::UNIQUE_VIOLATION => DbErrorKind::UniqueViolation,
            Some(c)
                if *c == SqlState::T_R_SERIALIZATION_FAILURE
                    || *c == SqlState::T_R_DEADLOCK_DETECTED
                    // A row this transaction refers to was deleted by one that committed first: on a retry the
                    // logic's own checks see the deletion and report it.
                    || *c == SqlState::FOREIGN_KEY_VIOLATION =>
            {
                DbErrorKind::Conflict
            }
            _ => DbErrorKind::Other,
        };
        // The driver's Display is just "db error": keep the server's code, message and detail.
        let message = match e.as_db_error() {
            Some(db) => match db.detail() {
                Some(detail) => format!("{} {}: {detail}", db.code().code(), db.message()),
                None => format!("{} {}", db.code().code(), db.message()),
            },
            None => e.to_string(),
        };
        DbError::new(kind, "postgres", message)
    }
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        let int = |n: i64, out: &mut BytesMut| -> Result<IsNull, Box<dyn Error + Sync + Send>> {
            match *ty {
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                _ => n.to_sql(ty, out),
            }
        };
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(n) => int(*n, out),
            Value::Bool(b) if *ty == Type::BOOL => b.to_sql(ty, out),
            Value::Bool(b) => int(i64::from(*b), out),
            // PostgreSQL text cannot hold U+0000, and Roster never stores it (the API refuses it in bodies), so
            // a lookup or filter value holding it can match nothing. It is sent with U+FFFE, a noncharacter, in
            // its place: the query runs and matches nothing, as it does on SQLite.
            Value::Text(s) if s.contains('\0') => {
                out.extend_from_slice(s.replace('\0', "\u{FFFE}").as_bytes());
                Ok(IsNull::No)
            }
            // The binary form of every text type is its UTF-8 bytes.
            Value::Text(s) => {
                out.extend_from_slice(s.as_bytes());
                Ok(IsNull::No)
            }
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// `?N` placeholders to PostgreSQL's `$N`, leaving string literals, quoted identifiers and comments alone.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' | '"' => {
                out.push(ch);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == ch {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                out.push(ch);
                for inner in chars.by_ref() {
                    out.push(inner);
                    if inner == '\n' {
                        break;
                    }
                }
            }
            '?' if chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(ch),
        }
    }
    out
}

/// A pooled connection: the client and its prepared statements.
pub struct PgConnection {
    /// Always `Some` until dropped.
    client: Option<Client>,
    statements: HashMap<String, Statement>,
    /// Between BEGIN and COMMIT/ROLLBACK; a connection returned to the pool in this state is dropped.
    in_transaction: bool,
}

impl Drop for PgConnection {
    fn drop(&mut self) {
        // Closing runs the sync client's own small runtime, which cannot start on an async thread (the last
        // handle of a pool can go there): then the client closes on a thread of its own.
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                let _ = std::thread::spawn(move || drop(client)).join();
            }
        }
    }
}

impl PgConnection {
    pub fn set_in_transaction(&mut self, open: bool) {
        self.in_transaction = open;
    }

    pub fn client(&mut self) -> &mut Client {
        self.client.as_mut().expect("client present until drop")
    }

    fn prepare(&mut self, sql: &str, values: &[Value], in_transaction: bool) -> Result<Statement, postgres::Error> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let text = dollar_placeholders(sql);
        // A failed prepare aborts the transaction it runs in; a savepoint keeps the transaction usable for the
        // typed retry below. It costs two round trips, once per SQL text per connection. (Outside a transaction
        // a failed prepare aborts nothing.)
        if in_transaction {
            self.client().batch_execute("SAVEPOINT roster_prepare")?;
        }
        let stmt = match self.client().prepare(&text) {
            Ok(stmt) => stmt,
            // A parameter the SQL never uses, or uses only where any type would do (`?1 IS NULL`): PostgreSQL
            // cannot infer its type, so declare every parameter's type from the value bound to it.
            Err(e)
                if e.code() == Some(&SqlState::INDETERMINATE_DATATYPE)
                    || e.code() == Some(&SqlState::AMBIGUOUS_PARAMETER) =>
            {
                if in_transaction {
                    self.client().batch_execute("ROLLBACK TO SAVEPOINT roster_prepare")?;
                }
                let types: Vec<Type> = values
                    .iter()
                    .map(|v| match v {
                        Value::Int(_) => Type::INT8,
                        Value::Bool(_) => Type::BOOL,
                        Value::Null | Value::Text(_) => Type::TEXT,
                    })
                    .collect();
                self.client().prepare_typed(&text, &types)?
            }
            Err(e) => return Err(e),
        };
        if in_transaction {
            self.client().batch_execute("RELEASE SAVEPOINT roster_prepare")?;
        }
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

/// The r2d2 manager of `PgConnection`s.
#[derive(Debug, Clone)]
pub struct PgManager {
    config: postgres::Config,
}

impl PgManager {
    pub fn new(config: postgres::Config) -> Self {
        Self { config }
    }
}

impl r2d2::ManageConnection for PgManager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        Ok(PgConnection {
            client: Some(self.config.connect(NoTls)?),
            statements: HashMap::new(),
            in_transaction: false,
        })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        conn.client().simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.in_transaction || conn.client().is_closed()
    }
}

/// A connection as the logic sees it: inside a transaction (`new`), or running single statements in
/// autocommit (`autocommit`).
pub struct PgDb<'a> {
    conn: RefCell<&'a mut PgConnection>,
    in_transaction: bool,
}

impl<'a> PgDb<'a> {
    pub fn new(conn: &'a mut PgConnection) -> Self {
        Self { conn: RefCell::new(conn), in_transaction: true }
    }

    pub fn autocommit(conn: &'a mut PgConnection) -> Self {
        Self { conn: RefCell::new(conn), in_transaction: false }
    }
}

fn read_row(row: &postgres::Row) -> Result<Row, DbError> {
    let decode =
        |i: usize, e: postgres::Error| DbError::new(DbErrorKind::Other, "postgres", format!("column {i}: {e}"));
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = match *ty {
            Type::INT8 => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Value::Int)),
            Type::INT4 => row.try_get::<_, Option<i32>>(i).map(|v| v.map(|n| Value::Int(n.into()))),
            Type::INT2 => row.try_get::<_, Option<i16>>(i).map(|v| v.map(|n| Value::Int(n.into()))),
            Type::BOOL => row.try_get::<_, Option<bool>>(i).map(|v| v.map(Value::Bool)),
            _ => row.try_get::<_, Option<String>>(i).map(|v| v.map(Value::Text)),
        }
        .map_err(|e| decode(i, e))?;
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row::new(values))
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Db for PgDb<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&self, sql: &str, values: &[Value]) -> Result<usize, DbError> {
        let mut conn = self.conn.borrow_mut();
        let stmt = conn.prepare(sql, values, self.in_transaction)?;
        let changed = conn.client().execute(&stmt, &params(values))?;
        Ok(usize::try_from(changed).unwrap_or(usize::MAX))
    }

    fn query(&self, sql: &str, values: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut conn = self.conn.borrow_mut();
        let stmt = conn.prepare(sql, values, self.in_transaction)?;
        let rows = conn.client().query(&stmt, &params(values))?;
        rows.iter().map(read_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::dollar_placeholders;

    #[test]
    fn placeholders_outside_literals_are_rewritten() {
        assert_eq!(
            dollar_placeholders("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND \"?3\" = ?10 -- ?4\nAND d = ?5"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND \"?3\" = $10 -- ?4\nAND d = $5"
        );
        assert_eq!(dollar_placeholders("SELECT ?"), "SELECT ?");
    }
}

//! `Db` for a SQLite connection: statements through rusqlite's statement cache (parsing and planning once per
//! SQL text), values bound and read as SQLite's integers, text and NULLs.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, ToSql};

use crate::sql::{Db, DbError, DbErrorKind, Dialect, Row, Value};

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        let unique = matches!(
            &e,
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == ErrorCode::ConstraintViolation
                    && matches!(
                        f.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    )
        );
        let kind = if unique { DbErrorKind::UniqueViolation } else { DbErrorKind::Other };
        DbError::new(kind, "sqlite", e)
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(n) => ToSqlOutput::Borrowed(ValueRef::Integer(*n)),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        })
    }
}

fn read_row(r: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    let mut values = Vec::with_capacity(columns);
    for i in 0..columns {
        values.push(match r.get_ref(i)? {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(n) => Value::Int(n),
            // Validated as rusqlite's own `String` decoding does (`from_utf8_lossy` costs several times more).
            ValueRef::Text(t) => {
                Value::Text(std::str::from_utf8(t).map_err(|e| rusqlite::Error::Utf8Error(i, e))?.to_owned())
            }
            other => {
                return Err(rusqlite::Error::InvalidColumnType(
                    i,
                    r.as_ref().column_name(i).unwrap_or("?").to_owned(),
                    other.data_type(),
                ))
            }
        });
    }
    Ok(Row::new(values))
}

impl Db for Connection {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&self, sql: &str, params: &[Value]) -> Result<usize, DbError> {
        Ok(self.prepare_cached(sql)?.execute(rusqlite::params_from_iter(params))?)
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let mut stmt = self.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(read_row(r, columns)?);
        }
        Ok(out)
    }

    fn query_opt(&self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        let mut stmt = self.prepare_cached(sql)?;
        let columns = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        Ok(match rows.next()? {
            Some(r) => Some(read_row(r, columns)?),
            None => None,
        })
    }
}

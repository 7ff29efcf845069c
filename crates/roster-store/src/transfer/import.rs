//! Import: one write transaction fed line by line, checked against the summary, then verified by exporting
//! the target again.

use super::*;

/// Where an import reads from.
#[derive(Clone)]
pub struct Input(Source);

#[derive(Clone)]
pub(super) enum Source {
    File(PathBuf),
    /// A stream can be read only once: taken by the first run of the import transaction.
    Stream(Arc<Mutex<Option<Box<dyn Read + Send>>>>),
}

impl Input {
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Self(Source::File(path.into()))
    }

    /// A stream such as stdin. Should the backend run the import transaction a second time (PostgreSQL
    /// does after a lost race, which an import into a fresh database does not meet in practice), that run
    /// fails: the stream cannot be read again.
    pub fn stream(reader: impl Read + Send + 'static) -> Self {
        Self(Source::Stream(Arc::new(Mutex::new(Some(Box::new(reader))))))
    }

    fn open(&self) -> Result<Box<dyn BufRead>, TransferError> {
        match &self.0 {
            Source::File(path) => {
                let file = std::fs::File::open(path)
                    .map_err(|error| TransferError::Input { context: format!("opening {}", path.display()), error })?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
            Source::Stream(stream) => {
                let taken = stream.lock().unwrap_or_else(PoisonError::into_inner).take();
                let reader = taken.ok_or(TransferError::InputConsumed)?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, reader)))
            }
        }
    }
}

/// Import the export `input` holds into the database `backend` runs on, which must hold no instance yet.
/// The rows are inserted in one transaction, committed only when the file is complete and every table's
/// count and checksum match its summary line. After the commit the database is exported again (to nowhere)
/// and its summary compared with the file's: the result is the verified summary.
pub async fn import<B: Backend>(
    backend: &B,
    input: Input,
    progress: Arc<dyn Progress>,
) -> Result<Summary, TransferError> {
    let slot = ErrorSlot::default();
    let work = {
        let slot = slot.clone();
        move |c: &dyn Db| slot.park(load(c, &input, &*progress))
    };
    let expected = slot.take(backend.write(work).await)?;
    let (found, _) = export(backend, io::sink(), Arc::new(NoProgress)).await?;
    verify(&expected, &found)?;
    Ok(found)
}

/// The import transaction: checks, then every row, then the summary.
pub(super) fn load(c: &dyn Db, input: &Input, progress: &dyn Progress) -> Result<Summary, TransferError> {
    if c.query_opt("SELECT 1 FROM instances LIMIT 1", &[])?.is_some() {
        return Err(TransferError::NotEmpty);
    }
    let mut lines = Lines::new(input.open()?);
    let (number, header) = lines.next()?.ok_or(TransferError::Empty)?;
    check_header(number, header, schema_version(c)?)?;
    let mut loader = Loader::new(c, progress);
    let expected = loop {
        let (number, line) = lines.next()?.ok_or(TransferError::Truncated)?;
        match parse_line(number, line)? {
            Parsed::Row { index, values } => loader.add(number, index, values, line)?,
            Parsed::Summary(summary) => break summary,
        }
    };
    if let Some((number, _)) = lines.next()? {
        return Err(format_error(number, "a line after the summary line (two exports concatenated?)"));
    }
    let found = loader.finish()?;
    compare(&expected, &found)?;
    Ok(expected)
}

pub(super) fn format_error(line: u64, message: impl Into<String>) -> TransferError {
    TransferError::Format { line, message: message.into() }
}

/// Lines of the input, one buffer reused, each checked for UTF-8 and length.
pub(super) struct Lines {
    reader: Box<dyn BufRead>,
    buf: String,
    number: u64,
}

impl Lines {
    fn new(reader: Box<dyn BufRead>) -> Self {
        Self { reader, buf: String::new(), number: 0 }
    }

    /// The next line without its terminator (`\n`, or `\r\n` from a tool that converted the file), and its
    /// number counted from 1.
    fn next(&mut self) -> Result<Option<(u64, &str)>, TransferError> {
        self.buf.clear();
        self.number += 1;
        let number = self.number;
        let limit = MAX_LINE_BYTES as u64 + 1;
        let read = self.reader.by_ref().take(limit).read_line(&mut self.buf).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => format_error(number, "not valid UTF-8"),
            _ => TransferError::Input { context: format!("reading line {number}"), error: e },
        })?;
        if read == 0 {
            return Ok(None);
        }
        if read > MAX_LINE_BYTES && !self.buf.ends_with('\n') {
            return Err(format_error(number, format!("longer than {MAX_LINE_BYTES} bytes")));
        }
        let line = self.buf.strip_suffix('\n').unwrap_or(&self.buf);
        Ok(Some((number, line.strip_suffix('\r').unwrap_or(line))))
    }
}

pub(super) fn check_header(number: u64, line: &str, database: i64) -> Result<(), TransferError> {
    let not_header = || format_error(number, "not a Roster export header ({\"roster_export\":1,\"schema_version\":N})");
    let json: Json = serde_json::from_str(line).map_err(|_| not_header())?;
    let (Some(format), Some(file)) =
        (json.get("roster_export").and_then(Json::as_i64), json.get("schema_version").and_then(Json::as_i64))
    else {
        return Err(not_header());
    };
    if format != FORMAT_VERSION {
        return Err(format_error(number, format!("export format {format}; this build reads format {FORMAT_VERSION}")));
    }
    if file != database {
        return Err(TransferError::SchemaVersion { file, database });
    }
    Ok(())
}

/// A line after the header: a row, or the summary.
pub(super) enum Parsed {
    Row { index: usize, values: Vec<Value> },
    Summary(Summary),
}

pub(super) fn parse_line(number: u64, line: &str) -> Result<Parsed, TransferError> {
    let json: Json = serde_json::from_str(line)
        .map_err(|e| format_error(number, format!("not valid JSON ({e}); the file may be damaged")))?;
    let Json::Object(mut object) = json else {
        return Err(format_error(number, "expected a JSON object"));
    };
    let parsed = match object.remove("summary") {
        Some(summary) if object.is_empty() => parse_summary(summary).map(Parsed::Summary),
        Some(_) => Err("unexpected fields beside \"summary\"".to_owned()),
        None => parse_row(object),
    };
    parsed.map_err(|message| format_error(number, message))
}

pub(super) fn parse_row(mut object: Map<String, Json>) -> Result<Parsed, String> {
    let (table, row) = (object.remove("table"), object.remove("row"));
    let (Some(Json::String(name)), Some(Json::Object(row)), true) = (table, row, object.is_empty()) else {
        return Err("expected {\"table\":…,\"row\":{…}} or the summary line".to_owned());
    };
    let index = table_index(&name).ok_or_else(|| format!("unknown table {name:?}"))?;
    let table = &TABLES[index];
    if let Some(unknown) = row.keys().find(|k| !table.columns.iter().any(|c| c.name == k.as_str())) {
        return Err(format!("unknown column {unknown:?} in a row of {}", table.name));
    }
    let values = table
        .columns
        .iter()
        .map(|column| {
            decode_value(column, row.get(column.name)).map_err(|e| format!("{}.{}: {e}", table.name, column.name))
        })
        .collect::<Result<_, _>>()?;
    Ok(Parsed::Row { index, values })
}

pub(super) fn decode_value(column: &Column, json: Option<&Json>) -> Result<Value, String> {
    match (column.kind, json) {
        (_, None) => Err("missing".into()),
        (_, Some(Json::Null)) if column.nullable => Ok(Value::Null),
        (_, Some(Json::Null)) => Err("null, but the column is NOT NULL".into()),
        (Kind::Bool, Some(Json::Bool(b))) => Ok(Value::Bool(*b)),
        (Kind::Int, Some(Json::Number(n))) => {
            n.as_i64().map(Value::Int).ok_or_else(|| format!("{n} is not a 64-bit integer"))
        }
        (Kind::Text, Some(Json::String(s))) => Ok(Value::Text(s.clone())),
        (kind, Some(other)) => Err(format!("expected {kind:?}, found {other}")),
    }
}

pub(super) fn parse_summary(json: Json) -> Result<Summary, String> {
    let Json::Object(mut tables) = json else { return Err("the summary is not an object".into()) };
    if let Some(unknown) = tables.keys().find(|k| table_index(k).is_none()) {
        return Err(format!("unknown table {unknown:?} in the summary"));
    }
    TABLES
        .iter()
        .map(|t| {
            let entry = tables.remove(t.name).ok_or_else(|| format!("the summary lacks table {}", t.name))?;
            let count = entry.get("count").and_then(Json::as_u64);
            let sha256 = entry.get("sha256").and_then(Json::as_str).filter(|s| s.len() == 64 && hex::decode(s).is_ok());
            match (count, sha256) {
                (Some(count), Some(sha256)) => Ok(TableSummary { table: t.name, count, sha256: sha256.to_owned() }),
                _ => Err(format!("the summary of {} needs \"count\" and a hex \"sha256\"", t.name)),
            }
        })
        .collect()
}

/// Inserts rows in multi-row batches of one table at a time, tallying each line as read.
pub(super) struct Loader<'a> {
    c: &'a dyn Db,
    progress: &'a dyn Progress,
    tally: Tally,
    /// The table being loaded; tables must come in `TABLES` order, each once.
    current: Option<usize>,
    params: Vec<Value>,
    rows: usize,
    lines: (u64, u64),
}

impl<'a> Loader<'a> {
    fn new(c: &'a dyn Db, progress: &'a dyn Progress) -> Self {
        Self { c, progress, tally: Tally::new(), current: None, params: Vec::new(), rows: 0, lines: (0, 0) }
    }

    fn add(&mut self, number: u64, index: usize, values: Vec<Value>, line: &str) -> Result<(), TransferError> {
        match self.current {
            Some(current) if index < current => {
                return Err(format_error(
                    number,
                    format!(
                        "a row of {} after rows of {}: tables must come in dependency order",
                        TABLES[index].name, TABLES[current].name
                    ),
                ))
            }
            Some(current) if index == current => {}
            _ => self.switch_to(index)?,
        }
        if self.c.dialect() == Dialect::Postgres {
            check_no_nul(number, &values)?;
        }
        self.tally.add(index, line.as_bytes());
        if self.rows == 0 {
            self.lines.0 = number;
        }
        self.lines.1 = number;
        self.params.extend(values);
        self.rows += 1;
        if self.rows == INSERT_BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn switch_to(&mut self, index: usize) -> Result<(), TransferError> {
        self.flush()?;
        if let Some(previous) = self.current {
            self.progress.finish(TABLES[previous].name, self.tally.count(previous));
        }
        self.current = Some(index);
        self.progress.start(TABLES[index].name, None);
        Ok(())
    }

    fn flush(&mut self) -> Result<(), TransferError> {
        let Some(index) = self.current.filter(|_| self.rows > 0) else { return Ok(()) };
        let table = &TABLES[index];
        self.c.execute(&insert_sql(table, self.rows), &self.params).map_err(|error| TransferError::Insert {
            table: table.name,
            first_line: self.lines.0,
            last_line: self.lines.1,
            error,
        })?;
        self.params.clear();
        self.rows = 0;
        self.progress.advance(table.name, self.tally.count(index));
        Ok(())
    }

    /// The last batch in, identity sequences moved past the loaded rowids; the tally of what was read.
    fn finish(mut self) -> Result<Summary, TransferError> {
        self.flush()?;
        if let Some(current) = self.current {
            self.progress.finish(TABLES[current].name, self.tally.count(current));
        }
        reset_rowid_sequences(self.c)?;
        // The event log starts anew here: every endpoint takes it from its start.
        self.c.execute(
            "INSERT INTO webhook_endpoint_state (endpoint_id, cursor_seq) SELECT id, 0 FROM webhook_endpoints",
            &[],
        )?;
        Ok(self.tally.summary())
    }
}

/// PostgreSQL text cannot hold U+0000 (the driver would substitute it and the verification would fail after
/// the commit): refuse such a row before inserting anything. Roster never stores U+0000 itself.
pub(super) fn check_no_nul(number: u64, values: &[Value]) -> Result<(), TransferError> {
    if values.iter().any(|v| matches!(v, Value::Text(s) if s.contains('\0'))) {
        return Err(format_error(number, "text holding U+0000, which PostgreSQL cannot store"));
    }
    Ok(())
}

pub(super) fn insert_sql(table: &Table, rows: usize) -> String {
    let width = table.columns.len();
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let tuples: Vec<String> = (0..rows)
        .map(|r| {
            let params: Vec<String> = (1..=width).map(|i| format!("?{}", r * width + i)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    format!("INSERT INTO {} ({}) VALUES {}", table.name, columns.join(", "), tuples.join(", "))
}

/// Rows inserted with explicit rowids leave PostgreSQL's identity sequences behind: move each past the largest
/// rowid so the next insert does not collide. SQLite takes max(rowid) + 1 by itself.
pub(super) fn reset_rowid_sequences(c: &dyn Db) -> Result<(), DbError> {
    if c.dialect() != Dialect::Postgres {
        return Ok(());
    }
    for table in TABLES.iter().filter(|t| t.rowid) {
        let name = table.name;
        c.query(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{name}', 'rowid'), coalesce(max(rowid), 0) + 1, false) FROM {name}"
            ),
            &[],
        )?;
    }
    Ok(())
}

/// The rows read against the file's summary, table by table.
pub(super) fn compare(expected: &[TableSummary], found: &[TableSummary]) -> Result<(), TransferError> {
    for (e, f) in expected.iter().zip(found) {
        if e != f {
            return Err(TransferError::Checksum {
                table: e.table,
                count: e.count,
                sha256: e.sha256.clone(),
                found: f.count,
                found_sha256: f.sha256.clone(),
            });
        }
    }
    Ok(())
}

/// The target's export against the file's summary, every table that differs named.
pub(super) fn verify(expected: &[TableSummary], found: &[TableSummary]) -> Result<(), TransferError> {
    let differ: Vec<String> = expected
        .iter()
        .zip(found)
        .filter(|(e, f)| e != f)
        .map(|(e, f)| {
            format!(
                "{}: {} rows expected, {} found, sha256 {} expected, {} found",
                e.table, e.count, f.count, e.sha256, f.sha256
            )
        })
        .collect();
    if differ.is_empty() {
        Ok(())
    } else {
        Err(TransferError::Verification(differ.join("; ")))
    }
}

//! Export: one read snapshot, keyset pages handed through a bounded channel to the writer of the file.

use super::*;

/// What the snapshot hands the output thread.
pub(super) enum Msg {
    Header(Vec<u8>),
    Table {
        index: usize,
        total: u64,
    },
    Rows {
        index: usize,
        lines: Vec<Vec<u8>>,
    },
    /// Every table was read: the output may write the summary. Without it the output writes none, so an
    /// export that failed midway can never pass for a complete one.
    Done,
}

/// Export every row of the database `backend` runs on into `out`, as JSON lines; returns the summary (also
/// written as the last line) and `out`, flushed. One read snapshot: the file is a consistent copy even while
/// servers write to the database.
pub async fn export<B, W>(backend: &B, out: W, progress: Arc<dyn Progress>) -> Result<(Summary, W), TransferError>
where
    B: Backend,
    W: Write + Send + 'static,
{
    export_paged(backend, out, progress, PAGE_ROWS).await
}

pub(super) async fn export_paged<B, W>(
    backend: &B,
    mut out: W,
    progress: Arc<dyn Progress>,
    page_rows: usize,
) -> Result<(Summary, W), TransferError>
where
    B: Backend,
    W: Write + Send + 'static,
{
    let (tx, rx) = sync_channel(CHANNEL_PAGES);
    let slot = ErrorSlot::default();
    let started = Arc::new(AtomicBool::new(false));
    let work = {
        let slot = slot.clone();
        move |c: &dyn Db| slot.park(produce(c, &tx, &started, page_rows))
    };
    let writer = tokio::task::spawn_blocking(move || consume(&rx, &mut out, &*progress).map(|summary| (summary, out)));
    let (produced, written) = tokio::join!(backend.read(work), writer);
    let written = written.map_err(|e| DomainError::Internal(format!("export output thread: {e}")))?;
    match (slot.take(produced), written) {
        // The output failing first makes the snapshot fail too (its pages have nowhere to go): report the cause.
        (_, Err(e @ TransferError::Output(_))) => Err(e),
        (Err(e), _) => Err(e),
        (Ok(()), written) => written,
    }
}

/// The snapshot side: header, then each table page by page, then `Done`.
pub(super) fn produce(
    c: &dyn Db,
    tx: &SyncSender<Msg>,
    started: &AtomicBool,
    page_rows: usize,
) -> Result<(), TransferError> {
    // A backend may run read work again from the start (PostgreSQL after a lost race). The lines already
    // sent cannot be taken back, so a second run fails instead of writing rows twice.
    if started.swap(true, Ordering::SeqCst) {
        return Err(TransferError::Restarted);
    }
    send(tx, Msg::Header(header_line(schema_version(c)?)))?;
    for (index, table) in TABLES.iter().enumerate() {
        let total = c.query_one(&format!("SELECT count(*) FROM {}", table.name), &[])?.get::<i64>(0)?;
        send(tx, Msg::Table { index, total: u64::try_from(total).unwrap_or(0) })?;
        export_table(c, tx, index, page_rows)?;
    }
    send(tx, Msg::Done)
}

pub(super) fn send(tx: &SyncSender<Msg>, msg: Msg) -> Result<(), TransferError> {
    // Fails only when the output thread has stopped, on an error of its own that the caller reports.
    tx.send(msg).map_err(|_| TransferError::Aborted)
}

/// One table, in key order, through keyset pages: each page starts after the last key of the one before, so
/// every query is an index range scan however deep into the table it is.
pub(super) fn export_table(
    c: &dyn Db,
    tx: &SyncSender<Msg>,
    index: usize,
    page_rows: usize,
) -> Result<(), TransferError> {
    let table = &TABLES[index];
    let (first, next) = (select_sql(table, false, page_rows), select_sql(table, true, page_rows));
    let mut after: Option<Vec<Value>> = None;
    loop {
        let rows = match &after {
            None => c.query(&first, &[])?,
            Some(key) => c.query(&next, key)?,
        };
        let Some(last) = rows.last() else { return Ok(()) };
        after = Some(key_of(table, last)?);
        let full = rows.len() == page_rows;
        let lines = rows.into_iter().map(|r| encode_row(table, r)).collect::<Result<Vec<_>, _>>()?;
        send(tx, Msg::Rows { index, lines })?;
        if !full {
            return Ok(());
        }
    }
}

/// The page query. `rowid` is named explicitly: SQLite's implicit rowid is not part of `*`, and on
/// PostgreSQL it is a real column, so the same text serves both.
pub(super) fn select_sql(table: &Table, after: bool, page_rows: usize) -> String {
    let columns: Vec<&str> = table.columns.iter().map(|c| c.name).collect();
    let keys = table.key.join(", ");
    let filter = if after {
        let params: Vec<String> = (1..=table.key.len()).map(|i| format!("?{i}")).collect();
        // A row-value comparison: lexicographic over the key, as ORDER BY sorts (both engines support it).
        format!(" WHERE ({keys}) > ({})", params.join(", "))
    } else {
        String::new()
    };
    format!("SELECT {} FROM {}{filter} ORDER BY {keys} LIMIT {page_rows}", columns.join(", "), table.name)
}

/// The key columns' values of `row`, to start the next page after.
pub(super) fn key_of(table: &Table, row: &Row) -> Result<Vec<Value>, DbError> {
    table
        .key
        .iter()
        .map(|key| {
            let i = table.columns.iter().position(|c| c.name == *key).unwrap_or(usize::MAX);
            match table.columns.get(i).map(|c| c.kind) {
                Some(Kind::Int) => row.get::<i64>(i).map(Value::Int),
                _ => row.get::<String>(i).map(Value::Text),
            }
        })
        .collect()
}

/// `{"table":…,"row":{…}}` with the columns in spec order and each value normalized to its kind.
pub(super) fn encode_row(table: &Table, mut row: Row) -> Result<Vec<u8>, TransferError> {
    let mut line = Vec::with_capacity(256);
    line.extend_from_slice(b"{\"table\":\"");
    line.extend_from_slice(table.name.as_bytes());
    line.extend_from_slice(b"\",\"row\":{");
    for (i, column) in table.columns.iter().enumerate() {
        if i > 0 {
            line.push(b',');
        }
        line.push(b'"');
        line.extend_from_slice(column.name.as_bytes());
        line.extend_from_slice(b"\":");
        encode_value(&mut line, column, &mut row, i)
            .map_err(|e| DbError::new(DbErrorKind::Other, "export", format!("{}.{}: {e}", table.name, column.name)))?;
    }
    line.extend_from_slice(b"}}");
    Ok(line)
}

/// Column `i` of `row` as JSON. Decoding by kind is what normalizes the backends: `bool` reads SQLite's 0/1
/// and PostgreSQL's booleans alike.
pub(super) fn encode_value(line: &mut Vec<u8>, column: &Column, row: &mut Row, i: usize) -> Result<(), String> {
    let present = match column.kind {
        Kind::Bool => row.get::<Option<bool>>(i).map_err(|e| e.to_string())?.map(|b| {
            line.extend_from_slice(if b { b"true" } else { b"false" });
        }),
        Kind::Int => row.get::<Option<i64>>(i).map_err(|e| e.to_string())?.map(|n| {
            line.extend_from_slice(n.to_string().as_bytes());
        }),
        Kind::Text => match row.take::<Option<String>>(i).map_err(|e| e.to_string())? {
            Some(s) => Some(serde_json::to_writer(&mut *line, &s).map_err(|e| e.to_string())?),
            None => None,
        },
    };
    match present {
        Some(()) => Ok(()),
        None if column.nullable => {
            line.extend_from_slice(b"null");
            Ok(())
        }
        None => Err("NULL in a NOT NULL column".into()),
    }
}

/// The output side: writes each line, tallies each table's rows, and writes the summary once told `Done`.
pub(super) fn consume(
    rx: &Receiver<Msg>,
    out: &mut dyn Write,
    progress: &dyn Progress,
) -> Result<Summary, TransferError> {
    let mut tally = Tally::new();
    let mut current: Option<usize> = None;
    let finish = |current: Option<usize>, tally: &Tally| {
        if let Some(index) = current {
            progress.finish(TABLES[index].name, tally.count(index));
        }
    };
    for msg in rx {
        match msg {
            Msg::Header(line) => write_line(out, &line)?,
            Msg::Table { index, total } => {
                finish(current, &tally);
                current = Some(index);
                progress.start(TABLES[index].name, Some(total));
            }
            Msg::Rows { index, lines } => {
                for line in &lines {
                    write_line(out, line)?;
                    tally.add(index, line);
                }
                progress.advance(TABLES[index].name, tally.count(index));
            }
            Msg::Done => {
                finish(current, &tally);
                let summary = tally.summary();
                write_line(out, &summary_line(&summary))?;
                out.flush().map_err(TransferError::Output)?;
                return Ok(summary);
            }
        }
    }
    Err(TransferError::Aborted)
}

pub(super) fn write_line(out: &mut dyn Write, line: &[u8]) -> Result<(), TransferError> {
    out.write_all(line).and_then(|()| out.write_all(b"\n")).map_err(TransferError::Output)
}

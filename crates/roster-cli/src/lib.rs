//! The `roster` command line: `serve`, `migrate`, `check`, `instances`, `keys`, `export`, `import`, and
//! `memberships import`, `webhooks` and `events tail` (through a server's API).
//! Configuration comes from defaults, then `ROSTER_*` environment variables, then flags (clap reads both).
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod memberships;
mod signing;
mod webhooks;

use roster_core::model::Environment;
use roster_core::store::Bootstrap;
use roster_store::sqlite::{Durability, Options};
use roster_store::transfer::{self, Input, NoProgress, Progress, TableSummary};

#[derive(Debug, Parser)]
#[command(name = "roster", version, about = "Clerk-compatible organization memberships, self-hosted")]
pub struct Cli {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub signing: signing::KeyArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct DbArgs {
    /// Database: `sqlite://PATH` (embedded, the default) or `postgres://USER@HOST:PORT/DB` (several Roster
    /// processes may share one PostgreSQL database).
    #[arg(long, global = true, env = "ROSTER_DATABASE_URL", default_value = "sqlite://roster.db")]
    pub database_url: String,
    /// PostgreSQL only: most connections this process holds (requests beyond it wait for one).
    #[arg(long, global = true, env = "ROSTER_DATABASE_POOL_SIZE", default_value_t = 16)]
    pub pool_size: u32,
    /// `full`: every acknowledged write is fsynced (default). `normal`: faster, a power loss may lose the
    /// last writes.
    #[arg(long, global = true, env = "ROSTER_DURABILITY", value_enum, default_value_t = DurabilityArg::Full)]
    pub durability: DurabilityArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DurabilityArg {
    Full,
    Normal,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate,
    /// Check the database, read-only: prints `ok` and exits 0, or prints each problem and exits 1. SQLite:
    /// `PRAGMA integrity_check` and `foreign_key_check` on the file; PostgreSQL: reachable, schema at this
    /// build's version. Safe while servers run on it.
    Check,
    /// Manage instances.
    #[command(subcommand)]
    Instances(InstancesCommand),
    /// Manage secret keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write every row of the database as JSON lines, from one consistent snapshot (safe while servers run).
    /// See docs/export-import.md.
    Export(ExportArgs),
    /// Load an export into a fresh database (no instances yet) in one transaction, then verify every table
    /// against the export's checksums.
    Import(ImportArgs),
    /// Organization memberships through a running server's API.
    #[command(subcommand)]
    Memberships(memberships::MembershipsCommand),
    /// Webhook endpoints through a running server's API.
    #[command(subcommand)]
    Webhooks(webhooks::WebhooksCommand),
    /// The event log through a running server's API.
    #[command(subcommand)]
    Events(webhooks::EventsCommand),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Where to write: a file (written as FILE.partial and renamed once complete), or `-` for stdout.
    #[arg(long, short, default_value = "-")]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The export to load: a file, or `-` for stdin.
    #[arg(long, short)]
    pub input: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Secret key the development instance accepts (stored hashed), instead of a generated one.
    #[arg(long, env = "ROSTER_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "ROSTER_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest body of a bulk membership write, in bytes (500 items with full metadata need about 8.5 MB).
    #[arg(long, env = "ROSTER_MAX_BULK_BODY_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_bulk_body_bytes: usize,
    /// Rate limits: `off`, `clerk` (Clerk's documented limits) or custom values such as
    /// `instance_production=1000/10s,instance_development=100/10s,membership_patch=10/10s`.
    #[arg(long, env = "ROSTER_RATE_LIMITS", default_value = "off")]
    pub rate_limits: roster_server::ratelimit::RateLimits,
    /// How long an `Idempotency-Key` keeps its response for retries (`90m`, `24h`, `168h`); expired
    /// keys are deleted hourly.
    #[arg(long, env = "ROSTER_IDEMPOTENCY_RETENTION", default_value = "24h",
          value_parser = roster_server::ratelimit::parse_duration)]
    pub idempotency_retention: std::time::Duration,
    /// How long a session made by `POST /sessions` lasts before it reads as `expired`.
    #[arg(long, env = "ROSTER_SESSION_LIFETIME", default_value = "168h",
          value_parser = roster_server::ratelimit::parse_duration)]
    pub session_lifetime: std::time::Duration,
    /// The URL clients reach Roster at: the base of SCIM `endpoint_url`s (default: `http://` and the `Host`).
    #[arg(long, env = "ROSTER_PUBLIC_URL")]
    pub public_url: Option<String>,
    #[command(flatten)]
    pub tokens: signing::TokenArgs,
    #[command(flatten)]
    pub webhooks: webhooks::WebhookArgs,
    /// Log format on stderr.
    #[arg(long, env = "ROSTER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum InstancesCommand {
    /// List instances.
    List,
    /// Create an instance and print its first secret key.
    Create {
        #[arg(long, value_enum, default_value_t = EnvArg::Development)]
        environment: EnvArg,
        #[arg(long, default_value = "instance")]
        name: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EnvArg {
    Development,
    Production,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a secret key for an instance and print it once.
    Create {
        #[arg(long)]
        instance: String,
    },
    /// List keys (hints only: secrets are never stored).
    List {
        #[arg(long)]
        instance: Option<String>,
    },
    /// Revoke a key: it is refused from the next request on.
    Revoke { key_id: String },
    /// Rotate an instance's token signing key: the new key is published now and signs after `--grace`; the
    /// current one stays published `--retain` after the switch (keep it above your longest token lifetime).
    Rotate {
        #[arg(long)]
        instance: String,
        #[arg(long, default_value = "1h", value_parser = roster_server::ratelimit::parse_duration)]
        grace: std::time::Duration,
        #[arg(long, default_value = "24h", value_parser = roster_server::ratelimit::parse_duration)]
        retain: std::time::Duration,
    },
}

fn options(db: &DbArgs) -> Options {
    Options {
        durability: match db.durability {
            DurabilityArg::Full => Durability::Full,
            DurabilityArg::Normal => Durability::Normal,
        },
        ..Options::default()
    }
}

fn pg_options(db: &DbArgs) -> roster_store::postgres::Options {
    roster_store::postgres::Options { max_connections: db.pool_size, ..Default::default() }
}

async fn open(db: &DbArgs) -> Result<Arc<dyn roster_core::Store>> {
    roster_store::open(&db.database_url, options(db), pg_options(db))
        .await
        .with_context(|| format!("opening {}", db.database_url))
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve(&cli.db, &cli.signing, *args).await,
        Command::Migrate => {
            open(&cli.db).await?;
            let latest = if roster_store::is_postgres(&cli.db.database_url) {
                roster_store::postgres::latest_schema_version()
            } else {
                roster_store::sqlite::latest_schema_version()
            };
            println!("schema is at version {latest}");
            Ok(())
        }
        Command::Check => {
            let report = roster_store::check(&cli.db.database_url).await?;
            for line in &report {
                println!("{line}");
            }
            if report != ["ok"] {
                bail!("{} found {} problem(s)", cli.db.database_url, report.len());
            }
            Ok(())
        }
        Command::Instances(cmd) => instances(&cli.db, &cli.signing, cmd).await,
        Command::Keys(cmd) => keys(&cli.db, &cli.signing, cmd).await,
        Command::Export(args) => export(&cli.db, args).await,
        Command::Import(args) => import(&cli.db, args).await,
        Command::Memberships(cmd) => memberships::run(cmd).await,
        Command::Webhooks(cmd) => webhooks::webhooks(cmd).await,
        Command::Events(cmd) => webhooks::events(cmd).await,
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ROSTER_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    // A panic is a log line like any other (JSON with ROSTER_LOG_FORMAT=json), inside the request's span
    // when a handler panics, so it carries the `clerk_trace_id` of the 500 the client gets.
    std::panic::set_hook(Box::new(|info| tracing::error!(panic = %info, "panicked")));
}

/// How often `roster serve` deletes expired idempotency keys.
const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

async fn serve(db: &DbArgs, signing: &signing::KeyArgs, args: ServeArgs) -> Result<()> {
    init_logging(args.log_format);
    if let Some(key) = &args.secret_key {
        if roster_core::keys::environment_of(key) != Some(Environment::Development) {
            bail!("ROSTER_SECRET_KEY must be a development key starting with sk_test_");
        }
    }
    let store = open(db).await?;
    let sealer = signing.sealer()?;
    if let Bootstrap::Created { instance, secret_key } = store.bootstrap(args.secret_key.as_deref()).await? {
        match secret_key {
            Some(key) => println!(
                "Created development instance {}.\nIts secret key (shown once, stored hashed):\n\n    {key}\n",
                instance.id
            ),
            None => println!("Created development instance {} for ROSTER_SECRET_KEY.", instance.id),
        }
    }
    if args.webhooks.webhook_url.is_some() {
        let development = store.list_instances().await?.into_iter().find(|i| i.environment == Environment::Development);
        let Some(instance) = development else { bail!("ROSTER_WEBHOOK_URL needs a development instance") };
        webhooks::ensure_endpoint(&store, &sealer, &instance.id, &args.webhooks).await?;
    }
    let listener =
        tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("roster listening on http://{addr}");
    tracing::info!(%addr, database = %db.database_url, "listening");
    let config = roster_server::Config {
        max_body_bytes: args.max_body_bytes,
        max_bulk_body_bytes: args.max_bulk_body_bytes,
        rate_limits: args.rate_limits,
        idempotency_retention: args.idempotency_retention,
        session_lifetime: args.session_lifetime,
        public_url: args.public_url.clone().map(|u| u.trim_end_matches('/').to_owned()),
        tokens: args.tokens.settings(),
        sealer: sealer.clone(),
        webhooks: args.webhooks.settings(),
    };
    if !config.rate_limits.is_off() {
        tracing::info!(rate_limits = %config.rate_limits, "rate limits on");
    }
    let state = roster_server::AppState::new(store.clone(), config);
    let purge = tokio::spawn(roster_server::idempotency::purge_expired(state.clone(), PURGE_EVERY));
    roster_server::serve(listener, state, shutdown_signal()).await?;
    purge.abort();
    if let Err(e) = store.close().await {
        tracing::warn!(error = %e, "closing the store");
    }
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM; the server then drains requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: no new connections, draining requests in flight");
}

async fn instances(db: &DbArgs, signing: &signing::KeyArgs, cmd: InstancesCommand) -> Result<()> {
    let store = open(db).await?;
    match cmd {
        InstancesCommand::List => {
            for i in store.list_instances().await? {
                println!("{}\t{}\t{}", i.id, i.environment.as_str(), i.name);
            }
        }
        InstancesCommand::Create { environment, name } => {
            let env = match environment {
                EnvArg::Development => Environment::Development,
                EnvArg::Production => Environment::Production,
            };
            let instance = store.create_instance(env, &name).await?;
            let (key, secret) = store.create_key(&instance.id, None).await?;
            signing::first_key(&*store, signing.sealer()?, &instance.id).await?;
            println!("{}\t{}\t{}\n{}\t{secret}", instance.id, env.as_str(), instance.name, key.id);
        }
    }
    Ok(())
}

async fn keys(db: &DbArgs, signing: &signing::KeyArgs, cmd: KeysCommand) -> Result<()> {
    let store = open(db).await?;
    match cmd {
        KeysCommand::Create { instance } => {
            let (key, secret) = store.create_key(&roster_core::InstanceId::from(instance), None).await?;
            println!("{}\t{secret}", key.id);
        }
        KeysCommand::List { instance } => {
            for k in store.list_keys(instance.map(roster_core::InstanceId::from).as_ref()).await? {
                let state = if k.revoked_at.is_some() { "revoked" } else { "active" };
                println!("{}\t{}\t{}\t{state}", k.id, k.instance_id, k.hint);
            }
        }
        KeysCommand::Revoke { key_id } => {
            let k = store.revoke_key(&roster_core::KeyId::from(key_id)).await?;
            println!("{}\trevoked", k.id);
        }
        KeysCommand::Rotate { instance, grace, retain } => {
            signing::rotate(&*store, signing.sealer()?, &instance, grace, retain).await?;
        }
    }
    Ok(())
}

/// Progress bars on stderr, one per table as it is reached, each left on screen complete.
#[derive(Default)]
struct Bars {
    current: Mutex<Option<indicatif::ProgressBar>>,
}

impl Bars {
    fn bar(total: Option<u64>) -> indicatif::ProgressBar {
        // The templates are constants: a failure to parse one would be a bug, and a plain bar still works.
        match total {
            Some(total) => indicatif::ProgressBar::new(total).with_style(
                indicatif::ProgressStyle::with_template("{prefix:>16} [{bar:32}] {pos}/{len} rows  {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            ),
            None => indicatif::ProgressBar::new_spinner().with_style(
                indicatif::ProgressStyle::with_template("{prefix:>16} {spinner} {pos} rows  {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            ),
        }
    }
}

impl Progress for Bars {
    fn start(&self, table: &'static str, total: Option<u64>) {
        let bar = Self::bar(total).with_prefix(table);
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(bar);
    }

    fn advance(&self, _table: &'static str, done: u64) {
        if let Some(bar) = self.current.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
            bar.set_position(done);
        }
    }

    fn finish(&self, _table: &'static str, done: u64) {
        if let Some(bar) = self.current.lock().unwrap_or_else(PoisonError::into_inner).take() {
            bar.set_length(done);
            bar.set_position(done);
            bar.finish();
        }
    }
}

/// Bars where a person watches stderr; elsewhere (a pipe, a log file, CI) nothing until the summary lines.
fn progress() -> (Arc<dyn Progress>, bool) {
    if std::io::stderr().is_terminal() {
        (Arc::new(Bars::default()), true)
    } else {
        (Arc::new(NoProgress), false)
    }
}

async fn export(db: &DbArgs, args: ExportArgs) -> Result<()> {
    let (progress, bars) = progress();
    let summary = if args.output == "-" {
        let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
        transfer::export_url(&db.database_url, options(db), pg_options(db), out, progress).await?.0
    } else {
        export_to_file(db, Path::new(&args.output), progress).await?
    };
    if !bars {
        // The bars showed the counts; without them, say what was written (stderr: stdout may be the export).
        for t in &summary {
            eprintln!("{}: {} rows, sha256 {}", t.table, t.count, t.sha256);
        }
    }
    eprintln!("exported {} rows", total_rows(&summary));
    Ok(())
}

/// Export into `path` through `PATH.partial`, renamed once the export is complete and on disk: `path` is
/// only ever a whole export, never the beginning of one.
async fn export_to_file(db: &DbArgs, path: &Path, progress: Arc<dyn Progress>) -> Result<Vec<TableSummary>> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let file = std::fs::File::create(&partial).with_context(|| format!("creating {}", partial.display()))?;
    let out = std::io::BufWriter::with_capacity(1 << 16, file);
    let written = async {
        let (summary, out) = transfer::export_url(&db.database_url, options(db), pg_options(db), out, progress).await?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all().with_context(|| format!("writing {}", partial.display()))?;
        std::fs::rename(&partial, path).with_context(|| format!("renaming to {}", path.display()))?;
        anyhow::Ok(summary)
    }
    .await;
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

async fn import(db: &DbArgs, args: ImportArgs) -> Result<()> {
    let input = if args.input == "-" {
        Input::stream(std::io::stdin())
    } else {
        // Checked before the target is opened: a typo should not leave a new empty SQLite file behind.
        if !Path::new(&args.input).is_file() {
            bail!("{}: no such file", args.input);
        }
        Input::file(&args.input)
    };
    let (progress, _) = progress();
    let summary = transfer::import_url(&db.database_url, options(db), pg_options(db), input, progress).await?;
    let mut err = std::io::stderr().lock();
    for t in &summary {
        let _ = writeln!(err, "{}: {} rows, sha256 ok", t.table, t.count);
    }
    let _ = writeln!(err, "imported and verified {} rows", total_rows(&summary));
    Ok(())
}

fn total_rows(summary: &[TableSummary]) -> u64 {
    summary.iter().map(|t| t.count).sum()
}

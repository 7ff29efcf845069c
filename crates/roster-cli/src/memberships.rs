//! `roster memberships import FILE`: add many members to one organization through a Roster server's API
//! (roster-client's bulk creates, in batches of up to 500), with a progress bar on a terminal. The server
//! checks every item exactly as it checks a single create; each batch carries an idempotency key, so a batch
//! retried after a lost response is not applied twice.

use std::io::{BufRead, IsTerminal};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use roster_client::{
    BulkItemResult, BulkMode, BulkOrganizationMembershipsRequest, Clerk, CreateOrganizationMembershipRequestBody,
    MAX_BULK_ITEMS,
};

#[derive(Debug, Subcommand)]
pub enum MembershipsCommand {
    /// Create the memberships listed in FILE (JSON lines, each the body of a single create:
    /// `{"user_id": "user_...", "role": "org:member", "public_metadata": {...}, "private_metadata": {...}}`),
    /// `-` for stdin. Prints one line per membership that could not be created (its line number and Clerk
    /// error) and a summary; exits 1 when any failed.
    Import(ImportMembershipsArgs),
}

#[derive(Debug, Args)]
pub struct ImportMembershipsArgs {
    /// The JSON-lines file, or `-` for stdin.
    pub file: String,
    /// The organization the users join.
    #[arg(long)]
    pub organization: String,
    /// The server's API base URL.
    #[arg(long, env = "ROSTER_API_URL", default_value = "http://127.0.0.1:8080/v1")]
    pub api_url: String,
    /// A secret key of the organization's instance.
    #[arg(long, env = "CLERK_SECRET_KEY", hide_env_values = true)]
    pub secret_key: String,
    /// Items per request (at most 500).
    #[arg(long, default_value_t = MAX_BULK_ITEMS)]
    pub batch: usize,
    /// Make each batch all or nothing, and stop at the first batch that fails.
    #[arg(long)]
    pub atomic: bool,
}

pub async fn run(cmd: MembershipsCommand) -> Result<()> {
    match cmd {
        MembershipsCommand::Import(args) => import(args).await,
    }
}

/// A line of the file: its number and the body it holds, or why it holds none.
type Line = (usize, std::result::Result<CreateOrganizationMembershipRequestBody, String>);

fn read_lines(file: &str) -> Result<Vec<Line>> {
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(std::fs::File::open(file).with_context(|| format!("opening {file}"))?))
    };
    let mut lines = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("reading {file}"))?;
        if line.trim().is_empty() {
            continue;
        }
        lines.push((i + 1, serde_json::from_str(&line).map_err(|e| format!("not a membership: {e}"))));
    }
    Ok(lines)
}

async fn import(args: ImportMembershipsArgs) -> Result<()> {
    if !(1..=MAX_BULK_ITEMS).contains(&args.batch) {
        bail!("--batch must be between 1 and {MAX_BULK_ITEMS}");
    }
    let lines = read_lines(&args.file)?;
    let clerk = Clerk::builder().secret_key(args.secret_key).server_url(args.api_url).build()?;
    let api = clerk.organization_memberships();
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(lines.len() as u64).with_style(
            indicatif::ProgressStyle::with_template("{prefix:>12} [{bar:32}] {pos}/{len} lines  {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        )
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_prefix("memberships");
    let (mut created, mut failed) = (0usize, Vec::<String>::new());
    for batch in lines.chunks(args.batch) {
        let mut numbers = Vec::with_capacity(batch.len());
        let mut items = Vec::with_capacity(batch.len());
        for (number, body) in batch {
            match body {
                Ok(body) => {
                    numbers.push(*number);
                    items.push(body.clone());
                }
                Err(why) => failed.push(format!("line {number}: {why}")),
            }
        }
        if !items.is_empty() {
            let mode = if args.atomic { BulkMode::Atomic } else { BulkMode::Partial };
            match api.create_bulk(&args.organization, &BulkOrganizationMembershipsRequest { mode, items }).await {
                Ok(result) => {
                    for (number, item) in numbers.iter().zip(&result.data) {
                        match item {
                            BulkItemResult::Membership(_) => created += 1,
                            BulkItemResult::Error(e) => {
                                let first = e.errors.first();
                                let code = first.map_or("", |e| e.code.as_str());
                                let message = first.map_or("", |e| e.long_message.as_str());
                                failed.push(format!("line {number}: {} {code}: {message}", e.status));
                            }
                        }
                    }
                }
                Err(e) => {
                    bar.abandon();
                    report(&failed);
                    let undone = if args.atomic { ", nothing of it was created" } else { "" };
                    bail!("the batch from line {} failed{undone}: {e} ({created} created before it)", numbers[0]);
                }
            }
        }
        bar.inc(batch.len() as u64);
    }
    bar.finish();
    report(&failed);
    eprintln!("created {created} memberships, {} failed", failed.len());
    if !failed.is_empty() {
        bail!("{} of {} lines were not imported", failed.len(), lines.len());
    }
    Ok(())
}

fn report(failed: &[String]) {
    for line in failed {
        eprintln!("{line}");
    }
}

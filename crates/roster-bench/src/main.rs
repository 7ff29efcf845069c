//! `roster-bench`: measures Roster against a hello-world axum ceiling in the same run, so figures are
//! ratios that survive a noisy shared machine. `roster-bench run` starts both servers as child processes,
//! seeds data through the API, runs each workload at each connection count, and prints a table.
#![forbid(unsafe_code)]

mod load;
mod procs;
mod scale;
mod seed;
mod workloads;

use std::time::Duration;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "roster-bench", about = "Roster benchmark harness")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve `GET /hello` -> a small JSON object: the ceiling every figure is compared with.
    Hello {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: std::net::SocketAddr,
    },
    /// Run the suite: hello ceiling and Roster side by side.
    Run(RunArgs),
    /// Footprint and search at scale: seed through the API, then measure resident memory, start-up time on the
    /// existing database, and `query=` latency on a large organization.
    Scale(scale::ScaleArgs),
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The roster binary to measure (build it with --release).
    #[arg(long, default_value = "target/release/roster")]
    pub roster: String,
    /// Connection counts to run each workload at.
    #[arg(long, value_delimiter = ',', default_value = "32,64")]
    pub connections: Vec<usize>,
    /// Length of each measured run.
    #[arg(long, default_value = "5", value_parser = parse_secs)]
    pub duration: Duration,
    /// Organizations to seed (memberships are created across them).
    #[arg(long, default_value_t = 200)]
    pub orgs: usize,
    /// Users to seed.
    #[arg(long, default_value_t = 5000)]
    pub users: usize,
    /// Members of the organization the read workloads use.
    #[arg(long, default_value_t = 2000)]
    pub members: usize,
    /// Extra arguments for `roster serve` (e.g. `--durability normal`).
    #[arg(long, allow_hyphen_values = true)]
    pub roster_arg: Vec<String>,
    /// Also run the suite on PostgreSQL (a fresh schema in this database, dropped afterwards), after SQLite and
    /// beside the same hello ceiling: e.g. `postgres://postgres@127.0.0.1:5432/test`.
    #[arg(long)]
    pub postgres_url: Option<String>,
    /// Run only on PostgreSQL (needs `--postgres-url`).
    #[arg(long, requires = "postgres_url")]
    pub postgres_only: bool,
}

fn parse_secs(s: &str) -> Result<Duration, String> {
    s.trim_end_matches('s').parse::<f64>().map(Duration::from_secs_f64).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Hello { listen } => procs::hello_server(listen).await,
        Command::Run(args) => workloads::run(args).await,
        Command::Scale(args) => scale::run(args).await,
    }
}

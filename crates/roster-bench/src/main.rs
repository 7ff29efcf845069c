//! `roster-bench`: measures Roster against a hello-world axum ceiling in the same run, so figures are
//! ratios that survive a noisy shared machine. `roster-bench run` starts both servers as child processes,
//! seeds data through the API, runs each workload at each connection count, and prints a table.
#![forbid(unsafe_code)]

mod bulk;
mod common;
mod load;
mod procs;
mod scale;
mod scim;
mod seed;
mod tokens;
mod webhooks;
mod workloads;

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
    Run(workloads::RunArgs),
    /// Footprint and search at scale: seed through the API, then measure resident memory, start-up time on the
    /// existing database, and `query=` latency on a large organization.
    Scale(scale::ScaleArgs),
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Hello { listen } => procs::hello_server(listen).await,
        Command::Run(args) => workloads::run(args).await,
        Command::Scale(args) => scale::run(args).await,
    }
}

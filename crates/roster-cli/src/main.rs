//! The `roster` binary: parses flags and hands over to `roster_cli`.
#![forbid(unsafe_code)]

use clap::Parser;

/// mimalloc: the server allocates many small, short-lived buffers across threads, where glibc's malloc
/// showed up at over 10% of CPU in profiles (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = roster_cli::Cli::parse();
    match roster_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("roster: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

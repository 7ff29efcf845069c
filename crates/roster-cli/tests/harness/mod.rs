//! Shared by the tests of the real binary (`logs`, `crash`, `drain`, `multinode`, `transfer`): the `roster`
//! binary on a database, its stderr captured line by line while it runs. `webhooks` and `load` serve the webhook
//! tests (`webhooks_crash`, `webhooks_multinode`).
#![allow(dead_code)]

pub mod load;
pub mod webhooks;

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

pub use roster_testkit::Api;

pub const BIN: &str = env!("CARGO_BIN_EXE_roster");

/// `roster` on the SQLite file `db`, with nothing inherited from the caller's `ROSTER_*` environment.
pub fn roster(db: &Path) -> Command {
    roster_at(&format!("sqlite://{}", db.display()))
}

/// `roster` on the database `url` (SQLite or PostgreSQL), with nothing inherited from the caller's `ROSTER_*`
/// environment.
pub fn roster_at(url: &str) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_remove("ROSTER_SECRET_KEY")
        .env_remove("ROSTER_LISTEN_ADDR")
        .env_remove("ROSTER_LOG_FORMAT")
        .env_remove("ROSTER_RATE_LIMITS")
        .env_remove("RUST_LOG")
        .env("ROSTER_DATABASE_URL", url)
        .env("ROSTER_LOG", "warn")
        .kill_on_drop(true);
    cmd
}

/// A running `roster serve`.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub origin: String,
    /// What it printed on stdout up to and including the line saying it listens (the first start's key).
    pub printed: Vec<String>,
    pub logs: Logs,
}

/// The server's stderr, line by line, as it comes.
pub struct Logs {
    rx: mpsc::UnboundedReceiver<String>,
    /// Every line received so far.
    pub lines: Vec<String>,
}

impl Logs {
    /// Wait (at most `within`) until `count` lines received so far contain `needle`.
    pub async fn wait_for(&mut self, needle: &str, count: usize, within: Duration) {
        let deadline = tokio::time::Instant::now() + within;
        while self.lines.iter().filter(|l| l.contains(needle)).count() < count {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(line)) => self.lines.push(line),
                Ok(None) => panic!("roster's stderr closed before {count} lines with {needle:?}: {:#?}", self.lines),
                Err(_) => panic!("no {count} lines with {needle:?} within {within:?}: {:#?}", self.lines),
            }
        }
    }

    /// Every line up to the end of stderr (the process has exited or is exiting).
    pub async fn drain(&mut self, within: Duration) -> &[String] {
        let deadline = tokio::time::Instant::now() + within;
        while let Ok(Some(line)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            self.lines.push(line);
        }
        &self.lines
    }
}

/// Start `roster serve` on an ephemeral port; returns once it prints that it is listening.
pub async fn serve(mut cmd: Command) -> Server {
    let mut child = cmd
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn roster");
    let (tx, rx) = mpsc::unbounded_channel();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    tokio::spawn(async move {
        while let Ok(Some(line)) = stderr.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut printed = Vec::new();
    let mut logs = Logs { rx, lines: Vec::new() };
    while let Some(line) = stdout.next_line().await.unwrap() {
        if let Some(origin) = line.strip_prefix("roster listening on ") {
            let origin = origin.to_owned();
            printed.push(line);
            // Keep reading stdout so that the server never writes into a closed pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
            return Server { child, origin, printed, logs };
        }
        printed.push(line);
    }
    let stderr = logs.drain(Duration::from_secs(5)).await.join("\n");
    panic!("roster exited before listening: {printed:?}\nits stderr:\n{stderr}");
}

impl Server {
    /// Its `/v1` base URL.
    pub fn base(&self) -> String {
        format!("{}/v1", self.origin)
    }

    /// A client of this server authenticated with `key`.
    pub fn api(&self, key: &str) -> Api {
        Api::new(self.base(), key)
    }

    pub fn pid(&self) -> String {
        self.child.id().expect("roster is running").to_string()
    }

    /// Send a signal (`TERM`, `KILL`) with `kill`, as an operator or an orchestrator would.
    pub fn signal(&self, name: &str) {
        let status = std::process::Command::new("kill").args([&format!("-{name}"), &self.pid()]).status().unwrap();
        assert!(status.success(), "kill -{name} failed");
    }

    /// Wait (at most `within`) for the process to exit.
    pub async fn exit(&mut self, within: Duration) -> std::process::ExitStatus {
        tokio::time::timeout(within, self.child.wait()).await.expect("roster exits in time").unwrap()
    }
}

/// Run a `roster` subcommand to completion: (status, stdout, stderr).
pub async fn run(mut cmd: Command, args: &[&str]) -> (std::process::ExitStatus, String, String) {
    let out = cmd.args(args).output().await.unwrap();
    (out.status, String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// A random suffix for keys and names.
pub fn random_hex() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}", nanos, std::process::id())
}

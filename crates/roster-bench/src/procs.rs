//! Child processes of a run (the hello ceiling, Roster) and the hello server itself.

use std::process::Stdio;

use anyhow::{bail, Context, Result};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A child server and the base URL it printed.
pub struct Proc {
    /// Held so the child lives as long as this value (it is killed on drop).
    _child: Child,
    pub base: String,
    pub pid: Option<u32>,
}

impl Proc {
    /// Stop the child with SIGTERM and wait for it to exit (a graceful stop, as an operator's restart).
    pub async fn stop(mut self) -> Result<()> {
        if let Some(pid) = self.pid {
            tokio::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().await?;
        }
        self._child.wait().await?;
        Ok(())
    }

    /// Kill the child with SIGKILL, as a crash or a power loss would stop it, and wait for it to be gone.
    pub async fn kill(mut self) -> Result<()> {
        if let Some(pid) = self.pid {
            tokio::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status().await?;
        }
        self._child.wait().await?;
        Ok(())
    }

    /// Resident memory of the child, from /proc (Linux).
    pub fn rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }

    /// CPU time (user + system) the child has used so far, from /proc (Linux); `None` elsewhere.
    pub fn cpu_time(&self) -> Option<std::time::Duration> {
        cpu_time_of(self.pid?)
    }
}

/// CPU time (user + system) process `pid` has used so far, from /proc (Linux); `None` elsewhere.
pub fn cpu_time_of(pid: u32) -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    // The kernel reports clock ticks; USER_HZ is 100 on Linux.
    Some(std::time::Duration::from_millis((utime + stime) * 10))
}

/// Start `cmd`, wait for the line `<prefix>http://addr`, return the child and the address.
pub async fn start(mut cmd: Command, prefix: &str) -> Result<Proc> {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).kill_on_drop(true).spawn().context("spawn")?;
    let mut lines = BufReader::new(child.stdout.take().context("stdout")?).lines();
    while let Some(line) = lines.next_line().await? {
        if let Some(addr) = line.strip_prefix(prefix) {
            let base = addr.trim().to_owned();
            // Keep draining stdout so the child never blocks on a full pipe.
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            let pid = child.id();
            return Ok(Proc { _child: child, base, pid });
        }
    }
    bail!("child exited before announcing its address")
}

pub async fn hello_server(listen: std::net::SocketAddr) -> Result<()> {
    use axum::routing::get;
    let app = axum::Router::new().route(
        "/hello",
        get(|| async { axum::Json(serde_json::json!({"object": "hello", "id": "hello_1", "ok": true})) }),
    );
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("hello listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

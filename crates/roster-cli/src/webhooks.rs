//! Webhooks at the command line: the delivery settings of `roster serve` (`ROSTER_WEBHOOK_*`,
//! `ROSTER_EVENT_RETENTION`), the zero-setup development endpoint (`ROSTER_WEBHOOK_URL` and
//! `ROSTER_WEBHOOK_SECRET`), and `roster webhooks …` / `roster events tail` through a server's API.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use roster_core::query::Pagination;
use roster_core::webhooks::{NewEndpoint, RetryPolicy, SecretRotation};
use roster_core::{InstanceId, Store};
use roster_server::webhooks::{parse_schedule, secret_aad, secret_key, WebhookSettings};

/// Delivery settings of `roster serve`.
#[derive(Debug, Args)]
pub struct WebhookArgs {
    /// Deliver every event of the development instance to this URL (created as an endpoint on start, kept
    /// across restarts).
    #[arg(long, env = "ROSTER_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// The `whsec_…` secret that endpoint signs with (default: a new one, printed once).
    #[arg(long, env = "ROSTER_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// Waits before each retry of a failed delivery, comma-separated, or `none` (default: Svix's 5s, 5m,
    /// 30m, 2h, 5h, 10h, 10h).
    #[arg(long, env = "ROSTER_WEBHOOK_RETRY_SCHEDULE", value_parser = schedule)]
    pub webhook_retry_schedule: Option<Schedule>,
    /// How long one delivery request may take.
    #[arg(long, env = "ROSTER_WEBHOOK_TIMEOUT", default_value = "15s",
          value_parser = roster_server::ratelimit::parse_duration)]
    pub webhook_timeout: Duration,
    /// An endpoint with no successful delivery for this long while its deliveries fail is disabled.
    #[arg(long, env = "ROSTER_WEBHOOK_DISABLE_AFTER", default_value = "5d",
          value_parser = roster_server::ratelimit::parse_duration)]
    pub webhook_disable_after: Duration,
    /// How long events (and their delivery records) are kept.
    #[arg(long, env = "ROSTER_EVENT_RETENTION", default_value = "30d",
          value_parser = roster_server::ratelimit::parse_duration)]
    pub event_retention: Duration,
}

/// The waits of a retry schedule, in milliseconds (one flag value, however many waits it lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub Vec<i64>);

fn schedule(text: &str) -> Result<Schedule, String> {
    parse_schedule(text).map(Schedule)
}

impl WebhookArgs {
    pub fn settings(&self) -> WebhookSettings {
        let schedule_ms = match &self.webhook_retry_schedule {
            Some(Schedule(waits)) => waits.clone(),
            None => RetryPolicy::SVIX_SCHEDULE_MS.to_vec(),
        };
        let disable_after_ms = i64::try_from(self.webhook_disable_after.as_millis()).unwrap_or(i64::MAX);
        WebhookSettings {
            policy: RetryPolicy { schedule_ms, disable_after_ms },
            timeout: self.webhook_timeout,
            retention: self.event_retention,
            ..WebhookSettings::default()
        }
    }
}

/// Make sure the development instance has an endpoint for `ROSTER_WEBHOOK_URL` that signs with
/// `ROSTER_WEBHOOK_SECRET` (or a new secret, printed once).
pub async fn ensure_endpoint(
    store: &Arc<dyn Store>,
    sealer: &roster_jwt::Sealer,
    instance: &InstanceId,
    args: &WebhookArgs,
) -> Result<()> {
    let Some(url) = &args.webhook_url else { return Ok(()) };
    let url = roster_server::webhooks::checked_url(url)
        .map_err(|_| anyhow::anyhow!("ROSTER_WEBHOOK_URL: {url} is not an http(s) URL"))?;
    if let Some(secret) = &args.webhook_secret {
        if secret_key(secret).is_none() {
            bail!("ROSTER_WEBHOOK_SECRET must be whsec_ followed by 16 to 64 bytes in base64");
        }
    }
    let existing = store
        .list_webhook_endpoints(instance, Pagination { limit: 500, offset: 0 })
        .await?
        .data
        .into_iter()
        .find(|e| e.url == url);
    let now = roster_core::now_millis();
    match (existing, &args.webhook_secret) {
        (Some(endpoint), Some(secret)) => {
            let current = store.webhook_secrets(instance, &endpoint.id, now).await?;
            let same = current.first().and_then(|s| sealer.open(s, &secret_aad(&endpoint.id)).ok());
            if same.as_deref() != Some(secret.as_bytes()) {
                let rotation = SecretRotation {
                    secret: sealer.seal(secret.as_bytes(), &secret_aad(&endpoint.id)),
                    previous_valid_until: now,
                };
                store.rotate_webhook_secret(instance, &endpoint.id, rotation).await?;
            }
            println!("Delivering events to {url} (endpoint {}).", endpoint.id);
        }
        (Some(endpoint), None) => println!("Delivering events to {url} (endpoint {}).", endpoint.id),
        (None, secret) => {
            let secret = secret.clone().unwrap_or_else(roster_server::webhooks::new_secret);
            let id = roster_core::ids::new_id(roster_core::ids::prefix::WEBHOOK_ENDPOINT);
            let new = NewEndpoint {
                secret: sealer.seal(secret.as_bytes(), &secret_aad(&id)),
                id,
                url: url.clone(),
                description: "ROSTER_WEBHOOK_URL".into(),
                event_types: Vec::new(),
            };
            let endpoint = store.create_webhook_endpoint(instance, new).await?;
            if args.webhook_secret.is_some() {
                println!("Delivering events to {url} (endpoint {}).", endpoint.id);
            } else {
                println!(
                    "Delivering events to {url} (endpoint {}), signed with (shown once):\n\n    {secret}\n",
                    endpoint.id
                );
            }
        }
    }
    Ok(())
}

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Add an endpoint and print its secret (shown once).
    Add {
        url: String,
        /// Only these event types (repeat the flag, or comma-separate); default: every type.
        #[arg(long = "event-type")]
        event_types: Vec<String>,
        #[arg(long, default_value = "")]
        description: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// List endpoints.
    List {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Send a signed test request to an endpoint and print what it answered.
    Test {
        endpoint_id: String,
        #[command(flatten)]
        api: ApiArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Print events as JSON lines as they are written, from `--after` (an event id) or from now.
    Tail {
        #[arg(long)]
        after: Option<String>,
        /// Only these event types (comma-separated).
        #[arg(long)]
        types: Option<String>,
        /// Stop after this many events.
        #[arg(long)]
        limit: Option<u64>,
        #[command(flatten)]
        api: ApiArgs,
    },
}

/// Where the server is and the key to use.
#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The server's API base URL.
    #[arg(long, env = "ROSTER_API_URL", default_value = "http://127.0.0.1:8080/v1")]
    pub api_url: String,
    /// A secret key of the instance.
    #[arg(long, env = "CLERK_SECRET_KEY", hide_env_values = true)]
    pub secret_key: String,
}

impl ApiArgs {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Result<serde_json::Value> {
        let url = format!("{}{path}", self.api_url.trim_end_matches('/'));
        let mut request = reqwest::Client::new().request(method, &url).bearer_auth(&self.secret_key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| format!("calling {url}"))?;
        let status = response.status();
        let value: serde_json::Value = response.json().await.with_context(|| format!("reading the answer of {url}"))?;
        if !status.is_success() {
            bail!("{url} answered {status}: {value}");
        }
        Ok(value)
    }
}

pub async fn webhooks(cmd: WebhooksCommand) -> Result<()> {
    match cmd {
        WebhooksCommand::Add { url, event_types, description, api } => {
            let types: Vec<String> = event_types
                .iter()
                .flat_map(|t| t.split(','))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            let body = serde_json::json!({"url": url, "event_types": types, "description": description});
            let endpoint = api.call(reqwest::Method::POST, "/webhook_endpoints", Some(body)).await?;
            println!(
                "{}\t{}",
                endpoint["id"].as_str().unwrap_or_default(),
                endpoint["url"].as_str().unwrap_or_default()
            );
            println!("secret (shown once): {}", endpoint["secret"].as_str().unwrap_or_default());
        }
        WebhooksCommand::List { api } => {
            let list = api.call(reqwest::Method::GET, "/webhook_endpoints?limit=500", None).await?;
            for e in list["data"].as_array().into_iter().flatten() {
                let state = if e["disabled"].as_bool() == Some(true) {
                    format!("disabled ({})", e["disabled_reason"].as_str().unwrap_or("manual"))
                } else {
                    "enabled".to_owned()
                };
                let types: Vec<&str> =
                    e["event_types"].as_array().into_iter().flatten().filter_map(|t| t.as_str()).collect();
                let types = if types.is_empty() { "*".to_owned() } else { types.join(",") };
                println!(
                    "{}\t{}\t{state}\t{types}",
                    e["id"].as_str().unwrap_or_default(),
                    e["url"].as_str().unwrap_or_default()
                );
            }
        }
        WebhooksCommand::Test { endpoint_id, api } => {
            let outcome =
                api.call(reqwest::Method::POST, &format!("/webhook_endpoints/{endpoint_id}/test"), None).await?;
            println!("{outcome}");
            if outcome["succeeded"].as_bool() != Some(true) {
                bail!("the endpoint did not accept the test request");
            }
        }
    }
    Ok(())
}

pub async fn events(cmd: EventsCommand) -> Result<()> {
    let EventsCommand::Tail { after, types, limit, api } = cmd;
    let mut cursor = match after {
        Some(id) => id,
        // From now: the newest event's id, found by paging to the end.
        None => newest(&api).await?,
    };
    let mut printed = 0u64;
    loop {
        let mut path = format!("/events?limit=500&after={cursor}");
        if let Some(types) = &types {
            path.push_str(&format!("&types={types}"));
        }
        let page = api.call(reqwest::Method::GET, &path, None).await?;
        let data = page["data"].as_array().cloned().unwrap_or_default();
        for event in &data {
            println!("{event}");
            cursor = event["id"].as_str().unwrap_or_default().to_owned();
            printed += 1;
            if limit.is_some_and(|l| printed >= l) {
                return Ok(());
            }
        }
        if page["has_more"].as_bool() != Some(true) {
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// The id of the instance's newest event (`evt_00000000000` when there is none).
async fn newest(api: &ApiArgs) -> Result<String> {
    let mut cursor = roster_core::events::event_id(0);
    loop {
        let page = api.call(reqwest::Method::GET, &format!("/events?limit=500&after={cursor}"), None).await?;
        if let Some(last) = page["data"].as_array().and_then(|d| d.last()) {
            cursor = last["id"].as_str().unwrap_or_default().to_owned();
        }
        if page["has_more"].as_bool() != Some(true) {
            return Ok(cursor);
        }
    }
}

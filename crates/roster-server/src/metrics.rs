//! The process's Prometheus metrics: HTTP requests by method, route template and status, their latency, the
//! requests in flight (recorded by the `observe` layer), and the store's own counters and gauges, read on each
//! scrape of `GET /metrics`.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::{Registry, Unit};

use roster_core::Store;

/// Delivery lag buckets, in seconds: from tens of milliseconds to the retry schedule's hours.
const LAG_BUCKETS: [f64; 12] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0, 600.0, 3600.0];

/// Request latency buckets, in seconds.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: &'static str,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    route: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AttemptLabels {
    outcome: &'static str,
}

/// The process's metrics registry: HTTP metrics recorded by the layer, store metrics read on each scrape.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    in_flight: Gauge,
    webhook_attempts: Family<AttemptLabels, Counter>,
    webhook_lag: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let mut registry = Registry::with_prefix("roster");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        registry.register_with_unit(
            "http_request_duration",
            "Time from request head to response head, by method and route template",
            Unit::Seconds,
            latency.clone(),
        );
        let in_flight = Gauge::default();
        registry.register("http_requests_in_flight", "HTTP requests being handled now", in_flight.clone());
        let webhook_attempts = Family::<AttemptLabels, Counter>::default();
        registry.register(
            "webhook_attempts",
            "Webhook delivery attempts made by this node, by outcome (succeeded, failed)",
            webhook_attempts.clone(),
        );
        let webhook_lag = Histogram::new(LAG_BUCKETS);
        registry.register_with_unit(
            "webhook_delivery_lag",
            "Time from a write to the successful delivery of its event, on this node",
            Unit::Seconds,
            webhook_lag.clone(),
        );
        registry.register_collector(Box::new(StoreCollector(store)));
        Self { registry, requests, latency, in_flight, webhook_attempts, webhook_lag }
    }

    /// A delivery succeeded `lag` after its write.
    pub(crate) fn webhook_delivered(&self, lag: Duration) {
        self.webhook_lag.observe(lag.as_secs_f64());
    }

    /// Count one webhook delivery attempt.
    pub(crate) fn webhook_attempt(&self, succeeded: bool) {
        let outcome = if succeeded { "succeeded" } else { "failed" };
        self.webhook_attempts.get_or_create(&AttemptLabels { outcome }).inc();
    }

    /// Count a request in flight until the guard is dropped (when it completes or its client goes away).
    pub(crate) fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// Everything in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "encoding metrics");
        }
        out
    }

    pub(crate) fn record(&self, method: &'static str, route: &str, status: u16, elapsed: Duration) {
        self.requests.get_or_create(&RequestLabels { method, route: route.to_owned(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route: route.to_owned() }).observe(elapsed.as_secs_f64());
    }
}

/// Reads `Store::stats` on each scrape.
struct StoreCollector(Arc<dyn Store>);

impl std::fmt::Debug for StoreCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreCollector")
    }
}

/// A histogram whose buckets someone else counted: `(upper bound, count in that bucket alone)`.
#[derive(Debug)]
struct ConstHistogram {
    sum: f64,
    count: u64,
    buckets: Vec<(f64, u64)>,
}

impl EncodeMetric for ConstHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_histogram::<NoLabelSet>(self.sum, self.count, &self.buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        MetricType::Histogram
    }
}

impl prometheus_client::collector::Collector for StoreCollector {
    fn encode(&self, mut encoder: prometheus_client::encoding::DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.0.stats();
        let counters = [
            ("store_write_batches", "Write transactions (group-commit batches) run", stats.write_batches),
            ("store_write_requests", "Write requests run in batches", stats.write_requests),
        ];
        for (name, help, value) in counters {
            if let Some(v) = value {
                let metric = ConstCounter::new(v);
                metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)?;
            }
        }
        let gauges = [
            ("store_write_batch_largest", "The most write requests one batch carried", stats.largest_write_batch),
            ("store_write_queue", "Write requests waiting for the writer", stats.queued_writes),
            ("store_read_connections", "Read connections open (idle or in use)", stats.read_connections.map(u64::from)),
            ("store_read_connections_idle", "Read connections idle", stats.idle_read_connections.map(u64::from)),
            (
                "store_read_connections_max",
                "Most read connections the pool opens",
                stats.max_read_connections.map(u64::from),
            ),
        ];
        for (name, help, value) in gauges {
            if let Some(v) = value {
                let metric = ConstGauge::new(i64::try_from(v).unwrap_or(i64::MAX));
                metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)?;
            }
        }
        if let Some(sizes) = stats.write_batch_sizes {
            let mut buckets: Vec<(f64, u64)> = sizes.iter().map(|&(bound, n)| (bound as f64, n)).collect();
            buckets.push((f64::INFINITY, 0));
            let count = sizes.iter().map(|&(_, n)| n).sum();
            let sum = stats.write_requests.unwrap_or_default() as f64;
            let metric = ConstHistogram { sum, count, buckets };
            let help = "Write requests per group-commit batch";
            metric.encode(encoder.encode_descriptor("store_write_batch_size", help, None, metric.metric_type())?)?;
        }
        Ok(())
    }
}

/// Counts the request as in flight until it completes or its client goes away.
pub(crate) struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

import CoreMetrics
import Metrics
import Prometheus

/// The API's Prometheus metrics, kept in a registry of its own (no global bootstrap), written with swift-metrics.
///
/// - `cairn_http_requests_total{table, operation, status}`: requests answered.
/// - `cairn_http_request_duration_seconds{table, operation}`: latency histogram.
/// - `cairn_hints_pending`, `cairn_transfers_active`, `cairn_transfer_keys_sent`, `cairn_storage_errors`: gauges
///   set from the node's status each time `/metrics` is read.
///
/// The `table` label is empty for requests about no table, and `_unknown` until the node has shown it knows
/// the table (see `Measured`), so bad requests cannot grow the label set.
public final class HTTPMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    public static let unknownTableLabel = "_unknown"

    public init() {
        registry = PrometheusCollectorRegistry()
        factory = PrometheusMetricsFactory(registry: registry)
    }

    func recordRequest(table: String, operation: String, status: Int, duration: Duration) {
        CoreMetrics.Counter(
            label: "cairn_http_requests_total",
            dimensions: [("table", table), ("operation", operation), ("status", String(status))], factory: factory
        ).increment()
        Metrics.Timer(
            label: "cairn_http_request_duration_seconds", dimensions: [("table", table), ("operation", operation)],
            factory: factory
        ).recordNanoseconds(duration.nanoseconds)
    }

    func recordNodeGauges(_ status: NodeStatus) {
        gauge("cairn_hints_pending").record(status.hintsPending)
        gauge("cairn_transfers_active").record(status.transfers.count)
        gauge("cairn_transfer_keys_sent").record(status.transfers.reduce(0) { $0 + $1.keysSent })
        gauge("cairn_storage_errors").record(status.storageErrors)
    }

    /// Every metric in Prometheus text format 0.0.4.
    public func exposition() -> String {
        registry.emitToString()
    }

    private func gauge(_ label: String) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: label, dimensions: [], factory: factory)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

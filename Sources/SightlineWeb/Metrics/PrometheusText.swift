import Foundation
import SightlineCore
import SightlineStore

/// Writes `/metrics` in the Prometheus text exposition format (version 0.0.4).
struct PrometheusText {
    private(set) var text = ""

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    mutating func family(_ name: String, type: String, help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, String(value))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        sample(name, labels, Self.format(value))
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// The whole exposition: the flow counters, the recorder's counters and the store's size.
    static func render(metrics: FlowMetrics.State, recorder: RecorderStats?, storedFlows: Int?) -> String {
        var out = PrometheusText()
        out.family("sightline_flows_total", type: "counter", help: "Flows recorded since start, by provider and HTTP status (none: no response).")
        for (key, n) in metrics.flows.sorted(by: { ($0.key.provider, $0.key.status) < ($1.key.provider, $1.key.status) }) {
            out.sample("sightline_flows_total", [("provider", key.provider), ("status", key.status)], n)
        }
        func perProvider(_ name: String, _ type: String, _ help: String, _ values: [String: Int]) {
            out.family(name, type: type, help: help)
            for (provider, n) in values.sorted(by: { $0.key < $1.key }) { out.sample(name, [("provider", provider)], n) }
        }
        perProvider("sightline_request_bytes_total", "counter", "Request body bytes relayed, by provider.", metrics.requestBytes)
        perProvider("sightline_response_bytes_total", "counter", "Response body bytes relayed, by provider.", metrics.responseBytes)
        perProvider("sightline_upstream_errors_total", "counter",
                    "Flows the upstream failed (error kinds upstream_*: refused, DNS, TLS, reset, timeout, protocol), by provider.",
                    metrics.upstreamErrors)
        out.family("sightline_flow_errors_total", type: "counter",
                   help: "Flows that ended in an error, by kind (the API's error_kind; unknown: an error recorded without one).")
        // Every kind from the start, at 0 until it happens, so that rate() sees the first one.
        for kind in FlowErrorKind.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            out.sample("sightline_flow_errors_total", [("kind", kind.rawValue)], metrics.errorsByKind[kind] ?? 0)
        }
        if metrics.errorsWithoutKind > 0 {
            out.sample("sightline_flow_errors_total", [("kind", "unknown")], metrics.errorsWithoutKind)
        }
        perProvider("sightline_input_tokens_total", "counter", "Input tokens reported by providers.", metrics.inputTokens)
        perProvider("sightline_output_tokens_total", "counter", "Output tokens reported by providers.", metrics.outputTokens)
        out.family("sightline_cost_usd_total", type: "counter", help: "Estimated cost in US dollars of priced calls.")
        for (provider, cost) in metrics.costUSD.sorted(by: { $0.key < $1.key }) {
            out.sample("sightline_cost_usd_total", [("provider", provider)], NSDecimalNumber(decimal: cost).doubleValue)
        }
        out.family("sightline_flow_duration_seconds", type: "histogram", help: "Time from the request to the response's last byte.")
        for (provider, h) in metrics.latency.sorted(by: { $0.key < $1.key }) {
            var cumulative = 0
            for (i, bound) in FlowMetrics.latencyBuckets.enumerated() {
                cumulative += h.counts[i]
                out.sample("sightline_flow_duration_seconds_bucket", [("provider", provider), ("le", format(bound))], cumulative)
            }
            cumulative += h.counts[FlowMetrics.latencyBuckets.count]
            out.sample("sightline_flow_duration_seconds_bucket", [("provider", provider), ("le", "+Inf")], cumulative)
            out.sample("sightline_flow_duration_seconds_sum", [("provider", provider)], h.sum)
            out.sample("sightline_flow_duration_seconds_count", [("provider", provider)], h.count)
        }
        if let recorder {
            out.family("sightline_recorder_queue_depth", type: "gauge", help: "Captures waiting to be written to the store.")
            out.sample("sightline_recorder_queue_depth", [], recorder.queued)
            out.family("sightline_recorder_spooled", type: "gauge", help: "Captures waiting in the spool file for the writer to catch up.")
            out.sample("sightline_recorder_spooled", [], recorder.spooled)
            out.family("sightline_recorder_recorded_total", type: "counter", help: "Flows written to the store.")
            out.sample("sightline_recorder_recorded_total", [], recorder.recorded)
            out.family("sightline_recorder_dropped_total", type: "counter", help: "Captures dropped: the recorder queue was full and the spool could not take them.")
            out.sample("sightline_recorder_dropped_total", [], recorder.dropped)
            out.family("sightline_recorder_write_errors_total", type: "counter", help: "Failed store write attempts.")
            out.sample("sightline_recorder_write_errors_total", [], recorder.writeErrors)
            out.family("sightline_recorder_lost_total", type: "counter", help: "Flows given up after repeated write failures.")
            out.sample("sightline_recorder_lost_total", [], recorder.lost)
            out.family("sightline_recorder_pruned_total", type: "counter", help: "Flows deleted by retention.")
            out.sample("sightline_recorder_pruned_total", [], recorder.pruned)
        }
        if let storedFlows {
            out.family("sightline_stored_flows", type: "gauge", help: "Flows in the store.")
            out.sample("sightline_stored_flows", [], storedFlows)
        }
        return out.text
    }
}

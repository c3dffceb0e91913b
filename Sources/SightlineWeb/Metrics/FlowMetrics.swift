import Foundation
import SightlineCore
import SightlineStore
import Synchronization

/// Counters for `/metrics`, fed by the recorder's live feed of inserted flows: counted since this
/// process started, as Prometheus counters are. The feed drops the oldest summaries for a subscriber
/// that falls behind by more than its buffer, so under extreme load these may undercount slightly;
/// the recorder's own counters (`sightline_recorder_*`) are exact.
final class FlowMetrics: Sendable {
    /// Upper bounds of the latency histogram, in seconds.
    static let latencyBuckets: [Double] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]

    struct Key: Hashable {
        var provider: String
        var status: String
    }

    struct State {
        var flows: [Key: Int] = [:]
        var requestBytes: [String: Int] = [:]
        var responseBytes: [String: Int] = [:]
        /// Per provider: flows whose error kind is an upstream one.
        var upstreamErrors: [String: Int] = [:]
        var errorsByKind: [FlowErrorKind: Int] = [:]
        /// Flows with an error but no kind (a capture that did not say): counted, so that no error goes missing.
        var errorsWithoutKind = 0
        var inputTokens: [String: Int] = [:]
        var outputTokens: [String: Int] = [:]
        var costUSD: [String: Decimal] = [:]
        /// Per provider: counts per bucket (not cumulative), then +Inf, then sum and count.
        var latency: [String: Histogram] = [:]
    }

    struct Histogram {
        var counts = [Int](repeating: 0, count: FlowMetrics.latencyBuckets.count + 1)
        var sum: Double = 0
        var count = 0

        mutating func observe(_ seconds: Double) {
            let index = FlowMetrics.latencyBuckets.firstIndex { seconds <= $0 } ?? FlowMetrics.latencyBuckets.count
            counts[index] += 1
            sum += seconds
            count += 1
        }
    }

    private let state = Mutex(State())

    var snapshot: State { state.withLock { $0 } }

    func observe(_ flow: FlowSummary) {
        let provider = flow.provider ?? (flow.mode == .tunnel ? "tunnel" : "other")
        let status = flow.status.map(String.init) ?? "none"
        state.withLock { s in
            s.flows[Key(provider: provider, status: status), default: 0] += 1
            s.requestBytes[provider, default: 0] += flow.requestBytes
            s.responseBytes[provider, default: 0] += flow.responseBytes
            // By kind, never by the sentence: a client that went away is not the upstream's failure.
            if let kind = flow.errorKind {
                s.errorsByKind[kind, default: 0] += 1
                if kind.isUpstream { s.upstreamErrors[provider, default: 0] += 1 }
            } else if flow.error != nil {
                s.errorsWithoutKind += 1
            }
            if let n = flow.inputTokens { s.inputTokens[provider, default: 0] += n }
            if let n = flow.outputTokens { s.outputTokens[provider, default: 0] += n }
            if let cost = flow.costUSD { s.costUSD[provider, default: 0] += cost }
            if flow.mode != .tunnel, let ms = flow.durationMs { s.latency[provider, default: Histogram()].observe(ms / 1000) }
        }
    }

    /// Counts every flow the recorder inserts from now on; the task ends when the recorder shuts down.
    func follow(_ recorder: FlowRecorder) {
        let feed = recorder.subscribe(bufferSize: 10_000)
        Task { [self] in
            for await summary in feed { observe(summary) }
        }
    }
}

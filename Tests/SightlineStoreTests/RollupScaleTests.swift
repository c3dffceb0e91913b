import Foundation
import SightlineCore
import SightlineLLM
import SightlineTestSupport
import Testing
@testable import SightlineStore

/// The aggregates over a big store, on each backend (issue 14's scale bench): N flows (default 1,000,000,
/// `SIGHTLINE_SCALE_FLOWS`) seeded through the store's own `insert` by two instances at once, 50 ms apart over the
/// last hours, then the reads behind the dashboard, the sessions view and the first list page timed (median of 5).
/// Runs only with SIGHTLINE_SCALE_TESTS=1; prints figures and asserts only what the rollups must hold, no time.
@Suite("rollups at scale", .serialized, .enabled(if: ProcessInfo.processInfo.environment["SIGHTLINE_SCALE_TESTS"] == "1"))
struct RollupScaleTests {
    static let total = Int(ProcessInfo.processInfo.environment["SIGHTLINE_SCALE_FLOWS"] ?? "") ?? 1_000_000

    static let models = [("openai", "gpt-4o-mini"), ("openai", "gpt-4o"), ("anthropic", "claude-sonnet-4"),
                         ("anthropic", "claude-3-5-haiku"), ("gemini", "gemini-2.0-flash"), ("openai", "o4-mini")]

    /// Templates, one per model, re-stamped with an id, time, session and instance per flow.
    static let templates: [FlowRecord] = models.map { provider, model in
        makeRecord(makeCapture(), analysis: makeAnalysis(provider: provider, model: model, text: "weather poem"))
    }

    static func record(_ i: Int, instance: String, start: Int64) -> FlowRecord {
        var record = templates[i % templates.count]
        let started = Date(timeIntervalSince1970: Double(start + Int64(i) * 50) / 1000)
        record.detail.summary.id = FlowID.make(at: started)
        record.detail.summary.startedAt = started
        record.detail.summary.instance = instance
        record.detail.summary.status = i % 50 == 0 ? 429 : 200
        record.detail.summary.durationMs = Double(300 + i % 700)
        record.detail.summary.sessionID = i % 3 == 0 ? "session-\(i / 30)" : nil
        return record
    }

    @Test("seeded through insert by two instances; dashboard, sessions and list reads timed", arguments: FlowStoreContractTests.Backend.allCases)
    func scale(_ backend: FlowStoreContractTests.Backend) async throws {
        guard let opened = try await FlowStoreContractTests.open(backend) else { return }
        var second: PostgresFlowStore?
        if backend == .postgres, let shared = opened.store as? PostgresFlowStore {
            second = try await PostgresFlowStore.connect(shared.url, instance: "b", logger: quietLogger)
        }
        let stores: [any FlowStore] = [opened.store, second ?? opened.store]
        let start = RFC3339.milliseconds(Date()) - Int64(Self.total) * 50
        let clock = ContinuousClock()
        let batch = 1000
        let seeding = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (n, store) in stores.enumerated() {
                    group.addTask {
                        var i = n * batch
                        while i < Self.total {
                            try await store.insert((i..<min(i + batch, Self.total)).map { Self.record($0, instance: n == 0 ? "a" : "b", start: start) })
                            i += 2 * batch
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let store = opened.store
        func median(_ label: String, _ body: () async throws -> Void) async throws -> Duration {
            var times: [Duration] = []
            for _ in 0..<5 { times.append(try await clock.measure { try await body() }) }
            return times.sorted()[2]
        }
        let now = Date()
        var calls = 0
        let dashboard = try await median("dashboard") {
            // As `DashboardStats` folds them: by model and by 30-minute bucket, the totals from the models.
            var totals = CallTotals(), models: [String: CallTotals] = [:], buckets: [Int64: CallTotals] = [:]
            for minute in try await store.callMinutes(from: CallMinute.minute(of: now.addingTimeInterval(-86_400)), to: CallMinute.minute(of: now) + 1) {
                models[minute.key.group, default: CallTotals()].merge(minute.totals)
                buckets[minute.key.minute / 30, default: CallTotals()].merge(minute.totals)
            }
            for group in models.values { totals.merge(group) }
            _ = totals.latencies()
            for group in models.values { _ = group.latencies() }
            for group in buckets.values { _ = group.latencies() }
            calls = totals.calls
        }
        #expect(calls == Self.total, "every seeded flow is in the rollups")
        // Its two halves: reading the rows, and folding them.
        var rows: [CallMinute] = []
        let read = try await median("read") {
            rows = try await store.callMinutes(from: CallMinute.minute(of: now.addingTimeInterval(-86_400)), to: CallMinute.minute(of: now) + 1)
        }
        let fold = try await median("fold") {
            var models: [String: CallTotals] = [:], buckets: [Int64: CallTotals] = [:]
            for minute in rows {
                models[minute.key.group, default: CallTotals()].merge(minute.totals)
                buckets[minute.key.minute / 30, default: CallTotals()].merge(minute.totals)
            }
        }
        var sessions: [SessionTotals] = []
        let sessionsTime = try await median("sessions") {
            sessions = try await store.sessionTotals(since: now.addingTimeInterval(-7 * 86_400), until: now, limit: 200)
        }
        #expect(Set(sessions.map(\.key.id)).count == 200)
        let page = try await median("page") { _ = try await store.flows(FlowQuery(limit: 50)) }
        let rate = Double(Self.total) / (Double(seeding.components.seconds) + Double(seeding.components.attoseconds) / 1e18)
        print("scale [\(backend.rawValue)]: \(Self.total) flows inserted by 2 instances in \(seeding) (\(Int(rate)) flows/s); "
            + "dashboard 24 h \(dashboard) (\(rows.count) rows: read \(read), fold \(fold)), sessions 7 days \(sessionsTime), first page \(page) (medians of 5)")
        if let second { await second.close() }
        await opened.close()
    }
}

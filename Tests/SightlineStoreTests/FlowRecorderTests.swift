import Foundation
import SightlineCore
import Synchronization
import Testing
@testable import SightlineStore

/// A store that fails while `failing` is set, can hold inserts at a gate, and keeps what it got.
final class ScriptedStore: FlowStore {
    private struct State {
        var failuresLeft = 0
        var failing = false
        var inserted: [FlowRecord] = []
        var attempts = 0
        var gate: CheckedContinuation<Void, Never>?
        var gateClosed = false
        var insertsAtGate = 0
    }

    private let state = Mutex(State())

    struct DiskFull: Error {}

    func failNext(_ count: Int) { state.withLock { $0.failuresLeft = count } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    var inserted: [FlowRecord] { state.withLock { $0.inserted } }
    var attempts: Int { state.withLock { $0.attempts } }
    var insertsAtGate: Int { state.withLock { $0.insertsAtGate } }

    func closeGate() { state.withLock { $0.gateClosed = true } }
    func openGate() {
        let gate = state.withLock { state in
            state.gateClosed = false
            defer { state.gate = nil }
            return state.gate
        }
        gate?.resume()
    }

    func insert(_ records: [FlowRecord]) async throws {
        let wait = state.withLock { state -> Bool in
            if state.gateClosed { state.insertsAtGate += 1 }
            return state.gateClosed
        }
        if wait {
            await withCheckedContinuation { continuation in
                let resume = state.withLock { state -> Bool in
                    guard state.gateClosed else { return true }
                    state.gate = continuation
                    return false
                }
                if resume { continuation.resume() }
            }
        }
        try state.withLock { state in
            state.attempts += 1
            if state.failing { throw DiskFull() }
            if state.failuresLeft > 0 {
                state.failuresLeft -= 1
                throw DiskFull()
            }
            state.inserted += records
        }
    }

    func flows(_ query: FlowQuery) async throws -> FlowPage { FlowPage(flows: [], next: nil) }
    func flow(id: FlowID) async throws -> FlowDetail? { nil }
    func prune(olderThan cutoff: Date?, maxStoreBytes: Int?) async throws -> Int { 0 }
    func flowCount() async throws -> Int { inserted.count }
    func accumulate<A: FlowAccumulator>(_ query: FlowQuery, into accumulator: A, maxFlows: Int) async throws -> (result: A, complete: Bool) {
        (accumulator, true)
    }
}

/// Polls `condition` until it holds or `timeout` passes, so a broken recorder fails a test instead of hanging it.
func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(2))
    }
    return true
}

@Suite("FlowRecorder")
struct FlowRecorderTests {
    @Test("1,000 captures recorded concurrently from many tasks all land after shutdown()")
    func concurrentRecording() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(20),
                                    maxBatch: 64, logger: quietLogger)
        let writer = Task { await recorder.run() }
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    for _ in 0..<20 { recorder.record(makeCapture()) }
                }
            }
        }
        await recorder.shutdown()
        await writer.value
        #expect(try await store.flowCount() == 1000)
        #expect(recorder.stats == RecorderStats(queued: 0, recorded: 1000, dropped: 0, writeErrors: 0))
    }

    @Test("beyond capacity captures are dropped and counted; record() returns while the writer is stuck")
    func overflow() async throws {
        let store = ScriptedStore()
        store.closeGate()
        let recorder = FlowRecorder(store: store, builder: testBuilder, capacity: 10,
                                    batchInterval: .milliseconds(5), maxBatch: 5, logger: quietLogger)
        let writer = Task { await recorder.run() }
        recorder.record(makeCapture())
        // Wait until the writer is parked inside insert, holding the first capture.
        #expect(await eventually { store.insertsAtGate > 0 })
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<25 { recorder.record(makeCapture()) }
        }
        #expect(elapsed < .seconds(1), "record() never waits for the writer")
        #expect(recorder.stats.queued == 10)
        #expect(recorder.stats.dropped == 15)
        store.openGate()
        await recorder.shutdown()
        await writer.value
        #expect(store.inserted.count == 11)
        #expect(recorder.stats.recorded == 11)
        #expect(recorder.stats.dropped == 15)
    }

    @Test("subscribe() yields a summary per inserted flow")
    func liveFeed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(5), logger: quietLogger)
        let feed = recorder.subscribe()
        let writer = Task { await recorder.run() }
        let captures = (0..<3).map { _ in makeCapture(url: "https://api.groq.com/openai/v1/chat/completions") }
        for capture in captures { recorder.record(capture) }
        await recorder.shutdown()
        await writer.value
        #expect(recorder.stats.recorded == 3)
        // The feed holds what was inserted, and ends once the recorder has stopped.
        var received: [FlowSummary] = []
        for await summary in feed { received.append(summary) }
        #expect(received.map(\.id) == captures.map(\.id))
        #expect(received.allSatisfy { $0.host == "api.groq.com" })
        // After shutdown a new subscription ends at once.
        var late = 0
        for await _ in recorder.subscribe() { late += 1 }
        #expect(late == 0)
    }

    @Test("a failing write is counted, retried and the recorder keeps going")
    func writeFailureIsRetried() async throws {
        let store = ScriptedStore()
        store.failNext(2)
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(5), logger: quietLogger)
        let writer = Task { await recorder.run() }
        for _ in 0..<5 { recorder.record(makeCapture()) }
        #expect(await eventually { recorder.stats.recorded == 5 })
        #expect(recorder.stats.writeErrors == 2)
        #expect(recorder.stats.lost == 0)
        recorder.record(makeCapture())
        await recorder.shutdown()
        await writer.value
        #expect(store.inserted.count == 6)
    }

    @Test("a batch that keeps failing is given up with a count, and writing resumes when the disk has room")
    func persistentFailure() async throws {
        let store = ScriptedStore()
        store.setFailing(true)
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(2), logger: quietLogger)
        // Queued before the writer starts, so they form one batch (and one run of failed attempts).
        for _ in 0..<4 { recorder.record(makeCapture()) }
        let writer = Task { await recorder.run() }
        #expect(await eventually { recorder.stats.lost == 4 })
        #expect(recorder.stats.writeErrors == FlowRecorder.maxWriteAttempts)
        store.setFailing(false)
        let later = makeCapture()
        recorder.record(later)
        #expect(await eventually { recorder.stats.recorded == 1 })
        await recorder.shutdown()
        await writer.value
        #expect(store.inserted.map(\.id) == [later.id])
        #expect(recorder.stats.lost == 4)
    }

    @Test("shutdown() without a running loop flushes the queue itself")
    func shutdownWithoutRun() async throws {
        let store = ScriptedStore()
        let recorder = FlowRecorder(store: store, builder: testBuilder, maxBatch: 2, logger: quietLogger)
        for _ in 0..<5 { recorder.record(makeCapture()) }
        await recorder.shutdown()
        #expect(store.inserted.count == 5)
        #expect(store.attempts == 3, "batches of at most maxBatch")
        recorder.record(makeCapture())
        #expect(recorder.stats.dropped == 1, "a stopped recorder takes nothing more")
    }

    @Test("the writer applies retention periodically")
    func retention() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        try await store.insert((0..<3).map { _ in testBuilder.build(makeCapture(start: Date().addingTimeInterval(-7200))) })
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(5),
                                    retention: RetentionPolicy(maxAge: .seconds(3600), interval: .milliseconds(10)),
                                    logger: quietLogger)
        let writer = Task { await recorder.run() }
        let fresh = makeCapture()
        recorder.record(fresh)
        #expect(await eventually { recorder.stats.pruned == 3 })
        await recorder.shutdown()
        await writer.value
        #expect(try await store.flows(FlowQuery()).flows.map(\.id) == [fresh.id])
    }
}

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

    func insert(_ records: [FlowRecord]) async throws -> [FlowRecord] {
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
        return records
    }

    func flows(_ query: FlowQuery) async throws -> FlowPage { FlowPage(flows: [], next: nil) }
    func flow(id: FlowID) async throws -> FlowDetail? { nil }
    func prune(olderThan cutoff: Date?, maxStoreBytes: Int?) async throws -> Int { 0 }
    func flowCount() async throws -> Int { inserted.count }
    func accumulate<A: FlowAccumulator>(_ query: FlowQuery, into accumulator: A, maxFlows: Int) async throws -> (result: A, complete: Bool) {
        (accumulator, true)
    }

    func closeInterruptedWebSockets() async throws -> Int { 0 }
    func callMinutes(from: Int64, to: Int64) async throws -> [CallMinute] { [] }
    func summary(id: FlowID) async throws -> FlowSummary? { nil }
    func sessionTotals(since: Date, until: Date, limit: Int) async throws -> [SessionTotals] { [] }
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

    @Test("after a full batch, a partial one waits for the next interval or for the batch to fill, not a transaction of its own")
    func steadyLoadKeepsBatchesFull() async throws {
        let store = ScriptedStore()
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .seconds(30), maxBatch: 10,
                                    logger: quietLogger)
        // As under steady load: more than a batch waits when the writer takes one.
        for _ in 0..<13 { recorder.record(makeCapture()) }
        let writer = Task { await recorder.run() }
        #expect(await eventually { store.inserted.count == 10 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(store.attempts == 1, "the three left over wait")
        #expect(recorder.stats.queued == 3)
        for _ in 0..<7 { recorder.record(makeCapture()) }
        #expect(await eventually { store.inserted.count == 20 }, "a full batch is written at once")
        #expect(store.attempts == 2)
        recorder.record(makeCapture())
        await recorder.shutdown()
        await writer.value
        #expect(store.inserted.count == 21)
        #expect(recorder.stats.dropped == 0)
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

    @Test("with unlimited attempts (a network store) a batch failing longer than the default is written once the store is back")
    func unlimitedAttemptsOutlastAnOutage() async throws {
        let store = ScriptedStore()
        store.failNext(FlowRecorder.defaultMaxWriteAttempts * 3)
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(2), maxWriteAttempts: .max,
                                    logger: quietLogger)
        for _ in 0..<4 { recorder.record(makeCapture()) }
        let writer = Task { await recorder.run() }
        #expect(await eventually { recorder.stats.recorded == 4 })
        #expect(recorder.stats.lost == 0)
        #expect(recorder.stats.writeErrors == FlowRecorder.defaultMaxWriteAttempts * 3)
        await recorder.shutdown()
        await writer.value
        #expect(store.inserted.count == 4)
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
        #expect(recorder.stats.writeErrors == FlowRecorder.defaultMaxWriteAttempts)
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

@Suite("FlowRecorder with a spool")
struct FlowRecorderSpoolTests {
    @Test("a stuck store spills to the spool instead of dropping; everything lands, in order, once it moves")
    func spillsAndDrainsInOrder() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spool = try CaptureSpool(path: dir.databasePath + "-spool")
        let store = ScriptedStore()
        store.closeGate()
        let recorder = FlowRecorder(store: store, builder: testBuilder, capacity: 20, batchInterval: .milliseconds(5),
                                    maxBatch: 5, spool: spool, spillThreshold: 8, logger: quietLogger)
        let writer = Task { await recorder.run() }
        let captures = (0..<300).map { _ in makeCapture() }
        recorder.record(captures[0])
        #expect(await eventually { store.insertsAtGate > 0 })
        for capture in captures.dropFirst() {
            recorder.record(capture)
            // Paced as a busy client would be, so the spiller (not the memory queue) holds the backlog.
            if recorder.stats.queued >= 15 { _ = await eventually { recorder.stats.queued < 10 } }
        }
        #expect(await eventually { recorder.stats.queued == 0 })
        #expect(recorder.stats.dropped == 0)
        // The writer holds the batch at the gate and, built ahead, the one after it; the spool has the rest.
        #expect(recorder.stats.spooled >= 290)
        #expect(spool.unread == recorder.stats.spooled)
        store.openGate()
        #expect(await eventually { recorder.stats.recorded == 300 })
        #expect(store.inserted.map(\.id) == captures.map(\.id), "written in the order recorded")
        #expect(recorder.stats.spooled == 0)
        #expect(spool.byteCount == 0, "a drained spool is emptied")
        // Caught up: new captures go straight through memory again.
        let later = makeCapture()
        recorder.record(later)
        #expect(await eventually { recorder.stats.recorded == 301 })
        #expect(spool.byteCount == 0)
        await recorder.shutdown()
        await writer.value
        #expect(recorder.stats.dropped == 0 && recorder.stats.lost == 0)
    }

    @Test("a shutdown that cannot wait leaves the backlog in the spool, and the next start writes it first")
    func shutdownLeavesBacklogForNextStart() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let spoolPath = dir.databasePath + "-spool"
        let captures = (0..<40).map { _ in makeFullCapture() }
        var written = 0
        do {
            let slow = ScriptedStore()
            slow.closeGate()
            let recorder = FlowRecorder(store: slow, builder: testBuilder, batchInterval: .milliseconds(5), maxBatch: 10,
                                        spool: try CaptureSpool(path: spoolPath), shutdownGrace: .milliseconds(100),
                                        logger: quietLogger)
            let writer = Task { await recorder.run() }
            for capture in captures { recorder.record(capture) }
            #expect(await eventually { slow.insertsAtGate > 0 })
            let stopping = Task { await recorder.shutdown() }
            // The insert in progress outlasts the grace; then it finishes, and nothing more is written.
            try await Task.sleep(for: .milliseconds(300))
            slow.openGate()
            await stopping.value
            await writer.value
            written = slow.inserted.count
            #expect(written >= 10 && written < 40)
            #expect(slow.inserted.map(\.id) == captures.prefix(written).map(\.id))
            #expect(recorder.stats.spooled == 40 - written)
            #expect(recorder.stats.dropped == 0 && recorder.stats.lost == 0)
        }
        let spool = try CaptureSpool(path: spoolPath)
        #expect(spool.unread == 40 - written)
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let recorder = FlowRecorder(store: store, builder: testBuilder, batchInterval: .milliseconds(5), spool: spool,
                                    logger: quietLogger)
        #expect(recorder.stats.spooled == 40 - written)
        let writer = Task { await recorder.run() }
        let fresh = makeCapture()
        recorder.record(fresh)
        #expect(await eventually { recorder.stats.recorded == 41 - written })
        await recorder.shutdown()
        await writer.value
        let page = try await store.flows(FlowQuery(limit: 100))
        #expect(Set(page.flows.map(\.id)) == Set(captures.dropFirst(written).map(\.id) + [fresh.id]))
        let last = try #require(try await store.flow(id: captures[39].id))
        #expect(last == testBuilder.build(captures[39]).detail, "a spooled flow is stored as if written at once")
        #expect(spool.unread == 0)
    }
}

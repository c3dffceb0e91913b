import Foundation
import GRDB
import SightlineCore
import Testing
@testable import SightlineStore

/// Pagination over a million flows. Slow to set up (rows are generated in SQL, ~10 s here), so it runs
/// only with SIGHTLINE_SCALE_TESTS=1; it prints timings and asserts no time (DESIGN: no timing assertions).
@Suite("SQLiteFlowStore at scale", .enabled(if: ProcessInfo.processInfo.environment["SIGHTLINE_SCALE_TESTS"] == "1"))
struct FlowStoreScaleTests {
    @Test("keyset pages over 1,000,000 flows: first, deep, filtered, failed by kind")
    func millionRows() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let store = try SQLiteFlowStore(path: dir.databasePath)
        let total = 1_000_000
        let clock = ContinuousClock()
        let insertTime = try await clock.measure {
            try await store.writer!.write { db in
                // ids: 48-bit millisecond prefix from the row number, version 7, fixed variant bits.
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
                    INSERT INTO flow (id, started_at, mode, method, url, host, request_bytes, response_bytes,
                                      request_http_version, request_headers, status, error_kind)
                    SELECT printf('%08x-%04x-7000-8000-%012x', (1800000000000 + i) >> 16, (1800000000000 + i) & 65535, i),
                           1800000000000 + i, 'proxy', 'POST', 'https://h/', CASE WHEN i % 100 = 0 THEN 'rare.example' ELSE 'api.openai.com' END,
                           10, 20, 'HTTP/1.1', '[]', 200, CASE WHEN i % 1000 = 7 THEN 'upstream_reset' END
                    FROM n
                    """, arguments: [total - 1])
            }
        }
        #expect(try await store.flowCount() == total)
        var cursor: String?
        var seen = 0
        let firstPages = try await clock.measure {
            for _ in 0..<10 {
                let page = try await store.flows(FlowQuery(limit: 100, before: cursor))
                seen += page.flows.count
                cursor = page.next
            }
        }
        #expect(seen == 1000)
        let deepCursor = "\(String(format: "%08x", (1_800_000_000_000 + 500) >> 16))-\(String(format: "%04x", (1_800_000_000_000 + 500) & 65535))-7000-8000-\(String(format: "%012x", 500))"
        var deep = FlowPage(flows: [], next: nil)
        let deepTime = try await clock.measure {
            deep = try await store.flows(FlowQuery(limit: 100, before: deepCursor))
        }
        #expect(deep.flows.count == 100)
        #expect(deep.flows.first?.startedAt == Date(milliseconds: 1_800_000_000_499))
        var filtered = FlowPage(flows: [], next: nil)
        let filteredTime = try await clock.measure {
            filtered = try await store.flows(FlowQuery(limit: 50, host: "rare.example"))
        }
        #expect(filtered.flows.count == 50)
        // One flow in a thousand failed: the partial error_kind index finds them without walking the rest.
        var failures = FlowPage(flows: [], next: nil)
        let errorKindTime = try await clock.measure {
            failures = try await store.flows(FlowQuery(limit: 50, errorKind: .upstreamReset))
        }
        #expect(failures.flows.count == 50 && failures.flows.allSatisfy { $0.errorKind == .upstreamReset })
        print("scale: insert \(total) rows \(insertTime); 10 pages \(firstPages); deep page \(deepTime); filtered page \(filteredTime); "
            + "error_kind page \(errorKindTime)")
    }
}

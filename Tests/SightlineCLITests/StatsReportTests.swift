import Foundation
import SightlineCore
import SightlineStore
import Testing
@testable import Sightline

/// `sightline stats`: errors by kind, and upstream failures told apart from clients that went away.
@Suite struct StatsReportTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func flow(_ model: String, status: Int? = 200, kind: FlowErrorKind? = nil, error: String? = nil) -> FlowSummary {
        FlowSummary(id: FlowID.make(at: start), startedAt: start, method: "POST", url: "https://api.openai.com/v1/chat/completions",
                    host: "api.openai.com", status: status, error: error ?? kind.map { "failed: \($0.rawValue)" }, errorKind: kind,
                    mode: .proxy, durationMs: 100, provider: "openai", model: model)
    }

    static let flows = [
        flow("gpt-4o", status: nil, kind: .upstreamReset),
        flow("gpt-4o", status: nil, kind: .upstreamReset),
        flow("gpt-4o", kind: .clientGone),
        flow("gpt-4o"),
        flow("gpt-4o-mini", status: nil, kind: .upstreamTimeout),
        flow("gpt-4o-mini", status: 429),
        flow("gpt-4o-mini", status: nil, error: "recorded before kinds were kept"),
    ]

    @Test func jsonCountsErrorsByKindPerModelAndInAll() throws {
        let report = StatsReport(Self.flows)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try #require(try JSONSerialization.jsonObject(with: encoder.encode(report)) as? [String: Any])
        #expect(json["errorsByKind"] as? [String: Int] == ["upstream_reset": 2, "client_gone": 1, "upstream_timeout": 1])
        #expect(json["upstreamErrors"] as? Int == 3)
        #expect(json["clientDisconnects"] as? Int == 1, "a client that went away is not an upstream failure")
        let models = try #require(json["models"] as? [[String: Any]])
        let big = try #require(models.first { $0["model"] as? String == "gpt-4o" })
        #expect(big["errors"] as? Int == 3)
        #expect(big["errorsByKind"] as? [String: Int] == ["upstream_reset": 2, "client_gone": 1])
        #expect(big["upstreamErrors"] as? Int == 2 && big["clientDisconnects"] as? Int == 1)
        let mini = try #require(models.first { $0["model"] as? String == "gpt-4o-mini" })
        #expect(mini["errors"] as? Int == 3, "the timeout, the 429 and the old error")
        #expect(mini["errorsByKind"] as? [String: Int] == ["upstream_timeout": 1], "only the timeout has a kind")
        #expect(mini["upstreamErrors"] as? Int == 1 && mini["clientDisconnects"] as? Int == 0)
    }

    @Test func textSummarisesTheKindsMostFirst() {
        #expect(StatsReport(Self.flows).errorLine()
                == "errors: 3 upstream, 1 client disconnect (upstream_reset 2, client_gone 1, upstream_timeout 1)")
        #expect(StatsReport([Self.flow("gpt-4o"), Self.flow("gpt-4o", status: 500)]).errorLine() == nil, "no kind, no line")
    }
}

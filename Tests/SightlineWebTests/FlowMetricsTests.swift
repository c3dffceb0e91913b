import Foundation
import SightlineCore
import SightlineStore
import Testing
@testable import SightlineWeb

/// `/metrics` errors: counted by kind, never by the sentence, so a client that went away is no upstream failure.
@Suite struct FlowMetricsTests {
    static func flow(_ kind: FlowErrorKind?, error: String? = nil, provider: String? = "openai") -> FlowSummary {
        FlowSummary(id: FlowID.make(), startedAt: Date(), method: "POST", url: "https://api.openai.com/v1/chat/completions",
                    host: "api.openai.com", status: kind == nil && error == nil ? 200 : nil,
                    error: error ?? kind.map { "upstream closed the connection: \($0.rawValue)" }, errorKind: kind,
                    mode: .proxy, durationMs: 50, provider: provider)
    }

    static func render(_ flows: [FlowSummary]) -> String {
        let metrics = FlowMetrics()
        for flow in flows { metrics.observe(flow) }
        return PrometheusText.render(metrics: metrics.snapshot, recorder: nil, storedFlows: nil)
    }

    static func lines(_ text: String, _ name: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(name + "{") }
    }

    @Test func errorsAreCountedByKindWithEveryKindPresentFromTheStart() {
        let text = Self.render([Self.flow(.upstreamReset), Self.flow(.upstreamReset), Self.flow(.clientGone), Self.flow(nil)])
        #expect(text.contains("# TYPE sightline_flow_errors_total counter"))
        #expect(text.contains(#"sightline_flow_errors_total{kind="upstream_reset"} 2"#))
        #expect(text.contains(#"sightline_flow_errors_total{kind="client_gone"} 1"#))
        #expect(text.contains(#"sightline_flow_errors_total{kind="upstream_timeout"} 0"#))
        let samples = Self.lines(text, "sightline_flow_errors_total")
        #expect(samples.count == FlowErrorKind.allCases.count, "one sample per kind, no unknown: \(samples)")
        #expect(samples == samples.sorted(), "in a stable order")
    }

    @Test func aClientThatWentAwayIsNotAnUpstreamError() {
        let text = Self.render([Self.flow(.clientGone), Self.flow(.clientGone), Self.flow(.rateLimited), Self.flow(.upstreamTLS)])
        #expect(Self.lines(text, "sightline_upstream_errors_total") == [#"sightline_upstream_errors_total{provider="openai"} 1"#],
                "only the TLS failure; the sentence mentions the upstream in every one of them")
        #expect(text.contains(#"sightline_flow_errors_total{kind="client_gone"} 2"#))
        let onlyClients = Self.render([Self.flow(.clientGone, error: "upstream reset? no: the client left")])
        #expect(Self.lines(onlyClients, "sightline_upstream_errors_total").isEmpty)
    }

    @Test func anErrorWithoutAKindIsCountedAsUnknown() {
        let text = Self.render([Self.flow(nil, error: "recorded without a kind"), Self.flow(.upstreamDNS)])
        #expect(text.contains(#"sightline_flow_errors_total{kind="unknown"} 1"#))
        #expect(text.contains(#"sightline_flow_errors_total{kind="upstream_dns"} 1"#))
        #expect(Self.lines(text, "sightline_upstream_errors_total") == [#"sightline_upstream_errors_total{provider="openai"} 1"#],
                "an error without a kind is not guessed to be the upstream's")
    }
}

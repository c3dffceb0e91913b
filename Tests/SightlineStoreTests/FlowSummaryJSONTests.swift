import Foundation
import SightlineCore
import Testing
@testable import SightlineStore

@Suite("JSON shapes")
struct FlowSummaryJSONTests {
    static let specKeys: Set<String> = [
        "id", "started_at", "method", "url", "host", "status", "error", "mode", "duration_ms", "ttfb_ms",
        "request_bytes", "response_bytes", "provider", "endpoint", "model", "stream", "input_tokens",
        "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "ttft_ms", "session_id",
        "user_id", "properties",
    ]
    static let extraKeys: Set<String> = [
        "finish_reason", "tool_call_count", "truncated", "tokens_per_second", "session_path", "session_name",
        "client_address", "upstream_url", "gateway", "error_kind", "websocket", "instance", "replay_of",
        "parent_id", "thread_id",
    ]

    @Test("a summary has every SPEC §5.1 key, with explicit nulls")
    func summaryKeys() throws {
        let id = FlowID.make()
        let summary = FlowSummary(id: id, startedAt: Date(timeIntervalSince1970: 1_800_000_000.123), method: "GET",
                                  url: "https://example.com/", host: "example.com", mode: .tunnel)
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(summary)) as! [String: Any]
        #expect(Set(object.keys) == Self.specKeys.union(Self.extraKeys))
        for key in ["status", "error", "duration_ms", "ttfb_ms", "provider", "endpoint", "model", "input_tokens",
                    "output_tokens", "cached_input_tokens", "reasoning_tokens", "cost_usd", "ttft_ms", "session_id",
                    "user_id", "error_kind"] {
            #expect(object[key] is NSNull, "\(key) is an explicit null")
        }
        #expect(object["id"] as? String == id.description)
        #expect(object["started_at"] as? String == "2027-01-15T08:00:00.123Z")
        #expect(object["mode"] as? String == "tunnel")
        #expect(object["stream"] as? Bool == false)
        #expect((object["properties"] as? [String: String])?.isEmpty == true)
    }

    @Test("cost is a JSON number, and a summary decodes back to itself")
    func values() throws {
        let summary = FlowSummary(id: FlowID.make(), startedAt: Date(milliseconds: 1_800_000_000_007), method: "POST",
                                  url: "https://api.openai.com/v1/responses", host: "api.openai.com", status: 200,
                                  error: "client disconnected before the response was complete", errorKind: .clientGone,
                                  mode: .gateway, durationMs: 12.5, requestBytes: 10, responseBytes: 20,
                                  provider: "openai", model: "gpt-4.1", stream: true, inputTokens: 3,
                                  costUSD: Decimal(string: "0.0125"), properties: ["env": "prod"])
        let data = try JSONEncoder().encode(summary)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""cost_usd":0.0125"#))
        #expect(text.contains(#""started_at":"2027-01-15T08:00:00.007Z""#))
        #expect(text.contains(#""error_kind":"client_gone""#))
        #expect(try JSONDecoder().decode(FlowSummary.self, from: data) == summary)
    }

    @Test("an error_kind word this version does not know decodes as nil, keeping the rest of the summary")
    func unknownErrorKind() throws {
        let summary = FlowSummary(id: FlowID.make(), startedAt: Date(milliseconds: 1_800_000_000_000), method: "GET",
                                  url: "https://example.com/", host: "example.com", error: "something new", errorKind: .upstreamDNS,
                                  mode: .proxy)
        let text = String(decoding: try JSONEncoder().encode(summary), as: UTF8.self)
        #expect(text.contains(#""error_kind":"upstream_dns""#))
        let newer = text.replacingOccurrences(of: #""error_kind":"upstream_dns""#, with: #""error_kind":"upstream_quantum""#)
        let decoded = try JSONDecoder().decode(FlowSummary.self, from: Data(newer.utf8))
        #expect(decoded.errorKind == nil)
        #expect(decoded.error == "something new")
    }

    @Test("a page is {\"flows\": […], \"next\": null} on its last page")
    func page() throws {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(FlowPage(flows: [], next: nil))) as! [String: Any]
        #expect(Set(object.keys) == ["flows", "next"])
        #expect(object["next"] is NSNull)
    }
}

import Foundation
import SightlineCore
import Testing

@Suite("FlowErrorKind")
struct FlowErrorKindTests {
    /// The words the API (`error_kind`), `/metrics` and `Sightline-Error` promise: scripts match on these.
    static let documentedWords = [
        "upstream_refused", "upstream_dns", "upstream_tls", "upstream_reset", "upstream_timeout", "upstream_protocol",
        "client_gone", "proxy_auth", "rate_limited", "bad_request", "bad_framing", "forbidden", "request_too_large",
        "injected_fault", "intercept_failed", "request_timeout", "too_many_connections",
    ]

    @Test("every kind is one of the documented words, and every documented word is a kind")
    func rawValuesAreTheDocumentedWords() {
        #expect(FlowErrorKind.allCases.map(\.rawValue) == Self.documentedWords)
        for word in Self.documentedWords {
            #expect(FlowErrorKind(rawValue: word)?.rawValue == word)
        }
        #expect(FlowErrorKind(rawValue: "Upstream_Reset") == nil, "words are exact, not case-folded")
        #expect(FlowErrorKind(rawValue: "client_disconnected") == nil)
    }

    @Test("isUpstream holds for the upstream_ kinds and for nothing a client or a rule of Sightline's caused")
    func isUpstreamSplitsUpstreamFromTheRest() {
        let upstream = FlowErrorKind.allCases.filter(\.isUpstream)
        #expect(upstream == [.upstreamRefused, .upstreamDNS, .upstreamTLS, .upstreamReset, .upstreamTimeout, .upstreamProtocol])
        #expect(upstream.allSatisfy { $0.rawValue.hasPrefix("upstream_") })
        #expect(FlowErrorKind.allCases.filter { !$0.isUpstream }.allSatisfy { !$0.rawValue.hasPrefix("upstream_") })
        #expect(!FlowErrorKind.clientGone.isUpstream, "a client that went away is never the upstream's failure")
        #expect(!FlowErrorKind.injectedFault.isUpstream, "a fault Sightline made is not the upstream's either")
        #expect(!FlowErrorKind.rateLimited.isUpstream)
    }

    @Test("JSON carries the word itself")
    func codableIsTheWord() throws {
        let data = try JSONEncoder().encode([FlowErrorKind.upstreamTLS, .requestTooLarge])
        #expect(String(decoding: data, as: UTF8.self) == #"["upstream_tls","request_too_large"]"#)
        #expect(try JSONDecoder().decode([FlowErrorKind].self, from: Data(#"["bad_framing"]"#.utf8)) == [.badFraming])
    }
}

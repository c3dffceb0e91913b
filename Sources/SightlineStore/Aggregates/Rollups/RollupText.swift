import Foundation
import SightlineCore

/// The text the rollup tables keep a minute's or a session's sums in. One column rather than a column per figure:
/// nothing queries inside it, and a dashboard reads a few thousand of these, so it is a line cheap to split, not JSON.
enum RollupText {
    // calls;errors;kind=n|kind=n;input;output;cost;priced;unpriced;durations;ttfts;gateway
    static func encode(_ minute: CallMinute) -> String {
        let t = minute.totals, g = minute.gateway
        let kinds = t.errorsByKind.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: "|")
        let gateway = [String(g.cacheHits), String(g.cacheMisses), "\(g.savedCostUSD)", String(g.rateLimited), String(g.retriedCalls),
                       String(g.retries), String(g.fallbacksUsed), String(g.faultsInjected)].joined(separator: "/")
        return [String(t.calls), String(t.errors), kinds, String(t.inputTokens), String(t.outputTokens), "\(t.costUSD)",
                String(t.pricedCalls), String(t.unpricedCalls), t.durations.encoded, t.ttfts.encoded, gateway].joined(separator: ";")
    }

    /// The fields of a line, split on its bytes: splitting a String walks grapheme clusters, and a minute's line is
    /// mostly its latency histograms (a dashboard over a day splits ten thousand of them).
    static func fields(_ text: String, _ separator: Character) -> [Substring] {
        let byte = separator.asciiValue ?? 0
        return text.utf8.split(separator: byte, omittingEmptySubsequences: false).map { Substring($0) }
    }

    static func decodeMinute(key: CallMinute.Key, provider: String?, text: String) -> CallMinute {
        let f = fields(text, ";")
        func int(_ i: Int) -> Int { i < f.count ? Int(f[i]) ?? 0 : 0 }
        func decimal(_ s: Substring?) -> Decimal { s.flatMap { Decimal(string: String($0)) } ?? 0 }
        var totals = CallTotals()
        totals.provider = provider
        totals.calls = int(0)
        totals.errors = int(1)
        if f.count > 2 {
            for pair in f[2].utf8.split(separator: UInt8(ascii: "|")) {
                let parts = pair.split(separator: UInt8(ascii: "=")).map { Substring($0) }
                if parts.count == 2, let kind = FlowErrorKind(rawValue: String(parts[0])), let n = Int(parts[1]) { totals.errorsByKind[kind] = n }
            }
        }
        totals.inputTokens = int(3)
        totals.outputTokens = int(4)
        totals.costUSD = decimal(f.count > 5 ? f[5] : nil)
        totals.pricedCalls = int(6)
        totals.unpricedCalls = int(7)
        if f.count > 8 { totals.durations = LatencyHistogram(encoded: f[8]) }
        if f.count > 9 { totals.ttfts = LatencyHistogram(encoded: f[9]) }
        var gateway = GatewayTotals()
        if f.count > 10 {
            let g = f[10].utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { Substring($0) }
            func n(_ i: Int) -> Int { i < g.count ? Int(g[i]) ?? 0 : 0 }
            gateway.cacheHits = n(0)
            gateway.cacheMisses = n(1)
            gateway.savedCostUSD = decimal(g.count > 2 ? g[2] : nil)
            gateway.rateLimited = n(3)
            gateway.retriedCalls = n(4)
            gateway.retries = n(5)
            gateway.fallbacksUsed = n(6)
            gateway.faultsInjected = n(7)
        }
        return CallMinute(key: key, totals: totals, gateway: gateway)
    }

    // calls;errors;input;output;cost — the times, name, models and users have columns of their own.
    static func encode(_ session: SessionTotals) -> String {
        [String(session.calls), String(session.errors), String(session.inputTokens), String(session.outputTokens), "\(session.costUSD)"]
            .joined(separator: ";")
    }

    static func decodeSession(key: SessionTotals.Key, name: String?, first: Int64, last: Int64, lastEnded: Double,
                              text: String, models: String, users: String) -> SessionTotals {
        let f = fields(text, ";")
        func int(_ i: Int) -> Int { i < f.count ? Int(f[i]) ?? 0 : 0 }
        var session = SessionTotals(key: key)
        session.name = name
        session.firstStartedAt = first
        session.lastStartedAt = last
        session.lastEndedAt = lastEnded
        session.calls = int(0)
        session.errors = int(1)
        session.inputTokens = int(2)
        session.outputTokens = int(3)
        session.costUSD = f.count > 4 ? Decimal(string: String(f[4])) ?? 0 : 0
        session.models = list(models)
        session.users = list(users)
        return session
    }

    /// Models and users, one a line (neither holds a line break: they come from one header or JSON string each).
    static func list(_ values: [String]) -> String { values.joined(separator: "\n") }
    static func list(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }
}

import ArgumentParser
import SightlineCore
import SightlineStore

/// The filters of `GET /api/flows`, as flags, shared by `flows`, `export`, `stats` and `tail`.
struct FlowFilterOptions: ParsableArguments {
    @Option(help: "Only flows of this host.") var host: String?
    @Option(help: "Only flows of this provider (openai, anthropic, gemini, …).") var provider: String?
    @Option(help: "Only flows of this model.") var model: String?
    @Option(help: "Only flows with this HTTP status.") var status: Int?
    @Option(help: "Only flows of this session id.") var session: String?
    @Option(help: "Only the calls of one conversation (a thread id: its first call's id).") var thread: String?
    @Option(help: "Only flows of this user id.") var user: String?
    @Option(help: "Only flows with this property: NAME=VALUE; repeatable.") var property: [String] = []
    @Option(help: "Full-text search in prompts, outputs and URLs.") var q: String?
    @Option(help: ArgumentHelp("Only flows that failed this way.",
                               discussion: FlowErrorKind.allCases.map(\.rawValue).joined(separator: ", "), valueName: "kind"),
            transform: Self.errorKind) var errorKind: FlowErrorKind?

    func query(limit: Int, before: String? = nil) -> FlowQuery {
        var properties: [String: String] = [:]
        for pair in property {
            guard let eq = pair.firstIndex(of: "=") else { continue }
            properties[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        var query = FlowQuery(limit: limit, before: before, host: host, provider: provider, model: model, status: status,
                              session: session, user: user, errorKind: errorKind, properties: properties, q: q)
        query.thread = thread
        return query
    }

    private static func errorKind(_ word: String) throws -> FlowErrorKind {
        guard let kind = FlowErrorKind(rawValue: word) else {
            throw ValidationError("expected one of " + FlowErrorKind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return kind
    }
}

extension FlowStore {
    /// Every matching flow, newest first, walking the pages (stops at `since` or `max`).
    func allFlows(_ filters: FlowFilterOptions, since: Date? = nil, max: Int = 100_000) async throws -> [FlowSummary] {
        var result: [FlowSummary] = []
        var cursor: String?
        repeat {
            let page = try await flows(filters.query(limit: FlowQuery.maxLimit, before: cursor))
            for flow in page.flows {
                if let since, flow.startedAt < since { return result }
                result.append(flow)
                if result.count >= max { return result }
            }
            cursor = page.next
        } while cursor != nil
        return result
    }
}

import Foundation

import Foundation
import SightlineStore

/// `GET /api/sessions/{id}`: one session's calls as a tree of their `Session-Path`s (`/plan/search` is a node
/// `search` under `/plan`), each node with its own calls and totals that include its children, as Helicone's session
/// view has it. Calls without a path hang at the root (`/`).
struct SessionTree: Encodable {
    var id: String
    var name: String?
    var calls: Int
    var inputTokens: Int
    var outputTokens: Int
    var costUSD: Decimal
    var durationMs: Double
    var tree: [Node]

    enum CodingKeys: String, CodingKey {
        case id, name, calls, tree
        case inputTokens = "input_tokens", outputTokens = "output_tokens", costUSD = "cost_usd", durationMs = "duration_ms"
    }

    struct Node: Encodable {
        var path: String
        /// This node's own calls, oldest first.
        var flows: [String] = []
        var children: [Node] = []
        var calls = 0
        var inputTokens = 0
        var outputTokens = 0
        var costUSD: Decimal = 0
        /// From the first call's start to the last call's end, children included.
        var durationMs: Double = 0
        var start: Date = .distantFuture
        var end: Date = .distantPast

        enum CodingKeys: String, CodingKey {
            case path, flows, children, calls
            case inputTokens = "input_tokens", outputTokens = "output_tokens", costUSD = "cost_usd", durationMs = "duration_ms"
            case startedAt = "started_at"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(flows, forKey: .flows)
            try c.encode(children, forKey: .children)
            try c.encode(calls, forKey: .calls)
            try c.encode(inputTokens, forKey: .inputTokens)
            try c.encode(outputTokens, forKey: .outputTokens)
            try c.encode(costUSD, forKey: .costUSD)
            try c.encode(durationMs, forKey: .durationMs)
            try c.encode(APITime.string(from: start), forKey: .startedAt)
        }

        mutating func count(_ flow: FlowSummary) {
            calls += 1
            inputTokens += flow.inputTokens ?? 0
            outputTokens += flow.outputTokens ?? 0
            costUSD += flow.costUSD ?? 0
            start = min(start, flow.startedAt)
            end = max(end, flow.startedAt.addingTimeInterval((flow.durationMs ?? 0) / 1000))
            durationMs = end.timeIntervalSince(start) * 1000
        }
    }

    /// The segments of a path: `/plan//search/` → ["plan", "search"]; none for nil, empty or `/`.
    static func segments(_ path: String?) -> [String] {
        (path ?? "").split(separator: "/").map(String.init)
    }

    /// Builds the tree from the session's flows (any order); nil when there are none.
    static func build(id: String, flows: [FlowSummary]) -> SessionTree? {
        guard !flows.isEmpty else { return nil }
        var root = Node(path: "")
        let oldestFirst = flows.sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        for flow in oldestFirst {
            root.count(flow)
            let segments = segments(flow.sessionPath)
            if segments.isEmpty {
                // A call without a path is the session's own: a node `/` first among the root's.
                let index = root.child("/", first: true)
                root.children[index].count(flow)
                root.children[index].flows.append(flow.id.description)
            } else {
                insert(flow, segments[...], into: &root, prefix: "")
            }
        }
        return SessionTree(id: id, name: oldestFirst.lazy.compactMap(\.sessionName).first, calls: root.calls,
                           inputTokens: root.inputTokens, outputTokens: root.outputTokens, costUSD: root.costUSD,
                           durationMs: root.durationMs, tree: root.children)
    }

    /// Counts the flow in each node down its path; the last keeps its id.
    private static func insert(_ flow: FlowSummary, _ segments: ArraySlice<String>, into node: inout Node, prefix: String) {
        guard let first = segments.first else { return }
        let path = prefix + "/" + first
        let index = node.child(path)
        node.children[index].count(flow)
        if segments.count == 1 {
            node.children[index].flows.append(flow.id.description)
        } else {
            insert(flow, segments.dropFirst(), into: &node.children[index], prefix: path)
        }
    }
}

extension SessionTree.Node {
    /// The index of the child at `path`, made (last, or first) when there is none yet.
    mutating func child(_ path: String, first: Bool = false) -> Int {
        if let index = children.firstIndex(where: { $0.path == path }) { return index }
        if first {
            children.insert(SessionTree.Node(path: path), at: 0)
            return 0
        }
        children.append(SessionTree.Node(path: path))
        return children.count - 1
    }
}

import Foundation
import SightlineCore
import SightlineLLM
import SightlineStore

/// `GET /api/flows/{id}/diff[?against=OTHER]`: what this call's request changed against another's (by default the
/// flow it replays).
struct FlowDiffBody: Encodable {
    var against: String
    var diff: ConversationDiff

    enum CodingKeys: String, CodingKey {
        case against, addedMessages = "added_messages", removedMessages = "removed_messages", changedMessages = "changed_messages"
        case systemChanged = "system_changed", toolsAdded = "tools_added", toolsRemoved = "tools_removed", paramsChanged = "params_changed"
    }

    struct Change: Encodable {
        var index: Int
        var before: Conversation.Message
        var after: Conversation.Message
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(against, forKey: .against)
        try c.encode(diff.added, forKey: .addedMessages)
        try c.encode(diff.removed, forKey: .removedMessages)
        try c.encode(diff.changed.map { Change(index: $0.index, before: $0.before, after: $0.after) }, forKey: .changedMessages)
        try c.encode(diff.systemChanged, forKey: .systemChanged)
        try c.encode(diff.toolsAdded, forKey: .toolsAdded)
        try c.encode(diff.toolsRemoved, forKey: .toolsRemoved)
        try c.encode(diff.parameters.mapValues { [$0.before ?? .null, $0.after ?? .null] }, forKey: .paramsChanged)
    }

    /// The flow a diff is against when none is named: the call this one continues, else the one it replays
    /// (`Replay-Of`, set by the replay).
    static func defaultAgainst(_ flow: FlowDetail) -> FlowID? { flow.summary.parentID ?? flow.summary.replayOf }

    static func make(_ flow: FlowDetail, against other: FlowDetail) throws -> FlowDiffBody {
        guard let this = flow.conversation, let that = other.conversation else {
            throw APIError(status: .unprocessableContent, message: "both flows must be LLM calls with a decoded conversation")
        }
        return FlowDiffBody(against: other.summary.id.description,
                            diff: ConversationDiff(from: that, otherModel: requestModel(other), to: this, model: requestModel(flow)))
    }

    /// The model the request asked for (its body's `model`), not the dated one the response names; else the summary's.
    static func requestModel(_ flow: FlowDetail) -> String? {
        guard !flow.request.body.truncated, case .string(let model)? = JSONValue.parse(flow.request.body.bytes)?["model"] else {
            return flow.summary.model
        }
        return model
    }
}

import Foundation
import SightlineTestSupport
import Testing

/// Calls threaded into conversations with no header, as an agent's SDKs send them (`threads_agent.py`, through
/// `HTTPS_PROXY` against the fixture upstream), read back through the API: `parent_id`, `thread_id`, `?thread=`
/// and the diff against the parent.
@Suite(.serialized) struct ThreadSDKTests {
    @Test(.enabled(if: SDKTests.enabled, "needs .venv with Tests/e2e/requirements.txt (made by .ci/run)"))
    func agentCallsAreThreaded() async throws {
        let run = try await SDKRun.drive("threads_agent.py", flows: 7) { flows in
            let ids = flows.map { $0["id"] as? String ?? "" }
            return ["/api/flows/\(ids[1])/diff", "/api/flows?thread=\(ids[0])", "/api/flows/\(ids[0])/diff"]
        }
        #expect(run.upstream.map(\.scenario) == [
            "openai/chat-completions-tools", "openai/chat-completions-tool-result", "openai/chat-completions",
            "anthropic/messages", "anthropic/messages", "openai/responses", "openai/responses",
        ])
        let ids = run.flows.map { $0["id"] as? String ?? "" }
        let parents = run.flows.map { $0["parent_id"] as? String }
        let threads = run.flows.map { $0["thread_id"] as? String }
        #expect(parents == [nil, ids[0], nil, nil, ids[3], nil, ids[5]],
                "tool loop, unrelated call, Anthropic two turns, Responses chain by previous_response_id")
        #expect(threads == [ids[0], ids[0], ids[2], ids[3], ids[3], ids[5], ids[5]])
        #expect(run.details[1]["parent_id"] as? String == ids[0], "the detail has the summary's fields")

        // What the tool loop's second turn added: the SDK's dump of the assistant's tool call, and the tool's result.
        let diff = try #require(run.api["/api/flows/\(ids[1])/diff"] as? [String: Any])
        #expect(diff["against"] as? String == ids[0], "by default against the parent")
        let added = diff["added_messages"] as? [[String: Any]] ?? []
        #expect(added.map { $0["role"] as? String } == ["assistant", "tool"])
        let addedParts = added.map { ($0["parts"] as? [[String: Any]] ?? []).map { $0["type"] as? String } }
        #expect(addedParts == [["tool_call"], ["tool_result"]])
        #expect((diff["removed_messages"] as? [Any])?.isEmpty == true && (diff["changed_messages"] as? [Any])?.isEmpty == true)
        #expect(diff["system_changed"] as? Bool == false)

        let thread = try #require(run.api["/api/flows?thread=\(ids[0])"] as? [String: Any])
        #expect((thread["flows"] as? [[String: Any]])?.map { $0["id"] as? String } == [ids[1], ids[0]], "the thread, newest first")
        #expect((run.api["/api/flows/\(ids[0])/diff"] as? [String: Any])?["error"] != nil,
                "a first call continues nothing: the diff asks for another flow")
    }
}

import Foundation
import Hummingbird
import Logging
import NIOCore

/// A plain-HTTP stand-in for the OpenAI chat completions API that the proxy's `--map-remote` sends
/// `https://api.openai.com` to. It answers like a small agent's model would:
/// - tools offered and no tool result yet: a `get_weather` tool call;
/// - the last message a tool result: a final answer in Markdown;
/// - otherwise: `You said: <the last user text>` (so a hostile prompt comes back in the output too).
/// With `"stream": true` the answer is an SSE stream, one word per chunk, `chunkGap` apart.
final class FakeLLM: Sendable {
    static let finalAnswer = "The weather in **Paris** is 18 °C and sunny."
    let port: Int
    private let task: Task<Void, Never>

    private init(port: Int, task: Task<Void, Never>) {
        self.port = port
        self.task = task
    }

    static func start(chunkGap: Duration = .milliseconds(30)) async throws -> FakeLLM {
        let router = Router()
        router.post("/v1/chat/completions") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
            let json = (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
            let model = json["model"] as? String ?? "gpt-4o-mini"
            let messages = json["messages"] as? [[String: Any]] ?? []
            let last = messages.last ?? [:]
            let hasTools = !((json["tools"] as? [Any]) ?? []).isEmpty
            let stream = json["stream"] as? Bool ?? false
            let promptTokens = 20 + String(decoding: Data(buffer: body), as: UTF8.self).count / 8
            if last["role"] as? String == "tool" {
                return answer(text: finalAnswer, model: model, promptTokens: promptTokens, stream: stream, gap: chunkGap)
            }
            if hasTools {
                return toolCall(model: model, promptTokens: promptTokens)
            }
            let said = text(of: last)
            return answer(text: "You said: " + said, model: model, promptTokens: promptTokens, stream: stream, gap: chunkGap)
        }
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-llm")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { _ = try? await app.run() }
        var port = 0
        for await p in ports { port = p; break }
        return FakeLLM(port: port, task: task)
    }

    func stop() { task.cancel() }

    private static func text(of message: [String: Any]) -> String {
        if let s = message["content"] as? String { return s }
        if let parts = message["content"] as? [[String: Any]] { return parts.compactMap { $0["text"] as? String }.joined(separator: "\n") }
        return ""
    }

    private static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    private static func toolCall(model: String, promptTokens: Int) -> Response {
        let body = json([
            "id": "chatcmpl-tool", "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "choices": [["index": 0, "finish_reason": "tool_calls", "message": [
                "role": "assistant", "content": NSNull(),
                "tool_calls": [["id": "call_weather_1", "type": "function",
                                "function": ["name": "get_weather", "arguments": #"{"city":"Paris","unit":"celsius"}"#]]],
            ]]],
            "usage": ["prompt_tokens": promptTokens, "completion_tokens": 17, "total_tokens": promptTokens + 17],
        ])
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private static func answer(text: String, model: String, promptTokens: Int, stream: Bool, gap: Duration) -> Response {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let completion = max(1, words.count)
        guard stream else {
            let body = json([
                "id": "chatcmpl-1", "object": "chat.completion", "created": 1_700_000_000, "model": model,
                "choices": [["index": 0, "finish_reason": "stop", "message": ["role": "assistant", "content": text]]],
                "usage": ["prompt_tokens": promptTokens, "completion_tokens": completion, "total_tokens": promptTokens + completion],
            ])
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        let chunks: [String] = words.enumerated().map { i, word in
            json(["id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                  "choices": [["index": 0, "delta": (i == 0 ? ["role": "assistant", "content": word] : ["content": " " + word]), "finish_reason": NSNull()]]])
        } + [
            json(["id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
                  "choices": [["index": 0, "delta": [String: Any](), "finish_reason": "stop"]]]),
            json(["id": "chatcmpl-s", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model, "choices": [Any](),
                  "usage": ["prompt_tokens": promptTokens, "completion_tokens": completion, "total_tokens": promptTokens + completion]]),
        ]
        let body = ResponseBody { writer in
            for chunk in chunks {
                try await writer.write(ByteBuffer(string: "data: \(chunk)\n\n"))
                try await Task.sleep(for: gap)
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }
}

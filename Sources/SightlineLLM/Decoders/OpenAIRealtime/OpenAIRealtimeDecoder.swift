import SightlineCore

/// An OpenAI Realtime session (GA event names) read from its WebSocket messages into the common model:
/// the session's instructions are the system prompt and its tools the tools; the user's items (text,
/// audio transcripts, function results) and the assistant's earlier responses are the messages; the last
/// `response.done` is the output; usage is summed over every `response.done`. Audio is not decoded.
enum OpenAIRealtimeDecoder {
    /// Returns when the client first asked for a response (`response.create`), the start of time to first token.
    static func decode(_ messages: [WebSocketMessage], into decoded: inout DecodedExchange) -> Double? {
        var conversation = Conversation()
        var lastOutput: [Conversation.Message] = []
        var usage = LLMUsage()
        var responseRequestedMs: Double?
        // PCM16 at 24 kHz unless the session says otherwise; G.711 (`audio/pcmu`, `audio/pcma`) is not timed.
        var inputAudio = LiveAudio(sampleRate: 24_000)
        var outputAudio = LiveAudio(sampleRate: 24_000)
        for message in messages where message.opcode == "text" {
            guard let text = message.text, let event = JSONValue.parse(text), let type = event["type"]?.string else { continue }
            switch (message.direction, type) {
            case (_, "session.update"), (_, "session.created"), (_, "session.updated"):
                guard let session = event["session"] else { continue }
                if let model = session["model"]?.nonEmptyString {
                    if message.direction == .client { decoded.requestModel = model } else { decoded.responseModel = model }
                }
                if let instructions = session["instructions"]?.nonEmptyString { conversation.system = instructions }
                if let tools = session["tools"]?.array { conversation.tools = tools.compactMap(ConversationBuilding.openAITool) }
                if let format = session["audio"]?["input"]?["format"] { inputAudio.sampleRate = Self.pcmRate(format) }
                if let format = session["audio"]?["output"]?["format"] { outputAudio.sampleRate = Self.pcmRate(format) }
            case (.client, "input_audio_buffer.append"):
                if let audio = event["audio"]?.string { inputAudio.add(base64: audio) }
            case (.client, "conversation.item.create"):
                // The assistant's last response came before this item (a function's result answers its call).
                conversation.messages += lastOutput
                lastOutput = []
                if let item = event["item"], let entry = self.message(item) { conversation.messages.append(entry) }
            case (.server, "conversation.item.input_audio_transcription.completed"):
                conversation.messages += lastOutput
                lastOutput = []
                if let transcript = event["transcript"]?.nonEmptyString {
                    conversation.messages.append(.init(role: "user", parts: [.init(type: "audio", text: transcript, durationMs: inputAudio.durationMs)]))
                }
                inputAudio = LiveAudio(sampleRate: inputAudio.sampleRate)
            case (.client, "response.create"):
                if responseRequestedMs == nil { responseRequestedMs = message.tMs }
                // What the assistant said before this response is part of what the model now sees.
                conversation.messages += lastOutput
                lastOutput = []
            case (.server, "response.output_text.delta"), (.server, "response.output_audio_transcript.delta"),
                 (.server, "response.function_call_arguments.delta"):
                decoded.noteOutput(at: message.tMs)
            case (.server, "response.output_audio.delta"):
                decoded.noteOutput(at: message.tMs)
                if let delta = event["delta"]?.string { outputAudio.add(base64: delta) }
            case (.server, "response.done"):
                guard let response = event["response"] else { continue }
                lastOutput = (response["output"]?.array ?? []).compactMap(self.message)
                if let m = lastOutput.indices.last(where: { lastOutput[$0].parts.contains { $0.type == "audio" } }),
                   let p = lastOutput[m].parts.lastIndex(where: { $0.type == "audio" }) {
                    lastOutput[m].parts[p].durationMs = outputAudio.durationMs
                }
                outputAudio = LiveAudio(sampleRate: outputAudio.sampleRate)
                if let reported = OpenAIUsage.parse(response["usage"]) { usage.add(reported) }
                conversation.finishReason = response["status"]?.string
                decoded.sawFinalEvent = true
                if let model = response["model"]?.nonEmptyString { decoded.responseModel = model }
                if let details = response["status_details"]?["error"]?["message"]?.string { decoded.noteError(details) }
            case (.server, "error"):
                decoded.noteError(event["error"]?["message"]?.string ?? event["error"]?["code"]?.string)
            default:
                break
            }
        }
        conversation.output = lastOutput
        conversation.usage = usage
        decoded.conversation = conversation
        decoded.requestedStream = true
        return responseRequestedMs
    }

    /// The sample rate of a GA `audio.*.format` (`{"type": "audio/pcm", "rate": 24000}`); 0 (not timed) for G.711.
    private static func pcmRate(_ format: JSONValue) -> Int {
        guard format["type"]?.string ?? "audio/pcm" == "audio/pcm" else { return 0 }
        return format["rate"]?.int ?? 24_000
    }

    /// A conversation item: a message (`input_text`, `input_audio` with its transcript, `output_text`,
    /// `output_audio`), a function call, or a function call's output.
    private static func message(_ item: JSONValue) -> Conversation.Message? {
        switch item["type"]?.string {
        case "message":
            let parts = (item["content"]?.array ?? []).compactMap { content -> Conversation.Part? in
                switch content["type"]?.string {
                case "input_text", "output_text", "text": return .text(content["text"]?.string ?? "")
                case "input_audio", "output_audio", "audio":
                    return Conversation.Part(type: "audio", text: content["transcript"]?.nonEmptyString)
                case "input_image": return ConversationBuilding.image(url: content["image_url"]?.string)
                default: return nil
                }
            }
            return Conversation.Message(role: item["role"]?.string ?? "user", parts: parts)
        case "function_call":
            return Conversation.Message(role: "assistant", parts: [Conversation.Part(
                type: "tool_call", id: item["call_id"]?.string, name: item["name"]?.string, arguments: item["arguments"]?.string)])
        case "function_call_output":
            return Conversation.Message(role: "tool", parts: [Conversation.Part(
                type: "tool_result", text: item["output"]?.string, id: item["call_id"]?.string)])
        default:
            return nil
        }
    }
}

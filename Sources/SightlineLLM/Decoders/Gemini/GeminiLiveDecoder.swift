import SightlineCore

/// A Gemini Live session (`BidiGenerateContent`, AI Studio and Vertex) read from its WebSocket messages into
/// the common model. Google sends its JSON in binary frames, so any message whose payload is UTF-8 is read.
/// The `setup` message gives the model, system instruction and tools; the user's turns (`clientContent`,
/// `realtimeInput` text, audio transcriptions) and tool responses are the messages; each model turn is built
/// from its `modelTurn` chunks, output transcription and `toolCall`s; the last one is the output. Usage is
/// reported per turn (the last `usageMetadata` of a turn counts) and summed over the session.
enum GeminiLiveDecoder {
    /// Returns when the client first finished a turn (asked for an answer), the start of time to first token.
    static func decode(_ messages: [WebSocketMessage], into decoded: inout DecodedExchange) -> Double? {
        var session = Session()
        for message in messages where message.opcode == "text" || message.opcode == "binary" {
            guard let text = message.text, let json = JSONValue.parse(text), json.object != nil else { continue }
            if message.direction == .client {
                session.client(json, at: message.tMs, decoded: &decoded)
            } else {
                session.server(json, at: message.tMs, decoded: &decoded)
            }
        }
        session.endTurn()
        var conversation = session.conversation
        if !session.turn.parts.isEmpty { conversation.output = [session.turn] } else { conversation.output = session.lastOutput }
        conversation.usage = session.usage
        decoded.conversation = conversation
        decoded.requestedStream = true
        return session.turnRequestedMs
    }

    private struct Session {
        var conversation = Conversation()
        /// The model turn being received.
        var turn = Conversation.Message(role: "assistant", parts: [])
        /// The model's last completed turn, the output unless a newer one has begun.
        var lastOutput: [Conversation.Message] = []
        /// What the user said (input audio transcription) in the current turn, and the audio it was said in.
        var heard = ""
        var heardAudio = LiveAudio(sampleRate: 16_000)
        /// The model turn's audio, for its duration.
        var turnAudio = LiveAudio(sampleRate: 24_000)
        var usage = LLMUsage()
        var turnUsage: LLMUsage?
        var turnRequestedMs: Double?

        mutating func client(_ json: JSONValue, at tMs: Double, decoded: inout DecodedExchange) {
            if let setup = json["setup"] {
                if let model = setup["model"]?.nonEmptyString { decoded.requestModel = model }
                if let system = setup.field("systemInstruction") {
                    conversation.system = system.string ?? ConversationBuilding.text(of: GeminiParts.parts(system))
                }
                conversation.tools = setup["tools"].arrayOrEmpty.flatMap(GeminiParts.tools)
                var parameters: [String: JSONValue] = [:]
                for (key, value) in setup.field("generationConfig")?.object ?? [:] { parameters[key] = value }
                conversation.parameters = parameters
            } else if let content = json.field("clientContent") {
                userSpeaks()
                conversation.messages += GeminiParts.contents(content["turns"])
                if content.field("turnComplete")?.bool == true { requested(at: tMs) }
            } else if let input = json.field("realtimeInput") {
                for blob in [input["audio"]].compactMap({ $0 }) + input.field("mediaChunks").arrayOrEmpty {
                    guard let rate = LiveAudio.sampleRate(mimeType: blob.field("mimeType")?.string, default: 16_000),
                          let data = blob["data"]?.string else { continue }
                    heardAudio.sampleRate = rate
                    heardAudio.add(base64: data)
                }
                if let text = input["text"]?.nonEmptyString {
                    userSpeaks()
                    conversation.messages.append(Conversation.Message(role: "user", parts: [.text(text)]))
                    requested(at: tMs)
                }
            } else if let response = json.field("toolResponse") {
                userSpeaks()
                let parts = response.field("functionResponses").arrayOrEmpty.compactMap { GeminiParts.part(.object(["functionResponse": $0])) }
                if !parts.isEmpty { conversation.messages.append(Conversation.Message(role: "tool", parts: parts)) }
                requested(at: tMs)
            }
        }

        mutating func server(_ json: JSONValue, at tMs: Double, decoded: inout DecodedExchange) {
            if let reported = GeminiParts.usage(json.field("usageMetadata")) { turnUsage = reported }
            if let content = json.field("serverContent") {
                if let heardText = content.field("inputTranscription")?["text"]?.string, !heardText.isEmpty {
                    heard += heardText
                    // Voice activity detection ends the user's turn on the server; hearing it is the nearest mark.
                    requested(at: tMs)
                }
                for raw in content.field("modelTurn")?["parts"].arrayOrEmpty ?? [] {
                    guard let blob = raw.field("inlineData"),
                          let rate = LiveAudio.sampleRate(mimeType: blob.field("mimeType")?.string, default: 24_000),
                          let data = blob["data"]?.string else { continue }
                    turnAudio.sampleRate = rate
                    turnAudio.add(base64: data)
                }
                for part in GeminiParts.parts(content.field("modelTurn")) {
                    decoded.noteOutput(at: tMs)
                    modelSays(part)
                }
                if let said = content.field("outputTranscription")?["text"]?.string, !said.isEmpty {
                    decoded.noteOutput(at: tMs)
                    transcribe(said)
                }
                if content["interrupted"]?.bool == true { conversation.finishReason = "interrupted" }
                if content.field("turnComplete")?.bool == true {
                    if content["interrupted"]?.bool != true { conversation.finishReason = "turn_complete" }
                    decoded.sawFinalEvent = true
                    endTurn()
                }
            }
            if let call = json.field("toolCall") {
                for function in call.field("functionCalls").arrayOrEmpty {
                    decoded.noteOutput(at: tMs)
                    modelBegins()
                    if let part = GeminiParts.part(.object(["functionCall": function])) { turn.parts.append(part) }
                }
                // The model's turn ends in its calls: it waits for their responses.
                conversation.finishReason = "tool_call"
                decoded.sawFinalEvent = true
                endTurn()
            }
            if let goAway = json.field("goAway") {
                decoded.noteError("the server is closing the session (goAway, \(goAway.field("timeLeft")?.string ?? "now"))")
            }
        }

        /// The model's turn ends: its usage counts, and it becomes the last output.
        mutating func endTurn() {
            if let turnUsage { usage.add(turnUsage) }
            turnUsage = nil
            if let index = turn.parts.lastIndex(where: { $0.type == "audio" }) { turn.parts[index].durationMs = turnAudio.durationMs }
            turnAudio = LiveAudio(sampleRate: turnAudio.sampleRate)
            if !turn.parts.isEmpty {
                lastOutput = [turn]
                turn = Conversation.Message(role: "assistant", parts: [])
            }
        }

        /// The user takes a turn: what the model said before is now part of what it sees.
        mutating func userSpeaks() {
            endTurn()
            conversation.messages += lastOutput
            lastOutput = []
            flushHeard()
        }

        mutating func flushHeard() {
            guard !heard.isEmpty else { return }
            conversation.messages.append(Conversation.Message(role: "user", parts: [
                Conversation.Part(type: "audio", text: heard, durationMs: heardAudio.durationMs)]))
            heard = ""
            heardAudio = LiveAudio(sampleRate: heardAudio.sampleRate)
        }

        mutating func requested(at tMs: Double) {
            if turnRequestedMs == nil { turnRequestedMs = tMs }
        }

        /// What was heard before the model answers is the user's turn, spoken.
        mutating func modelBegins() {
            guard !heard.isEmpty else { return }
            conversation.messages += lastOutput
            lastOutput = []
            flushHeard()
        }

        /// Audio arrives as many inline chunks: one audio part stands for them (and holds the transcript).
        mutating func modelSays(_ part: Conversation.Part) {
            modelBegins()
            if part.type == "audio", turn.parts.last?.type == "audio" { return }
            GeminiParts.append(part, to: &turn.parts)
        }

        mutating func transcribe(_ text: String) {
            modelBegins()
            if let index = turn.parts.lastIndex(where: { $0.type == "audio" }) {
                turn.parts[index].text = (turn.parts[index].text ?? "") + text
            } else {
                turn.parts.append(Conversation.Part(type: "audio", text: text))
            }
        }
    }
}

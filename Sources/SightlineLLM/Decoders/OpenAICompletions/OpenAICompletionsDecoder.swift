import SightlineCore
/// The legacy `/completions` endpoint (still what many local servers and `gpt-3.5-turbo-instruct`
/// speak): a prompt in, `choices[].text` out.
struct OpenAICompletionsDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        result.requestedStream = body["stream"]?.bool
        let prompts: [String] = body["prompt"]?.string.map { [$0] } ?? body["prompt"].arrayOrEmpty.compactMap(\.string)
        if !prompts.isEmpty {
            result.conversation.messages = [Conversation.Message(role: "user", parts: prompts.map(Conversation.Part.text))]
        }
        result.conversation.parameters = ConversationBuilding.parameters(of: body, excluding: ["model", "prompt"])
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseModel = body["model"]?.nonEmptyString
        result.responseID = body["id"]?.nonEmptyString
        let choices = OpenAIChatDecoder.sortedChoices(body["choices"].arrayOrEmpty)
        result.conversation.output = choices.map { choice in
            let text = choice["text"]?.string ?? ""
            return Conversation.Message(role: "assistant", parts: text.isEmpty ? [] : [.text(text)])
        }
        result.conversation.finishReason = choices.first?["finish_reason"]?.nonEmptyString
        if let usage = OpenAIUsage.parse(body["usage"]) { result.conversation.usage = usage }
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        var texts: [Int: String] = [:]
        var finishReasons: [Int: String] = [:]
        for event in events {
            if event.isDone {
                result.sawFinalEvent = true
                continue
            }
            guard let chunk = event.json else { continue }
            if let model = chunk["model"]?.nonEmptyString { result.responseModel = model }
            if result.responseID == nil { result.responseID = chunk["id"]?.nonEmptyString }
            if let usage = OpenAIUsage.parse(chunk["usage"]) { result.conversation.usage = usage }
            for choice in chunk["choices"].arrayOrEmpty {
                let index = choice["index"]?.int ?? 0
                if let text = choice["text"]?.nonEmptyString {
                    texts[index, default: ""] += text
                    result.noteOutput(at: event.tMs)
                }
                if let reason = choice["finish_reason"]?.nonEmptyString { finishReasons[index] = reason }
            }
        }
        let indices = Set(texts.keys).union(finishReasons.keys).sorted()
        result.conversation.output = indices.map { index in
            let text = texts[index] ?? ""
            return Conversation.Message(role: "assistant", parts: text.isEmpty ? [] : [.text(text)])
        }
        result.conversation.finishReason = indices.first.flatMap { finishReasons[$0] }
    }
}

import SightlineCore
/// Anthropic Messages (`/v1/messages`), also as Claude on Vertex (`:rawPredict`).
struct AnthropicMessagesDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        result.requestedStream = body["stream"]?.bool
        result.conversation = Self.requestConversation(body)
    }

    static func requestConversation(_ body: JSONValue) -> Conversation {
        var conversation = Conversation()
        if let system = body["system"] {
            conversation.system = system.string ?? ConversationBuilding.text(of: AnthropicContentBlocks.parts(system))
        }
        conversation.messages = body["messages"].arrayOrEmpty.compactMap(AnthropicContentBlocks.message)
        conversation.tools = body["tools"].arrayOrEmpty.compactMap { tool in
            guard let name = tool["name"]?.nonEmptyString ?? tool["type"]?.nonEmptyString else { return nil }
            return Conversation.Tool(name: name, description: tool["description"]?.string, schema: tool["input_schema"])
        }
        conversation.parameters = ConversationBuilding.parameters(
            of: body, excluding: ["model", "messages", "system", "tools"])
        return conversation
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseModel = body["model"]?.nonEmptyString
        result.responseID = body["id"]?.nonEmptyString
        let parts = AnthropicContentBlocks.parts(body["content"])
        result.conversation.output = [Conversation.Message(role: body["role"]?.nonEmptyString ?? "assistant", parts: parts)]
        result.conversation.finishReason = body["stop_reason"]?.nonEmptyString
        result.conversation.usage = AnthropicContentBlocks.usage(body["usage"])
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        AnthropicStreamAssembler.assemble(events, into: &result)
    }
}

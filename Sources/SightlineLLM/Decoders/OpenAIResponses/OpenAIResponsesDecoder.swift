import SightlineCore
/// OpenAI's Responses API (`/v1/responses`).
struct OpenAIResponsesDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        result.requestModel = body["model"]?.nonEmptyString
        result.requestedStream = body["stream"]?.bool
        result.previousResponseID = body["previous_response_id"]?.nonEmptyString
        var conversation = result.conversation
        conversation.system = body["instructions"]?.nonEmptyString
        if let text = body["input"]?.string {
            conversation.messages = [Conversation.Message(role: "user", parts: [.text(text)])]
        } else {
            conversation.messages = body["input"].arrayOrEmpty.compactMap(OpenAIResponsesItems.message)
        }
        conversation.liftLeadingSystemMessages()
        conversation.tools = body["tools"].arrayOrEmpty.compactMap(ConversationBuilding.openAITool)
        conversation.parameters = ConversationBuilding.parameters(
            of: body, excluding: ["model", "input", "instructions", "tools"])
        result.conversation = conversation
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        result.responseModel = body["model"]?.nonEmptyString
        result.responseID = body["id"]?.nonEmptyString
        let parts = body["output"].arrayOrEmpty.flatMap(OpenAIResponsesItems.outputParts)
        result.conversation.output = parts.isEmpty ? [] : [Conversation.Message(role: "assistant", parts: parts)]
        // The Responses API has no finish reason: its status, or why it is incomplete, says the same.
        result.conversation.finishReason = body["incomplete_details"]?["reason"]?.nonEmptyString
            ?? body["status"]?.nonEmptyString
        if let usage = OpenAIUsage.parse(body["usage"]) { result.conversation.usage = usage }
        if let error = body["error"], error.object != nil {
            result.noteError(ProviderErrorDecoder.describe(openAIError: error))
        }
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        var assembler = OpenAIResponsesStreamAssembler()
        for event in events { assembler.consume(event, into: &result, decoder: self) }
        assembler.finish(into: &result)
    }
}

import SightlineCore
/// Amazon Bedrock's Converse and ConverseStream (`/model/{modelId}/converse[-stream]`), and InvokeModel for
/// Amazon Nova, whose native body has the same shape. The model is named by the URL, not the body.
struct BedrockConverseDecoder: WireFormatDecoder {
    func decodeRequest(_ body: JSONValue, into result: inout DecodedExchange) {
        var conversation = Conversation()
        let system = body["system"].arrayOrEmpty.compactMap { $0["text"]?.string }
        conversation.system = system.isEmpty ? nil : system.joined(separator: "\n")
        conversation.messages = body["messages"].arrayOrEmpty.compactMap(BedrockContentBlocks.message)
        conversation.tools = body["toolConfig"]?["tools"].arrayOrEmpty.compactMap { tool in
            guard let spec = tool["toolSpec"], let name = spec["name"]?.nonEmptyString else { return nil }
            return Conversation.Tool(name: name, description: spec["description"]?.string, schema: spec["inputSchema"]?["json"])
        } ?? []
        // `inferenceConfig`'s settings (maxTokens, temperature, topP, stopSequences) are the parameters a
        // reader looks for; the other top-level fields are kept as they came.
        var parameters = ConversationBuilding.parameters(
            of: body, excluding: ["messages", "system", "toolConfig", "inferenceConfig", "schemaVersion"])
        for (key, value) in body["inferenceConfig"]?.object ?? [:] { parameters[key] = value }
        if let choice = body["toolConfig"]?["toolChoice"] { parameters["toolChoice"] = choice }
        conversation.parameters = parameters
        result.conversation = conversation
    }

    func decodeResponse(_ body: JSONValue, into result: inout DecodedExchange) {
        if let message = body["output"]?["message"], let output = BedrockContentBlocks.message(message) {
            result.conversation.output = [output]
        }
        result.conversation.finishReason = body["stopReason"]?.nonEmptyString
        result.conversation.usage = BedrockContentBlocks.usage(body["usage"])
    }

    func decodeStream(_ events: [StreamEvent], into result: inout DecodedExchange) {
        BedrockConverseStreamAssembler.assemble(events, into: &result)
    }
}

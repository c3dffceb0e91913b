import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("Provider and endpoint detection")
struct EndpointDetectorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var url: String
        var provider: String
        var endpoint: String
        var model: String? = nil
        var testDescription: String { url }
    }

    static let cases: [Case] = [
        Case(url: "https://api.openai.com/v1/chat/completions", provider: "openai", endpoint: "chat.completions"),
        Case(url: "https://api.openai.com/v1/responses", provider: "openai", endpoint: "responses"),
        Case(url: "https://api.openai.com/v1/embeddings", provider: "openai", endpoint: "embeddings"),
        Case(url: "https://api.openai.com/v1/completions", provider: "openai", endpoint: "completions"),
        Case(url: "https://my-res.openai.azure.com/openai/deployments/prod-4o/chat/completions?api-version=2024-10-21",
             provider: "azure-openai", endpoint: "chat.completions", model: "prod-4o"),
        Case(url: "https://api.anthropic.com/v1/messages", provider: "anthropic", endpoint: "messages"),
        Case(url: "https://api.anthropic.com/v1/messages/count_tokens", provider: "anthropic",
             endpoint: "messages.count_tokens"),
        Case(url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent",
             provider: "gemini", endpoint: "generateContent", model: "gemini-2.0-flash"),
        Case(url: "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse&key=REDACTED",
             provider: "gemini", endpoint: "streamGenerateContent", model: "gemini-2.5-pro"),
        Case(url: "https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:embedContent",
             provider: "gemini", endpoint: "embedContent", model: "text-embedding-004"),
        Case(url: "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.0-flash-001:generateContent",
             provider: "vertex", endpoint: "generateContent", model: "gemini-2.0-flash-001"),
        Case(url: "https://us-east5-aiplatform.googleapis.com/v1/projects/p1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4@20250514:streamRawPredict",
             provider: "vertex", endpoint: "messages", model: "claude-sonnet-4@20250514"),
        Case(url: "https://api.mistral.ai/v1/chat/completions", provider: "mistral", endpoint: "chat.completions"),
        Case(url: "https://api.groq.com/openai/v1/chat/completions", provider: "groq", endpoint: "chat.completions"),
        Case(url: "https://api.together.xyz/v1/chat/completions", provider: "together", endpoint: "chat.completions"),
        Case(url: "https://openrouter.ai/api/v1/chat/completions", provider: "openrouter", endpoint: "chat.completions"),
        Case(url: "https://api.deepseek.com/chat/completions", provider: "deepseek", endpoint: "chat.completions"),
        Case(url: "https://api.x.ai/v1/chat/completions", provider: "xai", endpoint: "chat.completions"),
        Case(url: "https://api.fireworks.ai/inference/v1/chat/completions", provider: "fireworks",
             endpoint: "chat.completions"),
        Case(url: "http://localhost:8000/v1/chat/completions", provider: "openai-compatible", endpoint: "chat.completions"),
        Case(url: "http://10.0.0.5:8080/v1/completions", provider: "openai-compatible", endpoint: "completions"),
        Case(url: "http://llm.internal/v1/embeddings", provider: "openai-compatible", endpoint: "embeddings"),
        Case(url: "http://localhost:11434/api/chat", provider: "ollama", endpoint: "ollama.chat"),
        Case(url: "http://localhost:11434/api/generate", provider: "ollama", endpoint: "ollama.generate"),
        Case(url: "http://127.0.0.1:9020/openai/v1/chat/completions", provider: "openai", endpoint: "chat.completions"),
        Case(url: "http://127.0.0.1:9020/anthropic/v1/messages", provider: "anthropic", endpoint: "messages"),
        Case(url: "http://127.0.0.1:9020/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse",
             provider: "gemini", endpoint: "streamGenerateContent", model: "gemini-2.0-flash"),
        Case(url: "http://127.0.0.1:9020/groq/openai/v1/chat/completions", provider: "groq", endpoint: "chat.completions"),
        Case(url: "http://127.0.0.1:9020/v1/chat/completions", provider: "openai-compatible", endpoint: "chat.completions"),
        Case(url: "https://api.cohere.com/v2/chat", provider: "cohere", endpoint: "chat"),
        // boto3 percent-encodes the `:` of a model id.
        Case(url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-5-haiku-20241022-v1%3A0/converse",
             provider: "bedrock", endpoint: "converse", model: "us.anthropic.claude-3-5-haiku-20241022-v1:0"),
        Case(url: "https://bedrock-runtime.eu-west-1.amazonaws.com/model/amazon.nova-pro-v1:0/converse-stream",
             provider: "bedrock", endpoint: "converse-stream", model: "amazon.nova-pro-v1:0"),
        Case(url: "https://bedrock-runtime-fips.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/invoke",
             provider: "bedrock", endpoint: "invoke", model: "anthropic.claude-3-5-sonnet-20241022-v2:0"),
        Case(url: "https://bedrock-runtime.us-west-2.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-west-2%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-20250514-v1%3A0/invoke-with-response-stream",
             provider: "bedrock", endpoint: "invoke-with-response-stream",
             model: "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us.anthropic.claude-sonnet-4-20250514-v1:0"),
        // A local Bedrock mock (an endpoint URL override): the model id says it is Bedrock's.
        Case(url: "http://127.0.0.1:4566/model/anthropic.claude-3-5-sonnet-20241022-v2%3A0/invoke",
             provider: "bedrock", endpoint: "invoke", model: "anthropic.claude-3-5-sonnet-20241022-v2:0"),
        Case(url: "http://localhost:8080/model/my-model/converse", provider: "bedrock", endpoint: "converse", model: "my-model"),
    ]

    @Test(arguments: cases)
    func detects(_ c: Case) throws {
        let route = try #require(EndpointDetector.detect(method: "POST", url: c.url, headers: []))
        #expect(route.provider == c.provider)
        #expect(route.endpoint == c.endpoint)
        #expect(route.modelFromPath == c.model)
    }

    @Test(arguments: [
        "https://api.openai.com/v1/models",
        "https://api.openai.com/v1/threads/thread_abc/messages",
        "https://example.com/index.html",
        "https://api.anthropic.com/v1/models",
        "http://localhost:11434/api/tags",
        "https://ml.example.com/model/resnet/invoke", // InvokeModel's path off a Bedrock host, without a Bedrock model id
        "https://ml.example.com/model/v1.2/invoke",
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-pro-v1:0/apply-guardrail",
    ])
    func nonLLMTrafficIsNotDetected(_ url: String) {
        #expect(EndpointDetector.detect(method: "POST", url: url, headers: []) == nil)
    }

    @Test func getRequestsAreNotModelCalls() {
        #expect(EndpointDetector.detect(method: "GET", url: "https://api.openai.com/v1/chat/completions", headers: []) == nil)
        let exchange = ExchangeBuilder.exchange(url: "https://api.openai.com/v1/models", request: [], response: [],
                                                method: "GET")
        #expect(analyze(exchange) == nil)
    }

    @Test func gatewayTargetHeaderNamesTheUpstream() {
        let headers = [HeaderField("Sightline-Target-Url", "https://api.anthropic.com")]
        let route = EndpointDetector.detect(method: "POST", url: "http://127.0.0.1:9020/v1/messages", headers: headers)
        #expect(route?.provider == "anthropic")
        #expect(route?.format == .anthropicMessages)
    }

    @Test func anthropicVersionHeaderMarksAnthropicShapedMessages() {
        let headers = [HeaderField("anthropic-version", "2023-06-01")]
        let route = EndpointDetector.detect(method: "POST", url: "https://api.deepseek.com/anthropic/messages", headers: headers)
        #expect(route?.provider == "deepseek")
        #expect(route?.endpoint == "messages")
    }
}

@Suite("Bedrock and Cohere routes")
struct BedrockAndCohereRouteTests {
    @Test func invokeBodiesAreReadByTheModelVendor() {
        let host = "https://bedrock-runtime.us-east-1.amazonaws.com/model/"
        #expect(EndpointDetector.detect(method: "POST", url: host + "anthropic.claude-3-5-sonnet-20241022-v2:0/invoke",
                                        headers: [])?.format == .anthropicMessages)
        #expect(EndpointDetector.detect(method: "POST", url: host + "us.amazon.nova-lite-v1:0/invoke", headers: [])?.format
                == .bedrockConverse)
        let stream = EndpointDetector.detect(method: "POST", url: host + "anthropic.claude-3-5-sonnet-20241022-v2:0/invoke-with-response-stream",
                                             headers: [])
        #expect(stream?.alwaysStreams == true)
        #expect(stream?.modelFromPathFirst == true)
    }

    @Test func cohereV2ChatHasItsOwnDecoder() {
        #expect(EndpointDetector.detect(method: "POST", url: "https://api.cohere.com/v2/chat", headers: [])?.format == .cohereChat)
    }
}

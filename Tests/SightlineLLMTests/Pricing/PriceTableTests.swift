import Foundation
import Testing
@testable import SightlineLLM

@Suite("Price table")
struct PriceTableTests {
    static let table = PriceTable.load(userFile: nil)

    @Test func bundledTableIsDatedAndSourced() {
        #expect(Self.table.updated?.count == 10)
        #expect(Self.table.sources.contains { $0.contains("openai.com") })
        #expect(Self.table.sources.contains { $0.contains("anthropic.com") })
        #expect(Self.table.models.count > 50)
        #expect(Self.table.models["gpt-4o"] == ModelPrice(provider: "openai", input: 2.5, cachedInput: 1.25, output: 10))
    }

    @Test(arguments: [
        ("gpt-4o-2024-08-06", "gpt-4o"),
        ("gpt-4o-mini", "gpt-4o-mini"),
        ("gpt-4o-mini-2024-07-18", "gpt-4o-mini"),
        ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
        ("claude-sonnet-4-20250514", "claude-sonnet-4"),
        ("claude-opus-4-1-20250805", "claude-opus-4-1"),
        ("claude-3-5-sonnet-v2@20241022", "claude-3-5-sonnet"),
        ("gemini-2.0-flash-001", "gemini-2.0-flash"),
        ("models/gemini-2.5-flash", "gemini-2.5-flash"),
        ("gemini-2.5-flash-lite-preview-06-17", "gemini-2.5-flash-lite"),
        ("openai/gpt-4o", "gpt-4o"),
        ("anthropic/claude-3.5-sonnet", "claude-3-5-sonnet"),
        ("mistral-large-2411", "mistral-large"),
        ("mistral-small-latest", "mistral-small"),
        ("gpt-4-0613", "gpt-4"),
        ("o3-mini-2025-01-31", "o3-mini"),
        ("anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet"),
        ("us.anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku"),
        ("apac.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),
        ("global.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5"),
        ("anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4"),
        ("amazon.nova-pro-v1:0", "nova-pro"),
        ("us.amazon.nova-lite-v1:0", "nova-lite"),
        ("amazon.nova-micro-v1:0", "nova-micro"),
        ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0", "nova-pro"),
        ("command-r-plus-08-2024", "command-r-plus"),
        ("command-r-08-2024", "command-r"),
        ("command-a-03-2025", "command-a"),
    ])
    func datedNamesResolveToTheirFamily(_ model: String, _ family: String) throws {
        let expected = try #require(Self.table.models[family])
        #expect(Self.table.price(provider: nil, model: model) == expected)
    }

    @Test(arguments: ["gpt-4o-mini-tts", "gpt-4o-realtime-preview-xyz", "llama3.2", "my-finetune", "claude-9", "", "gpt"])
    func unknownModelsHaveNoPrice(_ model: String) {
        #expect(Self.table.price(provider: nil, model: model) == nil)
        #expect(Self.table.cost(provider: "openai", model: model, usage: LLMUsage(inputTokens: 10, outputTokens: 10)) == nil)
    }

    @Test func miniNeverPricesAsTheLargerModel() {
        let mini = Self.table.price(provider: "openai", model: "gpt-4o-mini-2024-07-18")
        #expect(mini?.input == decimal("0.15"))
        #expect(Self.table.price(provider: "openai", model: "gpt-4.1-nano")?.input == decimal("0.1"))
    }

    @Test func bedrockPricesItsOwnListings() {
        let llama = Self.table.price(provider: "bedrock", model: "meta.llama3-1-70b-instruct-v1:0")
        #expect(llama == ModelPrice(provider: "bedrock", input: decimal("0.72")!, output: decimal("0.72")!))
        #expect(Self.table.price(provider: nil, model: "meta.llama3-1-70b-instruct-v1:0") == nil, "a Bedrock-only entry")
        #expect(Self.table.price(provider: "bedrock", model: "mistral.mistral-large-2407-v1:0")?.output == 6)
        #expect(Self.table.price(provider: "bedrock", model: "mistral.mistral-large-2402-v1:0")?.output == 12)
        // Cohere's models on Bedrock have Bedrock's prices, not Cohere's.
        #expect(Self.table.price(provider: "bedrock", model: "cohere.command-r-plus-v1:0")?.input == 3)
        #expect(Self.table.price(provider: "cohere", model: "command-r-plus-08-2024")?.input == decimal("2.5"))
    }

    @Test func providerSpecificEntriesWinForThatProvider() {
        #expect(Self.table.price(provider: "groq", model: "llama-3.3-70b-versatile")?.input == decimal("0.59"))
        #expect(Self.table.price(provider: "together", model: "llama-3.3-70b-versatile") == nil)
    }

    @Test func openAIInputIncludesCachedTokensAnthropicsDoesNot() {
        let usage = LLMUsage(inputTokens: 1000, outputTokens: 100, cachedInputTokens: 400)
        // gpt-4o: 600 × 2.5 + 400 × 1.25 + 100 × 10 = 1500 + 500 + 1000 = 3000 per million.
        #expect(Self.table.cost(provider: "openai", model: "gpt-4o", usage: usage) == decimal("0.003"))
        // claude-sonnet-4: 1000 × 3 + 400 × 0.3 + 100 × 15 = 3000 + 120 + 1500 = 4620 per million.
        #expect(Self.table.cost(provider: "anthropic", model: "claude-sonnet-4", usage: usage) == decimal("0.00462"))
    }

    @Test func usageWithoutTokenCountsHasUnknownCost() {
        #expect(Self.table.cost(provider: "openai", model: "gpt-4o", usage: LLMUsage()) == nil)
        #expect(Self.table.cost(provider: "openai", model: "gpt-4o", usage: LLMUsage(inputTokens: 0, outputTokens: 0)) == 0)
    }

    @Test func userFileOverridesAndAdds() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("prices-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("""
        {"updated":"2030-01-01","models":{"gpt-4o":{"provider":"openai","input":1,"output":2},
         "my-finetune":{"input":0.5,"output":0.75},"broken":{"output":1}}}
        """.utf8).write(to: file)
        let table = PriceTable.load(userFile: file)
        #expect(table.updated == "2030-01-01")
        #expect(table.price(provider: nil, model: "gpt-4o-2024-08-06")?.input == 1)
        #expect(table.price(provider: nil, model: "my-finetune")?.output == decimal("0.75"))
        #expect(table.price(provider: nil, model: "broken") == nil)
        #expect(table.price(provider: nil, model: "gpt-4o-mini") == Self.table.price(provider: nil, model: "gpt-4o-mini"))
        // Without a cached price, cached tokens cost the input price.
        let usage = LLMUsage(inputTokens: 100, outputTokens: 10, cachedInputTokens: 50)
        #expect(table.cost(provider: "openai", model: "gpt-4o", usage: usage) == decimal("0.00012"))
    }

    @Test func missingOrMalformedUserFileIsIgnored() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/prices.json")
        #expect(PriceTable.load(userFile: missing).models.count == Self.table.models.count)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data("{\"models\": [1, 2".utf8).write(to: file)
        let table = PriceTable.load(userFile: file)
        #expect(table.models.count == Self.table.models.count)
        #expect(table.updated == Self.table.updated)
    }

    @Test func pricesAreExactDecimals() {
        // 0.075 as a Double is not exactly 0.075; the table must not carry the binary error into costs.
        #expect(Self.table.models["gpt-4o-mini"]?.cachedInput == decimal("0.075"))
        #expect(Self.table.models["gemini-1.5-flash"]?.cachedInput == decimal("0.01875"))
    }
}

import SightlineCore
import Testing

@Suite("HostPattern and InterceptPolicy")
struct HostPatternTests {
    @Test("an exact pattern matches that host only, ignoring case and a trailing dot")
    func exact() {
        let pattern = HostPattern("API.OpenAI.com")
        #expect(pattern.description == "api.openai.com")
        #expect(pattern.matches("api.openai.com"))
        #expect(pattern.matches("Api.OPENAI.com."))
        #expect(!pattern.matches("api.openai.com.evil.example"))
        #expect(!pattern.matches("xapi.openai.com"))
        #expect(!pattern.matches(""))
    }

    @Test("* matches any run of characters, but the fixed parts must all be there")
    func wildcards() {
        let azure = HostPattern("*.openai.azure.com")
        #expect(azure.matches("mine.openai.azure.com"))
        #expect(azure.matches("a.b.openai.azure.com"))
        #expect(!azure.matches("openai.azure.com"), "the dot before the suffix is part of the pattern")
        #expect(!azure.matches("mine.openai.azure.com.evil.example"))

        let bedrock = HostPattern("bedrock-runtime.*.amazonaws.com")
        #expect(bedrock.matches("bedrock-runtime.us-east-1.amazonaws.com"))
        #expect(!bedrock.matches("bedrock-runtime.amazonaws.com"), "prefix and suffix may not overlap")
        #expect(!bedrock.matches("bedrock.us-east-1.amazonaws.com"))

        let middle = HostPattern("a*b*c")
        #expect(middle.matches("abc") && middle.matches("axxbyyc"))
        #expect(!middle.matches("acb"))
        #expect(HostPattern("*").matches("anything.example"))
        #expect(HostPattern("*-aiplatform.googleapis.com").matches("us-central1-aiplatform.googleapis.com"))
    }

    @Test("the known LLM hosts are intercepted by default, other hosts are tunnelled")
    func defaultPolicy() {
        let policy = InterceptPolicy()
        for host in ["api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "myres.openai.azure.com",
                     "bedrock-runtime.eu-west-1.amazonaws.com", "oai.helicone.ai", "openrouter.ai"] {
            #expect(policy.shouldIntercept(host: host), "\(host)")
        }
        for host in ["example.com", "pypi.org", "api.openai.com.attacker.example", "github.com"] {
            #expect(!policy.shouldIntercept(host: host), "\(host)")
        }
    }

    @Test("--passthrough wins over --intercept-all, which wins over the list")
    func precedence() {
        let all = InterceptPolicy(interceptAll: true)
        #expect(all.shouldIntercept(host: "example.com"))
        let passthrough = InterceptPolicy(passthrough: [HostPattern("*.openai.azure.com"), HostPattern("api.anthropic.com")],
                                          interceptAll: true)
        #expect(!passthrough.shouldIntercept(host: "mine.openai.azure.com"))
        #expect(!passthrough.shouldIntercept(host: "API.Anthropic.com"))
        #expect(passthrough.shouldIntercept(host: "api.openai.com"))
        let custom = InterceptPolicy(intercept: [HostPattern("llm.internal")])
        #expect(custom.shouldIntercept(host: "llm.internal"))
        #expect(!custom.shouldIntercept(host: "api.openai.com"), "a custom list replaces the known hosts")
    }
}

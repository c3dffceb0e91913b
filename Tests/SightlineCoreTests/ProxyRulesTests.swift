import SightlineCore
import Testing

@Suite("Origin, --map-remote and --set-header")
struct ProxyRulesTests {
    @Test("an origin parses scheme, host and port, lowercased, ignoring a path")
    func originParsing() throws {
        let origin = try #require(Origin(parsing: "HTTPS://API.Example.com:443/v1/chat?x=1"))
        #expect(origin == Origin(scheme: "https", host: "api.example.com", port: 443))
        #expect(origin.authority == "api.example.com", "the default port is left out")
        #expect(origin.description == "https://api.example.com")
        #expect(origin.isTLS)
        let local = try #require(Origin(parsing: "http://127.0.0.1:8080"))
        #expect(local.port == 8080 && !local.isTLS && local.authority == "127.0.0.1:8080")
        let v6 = try #require(Origin(parsing: "http://[::1]:11434/api"))
        #expect(v6.host == "::1" && v6.port == 11434 && v6.authority == "[::1]:11434")
        #expect(Origin(parsing: "http://[::1]")?.port == 80)
        for bad in ["ftp://example.com", "example.com", "https://", "https://h:0", "https://h:65536", "https://h:abc",
                    "https://a:1:2", "http://[::1", "http://[::1]x"] {
            #expect(Origin(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("--map-remote FROM=TO splits at the second URL")
    func mapRemote() throws {
        let rule = try #require(MapRemoteRule(parsing: "https://api.openai.com=http://127.0.0.1:8080"))
        #expect(rule.from == Origin(scheme: "https", host: "api.openai.com", port: 443))
        #expect(rule.to == Origin(scheme: "http", host: "127.0.0.1", port: 8080))
        #expect(MapRemoteRule(parsing: "https://api.openai.com") == nil)
        #expect(MapRemoteRule(parsing: "api.openai.com=http://127.0.0.1") == nil)
    }

    @Test("--set-header applies to every host, or to HOST: alone; the value may hold =")
    func setHeader() throws {
        let everywhere = try #require(SetHeaderRule(parsing: "X-Env=prod"))
        #expect(everywhere.host == nil && everywhere.name == "X-Env" && everywhere.value == "prod")
        #expect(everywhere.applies(to: "anything.example"))
        let scoped = try #require(SetHeaderRule(parsing: "*.openai.com:X-Token=a=b"))
        #expect(scoped.host == HostPattern("*.openai.com") && scoped.name == "X-Token" && scoped.value == "a=b")
        #expect(scoped.applies(to: "api.openai.com"))
        #expect(!scoped.applies(to: "api.anthropic.com"))
        #expect(SetHeaderRule(parsing: "X-Empty=")?.value == "")
        for bad in ["=v", ":X=v", "host:=v", "no-equals"] {
            #expect(SetHeaderRule(parsing: bad) == nil, "\(bad)")
        }
    }
}

@Suite("ASCII search")
struct ASCIISearchTests {
    @Test("finds an ASCII needle in text with multi-byte characters, as Foundation's range(of:) does")
    func agreesWithFoundation() {
        let cases = ["https://api.openai.com/v1", "://", "x:/", "é://ü/model/x", "/model", "nothing", "", "a::://b", "日本://x/model/y/z"]
        for text in cases {
            for needle in [":/" + "/", "/model/"] {
                let ours = needle == "://" ? text.firstRange(ofASCII: "://") : text.firstRange(ofASCII: "/model/")
                let foundation = text.range(of: needle)
                #expect(ours == foundation, "\(needle) in \(text)")
                let sub = Substring(text).dropFirst(min(1, text.count))
                let subOurs = needle == "://" ? sub.firstRange(ofASCII: "://") : sub.firstRange(ofASCII: "/model/")
                #expect(subOurs == sub.range(of: needle), "\(needle) in the substring \(sub)")
            }
        }
    }

    @Test("an origin's text keeps the scheme's default port out and brackets IPv6 hosts")
    func originText() {
        #expect(Origin(scheme: "HTTPS", host: "API.openai.com", port: 443).description == "https://api.openai.com")
        #expect(Origin(scheme: "http", host: "localhost", port: 80).description == "http://localhost")
        #expect(Origin(scheme: "http", host: "localhost", port: 8080).description == "http://localhost:8080")
        #expect(Origin(scheme: "https", host: "::1", port: 8443).authority == "[::1]:8443")
        #expect(Origin(scheme: "wss", host: "realtime.example", port: 443).description == "wss://realtime.example")
        #expect(Origin(parsing: "https://Example.com:443/v1")?.description == "https://example.com")
    }
}

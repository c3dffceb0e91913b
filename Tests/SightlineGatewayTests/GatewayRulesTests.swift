import SightlineCore
import Testing
@testable import SightlineGateway

@Suite struct CacheKeyTests {
    let policy = CachePolicy(maxAgeSeconds: 60, bucketSize: 1, seed: nil, ignoredKeys: [])
    let url = "https://api.openai.com/v1/chat/completions"
    let auth = [HeaderField("Authorization", "Bearer sk-one")]

    @Test func sameRequestSameKeyWhateverTheKeyOrderOfTheBody() {
        let a = CacheKey(method: "POST", url: url, headers: auth, body: Array(#"{"model":"m","messages":[1,2]}"#.utf8), policy: policy)
        let b = CacheKey(method: "post", url: url, headers: auth, body: Array(#"{ "messages":[1,2], "model":"m" }"#.utf8), policy: policy)
        #expect(a.hex == b.hex)
        #expect(a.hex.count == 64)
    }

    @Test func differentCredentialSeedOrBodyMisses() {
        let body = Array(#"{"model":"m"}"#.utf8)
        let base = CacheKey(method: "POST", url: url, headers: auth, body: body, policy: policy)
        #expect(base != CacheKey(method: "POST", url: url, headers: [HeaderField("Authorization", "Bearer sk-two")], body: body, policy: policy))
        var seeded = policy
        seeded.seed = "a"
        #expect(base != CacheKey(method: "POST", url: url, headers: auth, body: body, policy: seeded))
        #expect(base != CacheKey(method: "POST", url: url, headers: auth, body: Array(#"{"model":"n"}"#.utf8), policy: policy))
        #expect(!base.parts.values.contains { $0.contains("sk-one") })
    }

    @Test func ignoredTopLevelKeysDoNotCount() {
        var ignoring = policy
        ignoring.ignoredKeys = ["user", "metadata"]
        let a = CacheKey(method: "POST", url: url, headers: auth, body: Array(#"{"model":"m","user":"u1"}"#.utf8), policy: ignoring)
        let b = CacheKey(method: "POST", url: url, headers: auth, body: Array(#"{"model":"m","user":"u2"}"#.utf8), policy: ignoring)
        #expect(a == b)
    }

    @Test func geminiKeyQueryIsACredentialNotPartOfTheTarget() {
        let body = Array("{}".utf8)
        let a = CacheKey(method: "POST", url: "https://g/v1beta/models/x:generateContent?key=AAA&alt=sse", headers: [], body: body, policy: policy)
        let b = CacheKey(method: "POST", url: "https://g/v1beta/models/x:generateContent?key=BBB&alt=sse", headers: [], body: body, policy: policy)
        #expect(a != b)
        #expect(a.parts["url"] == "https://g/v1beta/models/x:generateContent?alt=sse")
    }
}

@Suite struct PolicyParsingTests {
    func headers(_ pairs: [(String, String)]) -> [HeaderField] { pairs.map { HeaderField($0.0, $0.1) } }

    @Test func cacheDefaultsAndBounds() throws {
        let plain = try GatewayOptions.parse(headers([("Helicone-Cache-Enabled", "true")]))
        #expect(plain.cache?.maxAgeSeconds == 604_800)
        #expect(plain.cache?.bucketSize == 1)
        #expect(plain.headers.responsePrefix == "Helicone-")
        let sized = try GatewayOptions.parse(headers([("Sightline-Cache-Enabled", "true"), ("Cache-Control", "max-age=10, s-maxage=20"),
                                                      ("Sightline-Cache-Bucket-Max-Size", "3")]))
        #expect(sized.cache?.maxAgeSeconds == 20)
        #expect(sized.cache?.bucketSize == 3)
        #expect(throws: GatewayHeaderError.self) {
            try GatewayOptions.parse(self.headers([("Sightline-Cache-Enabled", "true"), ("Sightline-Cache-Bucket-Max-Size", "21")]))
        }
        #expect(try GatewayOptions.parse(headers([("Sightline-Cache-Enabled", "false")])).cache == nil)
    }

    @Test func rateLimitPolicies() throws {
        let p = try RateLimitPolicy.parse("3;w=60")
        #expect(p.quota == 3 && p.windowSeconds == 60 && p.unit == .request && p.segment == .credential)
        let q = try RateLimitPolicy.parse("500;w=3600;u=cents;s=user")
        #expect(q.unit == .cents && q.segment == .user)
        #expect(try RateLimitPolicy.parse("5;w=1;s=team").segment == .property("team"))
        for bad in ["", "x;w=60", "3", "3;w=0", "3;w=60;u=tokens", "3;w=60;zz=1", "3;w"] {
            #expect(throws: GatewayHeaderError.self, "\(bad)") { try RateLimitPolicy.parse(bad) }
        }
    }

    @Test func retryBackoffStaysInBounds() throws {
        let policy = try #require(try RetryPolicy.parse(GatewayHeaders(headers([("Sightline-Retry-Enabled", "true"), ("Sightline-Retry-Num", "3"),
                                                                                 ("Sightline-Retry-Min-Timeout", "100"), ("Sightline-Retry-Max-Timeout", "1000")]))))
        #expect(policy.retries == 3)
        #expect(policy.delayMs(beforeRetry: 1, retryAfterSeconds: nil, jitter: 0) == 100)
        #expect(policy.delayMs(beforeRetry: 2, retryAfterSeconds: nil, jitter: 0) == 200)
        #expect(policy.delayMs(beforeRetry: 3, retryAfterSeconds: nil, jitter: 0.2) == 480)
        #expect(policy.delayMs(beforeRetry: 9, retryAfterSeconds: nil, jitter: 0.2) == 1000)
        #expect(policy.delayMs(beforeRetry: 1, retryAfterSeconds: 0.5, jitter: 0) == 500)
        #expect(policy.delayMs(beforeRetry: 1, retryAfterSeconds: 30, jitter: 0) == 1000)
        #expect(throws: GatewayHeaderError.self) {
            try RetryPolicy.parse(GatewayHeaders(self.headers([("Sightline-Retry-Enabled", "true"), ("Sightline-Retry-Num", "11")])))
        }
    }

    @Test func faultsAndFallbacks() throws {
        let fault = try FaultInjection.parse("status=503;times=2")
        #expect(fault.injectsStatus(onAttempt: 0) == 503)
        #expect(fault.injectsStatus(onAttempt: 1) == 503)
        #expect(fault.injectsStatus(onAttempt: 2) == nil)
        #expect(try FaultInjection.parse("cut-after=3").cutAfterEvents == 3)
        #expect(throws: GatewayHeaderError.self) { try FaultInjection.parse("explode=1") }

        let list = try FallbackTarget.parseList(#"[{"target-url":"https://a.example","onCodes":[429]},{"target-url":"https://b.example","headers":{"X":"1"},"bodyKeyOverride":{"model":"m2"}}]"#)
        #expect(list.count == 2)
        #expect(list[0].applies(afterStatus: 429) && !list[0].applies(afterStatus: 500))
        #expect(list[1].applies(afterStatus: 503) && list[1].applies(afterStatus: nil) && !list[1].applies(afterStatus: 400))
        #expect(list[1].headers == ["X": "1"])
        #expect(throws: GatewayHeaderError.self) { try FallbackTarget.parseList(#"[{"headers":{}}]"#) }
    }
}

@Suite struct SlidingWindowTests {
    @Test func fourthCallInTheWindowIsRefusedUntilTheFirstLeaves() {
        var window = SlidingWindow(quota: 3, windowSeconds: 60)
        #expect(window.admit(now: 0, units: 1).remaining == 2)
        #expect(window.admit(now: 1, units: 1).remaining == 1)
        #expect(window.admit(now: 2, units: 1).remaining == 0)
        let refused = window.admit(now: 3, units: 1)
        #expect(!refused.allowed)
        #expect(refused.resetSeconds == 57)
        #expect(window.admit(now: 60.5, units: 1).allowed)
    }

    @Test func centsAreChargedAfterTheCall() {
        var window = SlidingWindow(quota: 10, windowSeconds: 60)
        #expect(window.admit(now: 0, units: 0).allowed)
        window.charge(now: 0, units: 9.5)
        #expect(window.admit(now: 1, units: 0).allowed)
        window.charge(now: 1, units: 1)
        #expect(!window.admit(now: 2, units: 0).allowed)
    }
}

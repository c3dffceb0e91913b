import Foundation
import NIOCore
import NIOHTTP1
import SightlineCore
import SightlineGateway

/// The gateway state of one exchange that asked for features (cache, retries, fallbacks, rate limit,
/// faults): the held request, the attempt machine, and what goes into the response headers and the flow.
/// Confined to the connection's event loop.
final class GatewayRun {
    let options: GatewayOptions
    /// The origin the request named (before `--map-remote`), kept for the primary target's attempts.
    let primaryOrigin: Origin
    var primaryUpstreamOrigin: Origin?
    var primaryHead: HTTPRequestHead?
    var machine: GatewayAttemptStateMachine
    var requestBody: [ByteBuffer] = []
    var cacheKey: CacheKey?
    /// An attempt's request is out and its answer not yet judged.
    var attemptInFlight = false
    /// The response in hand is a failed attempt being drained before the next one.
    var discarding = false
    var pendingAction: GatewayAttemptStateMachine.Action?
    var rateLimitHeaders: [(String, String)] = []
    var cacheableBody: [UInt8]?
    var cacheableHeaders: [(String, String)] = []
    var cacheableReason = ""
    var eventsForwarded = 0
    private var newlineRun = 0
    var cut = false
    var attemptStartedAt: NIODeadline?
    /// Time spent waiting on upstreams (request out → response head), summed over attempts.
    var upstreamWait = TimeAmount.zero

    var prefix: String { options.headers.responsePrefix }

    init(options: GatewayOptions, routedOrigin: Origin) {
        self.options = options
        self.primaryOrigin = routedOrigin
        self.machine = GatewayAttemptStateMachine(retry: options.retry, fallbacks: options.fallbacks)
    }

    /// Judges an attempt's response head: true when it is to be drained and another attempt made.
    func shouldDiscard(_ head: HTTPResponseHead, exchange: Exchange, jitter: Double) -> Bool {
        let status = Int(head.status.code)
        if let started = attemptStartedAt { upstreamWait = upstreamWait + (.now() - started) }
        attemptInFlight = false
        exchange.capture.gateway?.attempts.append(.init(target: exchange.upstreamOrigin.description, status: status, error: nil,
                                                        tMs: exchange.ms()))
        let retryAfter = head.headers.first(name: "retry-after").flatMap(Double.init)
        let action = machine.attemptEnded(status: status, retryAfterSeconds: retryAfter, jitter: jitter)
        guard case .send = action else { return false }
        discarding = true
        pendingAction = action
        return true
    }

    func responseStarted(status: Int, head: HTTPResponseHead, exchange: Exchange) {
        exchange.capture.gateway?.fallbackIndex = options.fallbacks.isEmpty ? nil : machine.targetIndex
        if options.cache != nil, cacheKey != nil, status == 200 {
            cacheableBody = []
            cacheableReason = head.status.reasonPhrase
            cacheableHeaders = head.headers.filter { !["connection", "keep-alive", "transfer-encoding", "content-length"].contains($0.name.lowercased()) }
                .map { ($0.name, $0.value) }
        }
    }

    /// Headers the gateway adds to a delivered response.
    func responseHeaders(exchange: Exchange) -> [(String, String)] {
        var headers: [(String, String)] = []
        if let cache = exchange.capture.gateway?.cache { headers.append((prefix + "Cache", cache)) }
        if let key = cacheKey { headers.append(("Sightline-Cache-Key", key.hex)) }
        if let index = exchange.capture.gateway?.cacheBucketIndex { headers.append((prefix + "Cache-Bucket-Idx", "\(index)")) }
        if options.retry != nil || machine.totalAttempts > 1 { headers.append(("Sightline-Attempts", "\(machine.totalAttempts)")) }
        if !options.fallbacks.isEmpty { headers.append((prefix + "Fallback-Index", "\(machine.targetIndex)")) }
        headers += rateLimitHeaders
        let gatewayMs = max(0, exchange.ms() - Double(upstreamWait.nanoseconds) / 1_000_000)
        exchange.capture.gateway?.gatewayMs = gatewayMs
        headers.append(("Sightline-Gateway-Ms", String(format: "%.2f", gatewayMs)))
        return headers
    }

    /// Keeps a copy of the body for the cache (within the body cap).
    func tee(_ buffer: ByteBuffer, capBytes: Int) {
        guard cacheableBody != nil else { return }
        if cacheableBody!.count + buffer.readableBytes > capBytes {
            cacheableBody = nil
        } else {
            buffer.withUnsafeReadableBytes { cacheableBody!.append(contentsOf: $0) }
        }
    }

    /// How many bytes of `buffer` to forward before `cut-after` events are complete (nil: all of it).
    func bytesBeforeCut(_ buffer: ByteBuffer) -> Int? {
        guard let limit = options.fault?.cutAfterEvents else { return nil }
        var index = 0
        for byte in buffer.readableBytesView {
            index += 1
            if byte == UInt8(ascii: "\n") {
                newlineRun += 1
                if newlineRun == 2 {
                    eventsForwarded += 1
                    if eventsForwarded >= limit { return index }
                }
            } else if byte != UInt8(ascii: "\r") {
                newlineRun = 0
            }
        }
        return nil
    }

    /// A complete 200 goes into the cache; an error or a cut stream never does.
    func responseCompleted(exchange: Exchange, cache: any ResponseCache) {
        guard let body = cacheableBody, !cut, let key = cacheKey, let policy = options.cache else { return }
        cache.store(key: key.hex, bucketSize: policy.bucketSize,
                    response: CachedResponse(status: 200, reason: cacheableReason, headers: cacheableHeaders, body: body, storedAt: Date(),
                                             maxAgeSeconds: policy.maxAgeSeconds))
    }

    /// Which window a call counts against: the user, a property's value, or the credential.
    func rateLimitSegment(_ policy: RateLimitPolicy, exchange: Exchange) -> String {
        switch policy.segment {
        case .user: return "user:" + (exchange.capture.annotations.userID ?? "")
        case .property(let name):
            let value = exchange.capture.annotations.properties.first { $0.key.lowercased() == name.lowercased() }?.value ?? ""
            return "property:\(name)=\(value)"
        case .credential:
            let headers = exchange.capture.request.headers
            let credential = CacheKey.credentialHeaders.compactMap { headers.first(named: $0) }.joined(separator: "\n")
            // FNV-1a: stable across runs, and the credential itself never becomes a map key or a stored value.
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in credential.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return "credential:" + String(hash, radix: 16)
        }
    }
}

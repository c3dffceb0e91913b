import NIOCore
import NIOHTTP1
import SightlineCore

/// One request/response in flight on a client connection: what to send where, and what was seen.
/// Confined to the connection's event loop.
final class Exchange {
    let start: NIODeadline
    /// Where the request really goes (after gateway routing and `--map-remote`).
    var upstreamOrigin: Origin
    /// The head sent upstream: origin-form target, hop-by-hop headers removed, rules applied.
    var upstreamHead: HTTPRequestHead
    let clientWantsClose: Bool
    var isHEAD: Bool { upstreamHead.method == .HEAD }
    var capture: FlowCapture
    var upstreamReady = false
    var bufferedParts: [HTTPClientRequestPart] = []
    var requestComplete = false
    var responseHeadSent = false
    var tracksChunkTimes = false
    /// The upstream said `Connection: close` (or spoke HTTP/1.0): its connection is not reused.
    var upstreamWantsClose = true
    /// Set when the request asked for gateway features: the request is then held whole and sent by attempts.
    var gateway: GatewayRun?

    init(start: NIODeadline, upstreamOrigin: Origin, upstreamHead: HTTPRequestHead, clientWantsClose: Bool, capture: FlowCapture) {
        self.start = start
        self.upstreamOrigin = upstreamOrigin
        self.upstreamHead = upstreamHead
        self.clientWantsClose = clientWantsClose
        self.capture = capture
    }

    func ms(_ instant: NIODeadline = .now()) -> Double {
        ProxyServices.ms(from: start, to: instant)
    }

    func appendRequestBody(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { capture.request.body.append($0) }
    }

    func appendResponseBody(_ buffer: ByteBuffer) {
        guard capture.response != nil else { return }
        buffer.withUnsafeReadableBytes { capture.response!.body.append($0) }
        if tracksChunkTimes {
            capture.responseChunks.append(ChunkArrival(endOffset: capture.response!.body.totalBytes, tMs: ms()))
        }
    }
}

extension HTTPHeaders {
    /// Headers as recorded: wire order, original case.
    var fields: [HeaderField] { map { HeaderField($0.name, $0.value) } }
}

extension HTTPVersion {
    var text: String { "HTTP/\(major).\(minor)" }
}

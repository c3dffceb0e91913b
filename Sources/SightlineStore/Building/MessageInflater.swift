import CZlib
import Foundation

/// `permessage-deflate` (RFC 7692) for one direction of a WebSocket session: each compressed message is
/// raw deflate ending in a sync flush whose `00 00 ff ff` tail was cut off, and by default the window
/// carries over from message to message, so messages are inflated in order on one stream. A message that
/// cannot be inflated (cut by the cap, corrupt, beyond the output cap) breaks the carried window: later
/// ones are then kept as sent, unless the peers agreed to reset it per message (`*_no_context_takeover`).
final class MessageInflater {
    private var stream = z_stream()
    private var ready: Bool
    private var broken = false
    let resetsEachMessage: Bool

    init(resetsEachMessage: Bool) {
        self.resetsEachMessage = resetsEachMessage
        ready = inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK
    }

    deinit {
        if ready { inflateEnd(&stream) }
    }

    /// The message's payload inflated, or nil (and the window marked broken) when it cannot be.
    func inflate(_ payload: [UInt8], maxOutputBytes: Int) -> [UInt8]? {
        guard ready, !broken else { return nil }
        if resetsEachMessage { inflateReset(&stream) }
        let input = payload + [0x00, 0x00, 0xFF, 0xFF]
        var output: [UInt8] = []
        let ok = input.withUnsafeBufferPointer { inBuffer -> Bool in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            switch ZlibInflate.drain(&stream, flush: Z_SYNC_FLUSH, into: &output, maxOutputBytes: maxOutputBytes) {
            case Z_OK:
                // The sync flush was reached: the message is whole.
                return true
            case Z_STREAM_END:
                // A final block: the next message starts a new stream (its window is not carried).
                return inflateReset(&stream) == Z_OK
            default:
                return false
            }
        }
        guard ok else {
            markBroken()
            return nil
        }
        return output
    }

    /// A message of this direction was not inflated (cut by the cap): the carried window is incomplete.
    func markBroken() {
        if !resetsEachMessage { broken = true }
    }
}

/// The `permessage-deflate` the handshake's answer agreed on, if any.
struct DeflateAgreement: Equatable {
    var clientResets = false
    var serverResets = false

    /// From the 101's `Sec-WebSocket-Extensions` values (`permessage-deflate; server_no_context_takeover`).
    init?(extensions: [String]) {
        let offers = extensions.flatMap { $0.split(separator: ",") }
        guard let deflate = offers.first(where: {
            $0.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "permessage-deflate"
        }) else { return nil }
        let parameters = deflate.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        clientResets = parameters.contains("client_no_context_takeover")
        serverResets = parameters.contains("server_no_context_takeover")
    }
}

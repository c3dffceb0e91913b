import Foundation
import SightlineCore

/// A `FlowCapture` as bytes and back, for the recorder's spool. Binary and field by field: a capture
/// holds bodies, and Codable JSON would spell every byte as a number. The first byte is the format's
/// version, so a spool left by an older Sightline is recognised instead of misread.
enum CaptureCodec {
    static let version: UInt8 = 1

    /// Sorted keys: the same capture always spools to the same bytes.
    private static let gatewayEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func encode(_ capture: FlowCapture) -> [UInt8] {
        var out = SpoolByteWriter(reservingCapacity: 512 + capture.request.body.bytes.count
                                  + (capture.response?.body.bytes.count ?? 0))
        out.byte(version)
        withUnsafeBytes(of: capture.id.uuid.uuid) { out.data($0) }
        out.string(capture.mode.rawValue)
        out.optional(capture.clientAddress) { $0.string($1) }
        let request = capture.request
        out.string(request.method)
        out.string(request.url)
        out.string(request.httpVersion)
        write(request.headers, &out)
        write(request.body, &out)
        out.optional(capture.response) { out, response in
            out.int(response.status)
            out.string(response.reason)
            out.string(response.httpVersion)
            write(response.headers, &out)
            write(response.body, &out)
        }
        out.optional(capture.upstreamURL) { $0.string($1) }
        let timings = capture.timings
        out.double(timings.start.timeIntervalSince1970)
        for milestone in [timings.upstreamConnectedMs, timings.tlsDoneMs, timings.requestSentMs,
                          timings.firstByteMs, timings.lastByteMs] {
            out.optional(milestone) { $0.double($1) }
        }
        out.unsigned(UInt64(capture.responseChunks.count))
        for chunk in capture.responseChunks {
            out.int(chunk.endOffset)
            out.double(chunk.tMs)
        }
        out.optional(capture.error) { $0.string($1) }
        out.optional(capture.errorKind) { $0.string($1.rawValue) }
        let annotations = capture.annotations
        out.unsigned(UInt64(annotations.properties.count))
        for (name, value) in annotations.properties.sorted(by: { $0.key < $1.key }) {
            out.string(name)
            out.string(value)
        }
        for text in [annotations.userID, annotations.sessionID, annotations.sessionPath, annotations.sessionName] {
            out.optional(text) { $0.string($1) }
        }
        out.bool(annotations.omitRequest)
        out.bool(annotations.omitResponse)
        // Only gateway-feature requests carry one; its Codable form is the one the API already speaks.
        out.optional(capture.gateway.flatMap { try? gatewayEncoder.encode($0) }) { $0.data($1) }
        out.unsigned(UInt64(capture.webSocketFrames.count))
        for frame in capture.webSocketFrames {
            out.bool(frame.direction == .client)
            out.double(frame.tMs)
            out.byte((frame.fin ? 0x80 : 0) | (frame.rsv1 ? 0x40 : 0) | (frame.opcode & 0x0F))
            out.int(frame.payloadLength)
            out.data(frame.payload)
        }
        return out.bytes
    }

    struct UnknownFormat: Error, CustomStringConvertible {
        var description: String { "spooled capture in a format this Sightline does not read" }
    }

    static func decode(_ bytes: ArraySlice<UInt8>) throws -> FlowCapture {
        var input = SpoolByteReader(bytes)
        guard try input.byte() == version else { throw UnknownFormat() }
        let idBytes = try input.data()
        guard idBytes.count == 16 else { throw SpoolByteReader.Malformed() }
        let b = Array(idBytes)
        let id = FlowID(uuid: UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
                                          b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])))
        guard let mode = FlowMode(rawValue: try input.string()) else { throw SpoolByteReader.Malformed() }
        let clientAddress = try input.optional { try $0.string() }
        let request = CapturedRequest(method: try input.string(), url: try input.string(), httpVersion: try input.string(),
                                      headers: try headers(&input), body: try body(&input))
        let response = try input.optional { input in
            CapturedResponse(status: try input.int(), reason: try input.string(), httpVersion: try input.string(),
                             headers: try headers(&input), body: try body(&input))
        }
        let upstreamURL = try input.optional { try $0.string() }
        var timings = FlowTimings(start: Date(timeIntervalSince1970: try input.double()))
        timings.upstreamConnectedMs = try input.optional { try $0.double() }
        timings.tlsDoneMs = try input.optional { try $0.double() }
        timings.requestSentMs = try input.optional { try $0.double() }
        timings.firstByteMs = try input.optional { try $0.double() }
        timings.lastByteMs = try input.optional { try $0.double() }

        var capture = FlowCapture(id: id, mode: mode, clientAddress: clientAddress, request: request, timings: timings)
        capture.response = response
        capture.upstreamURL = upstreamURL
        let chunkCount = try input.count()
        capture.responseChunks.reserveCapacity(chunkCount)
        for _ in 0..<chunkCount {
            capture.responseChunks.append(ChunkArrival(endOffset: try input.int(), tMs: try input.double()))
        }
        capture.error = try input.optional { try $0.string() }
        capture.errorKind = try input.optional { try $0.string() }.flatMap(FlowErrorKind.init(rawValue:))
        for _ in 0..<(try input.count()) {
            let name = try input.string()
            capture.annotations.properties[name] = try input.string()
        }
        capture.annotations.userID = try input.optional { try $0.string() }
        capture.annotations.sessionID = try input.optional { try $0.string() }
        capture.annotations.sessionPath = try input.optional { try $0.string() }
        capture.annotations.sessionName = try input.optional { try $0.string() }
        capture.annotations.omitRequest = try input.bool()
        capture.annotations.omitResponse = try input.bool()
        if let gateway = try input.optional({ try $0.data() }) {
            capture.gateway = try JSONDecoder().decode(GatewayRecord.self, from: Data(gateway))
        }
        for _ in 0..<(try input.count()) {
            let fromClient = try input.bool()
            let tMs = try input.double()
            let bits = try input.byte()
            capture.webSocketFrames.append(CapturedWebSocketFrame(
                direction: fromClient ? .client : .server, tMs: tMs, fin: bits & 0x80 != 0, rsv1: bits & 0x40 != 0,
                opcode: bits & 0x0F, payloadLength: try input.int(), payload: Array(try input.data())))
        }
        guard input.isAtEnd else { throw SpoolByteReader.Malformed() }
        return capture
    }

    private static func write(_ headers: [HeaderField], _ out: inout SpoolByteWriter) {
        out.unsigned(UInt64(headers.count))
        for field in headers {
            out.string(field.name)
            out.string(field.value)
        }
    }

    private static func write(_ body: CapturedBody, _ out: inout SpoolByteWriter) {
        out.int(body.capBytes)
        out.int(body.totalBytes)
        out.data(body.bytes)
    }

    private static func headers(_ input: inout SpoolByteReader) throws -> [HeaderField] {
        let count = try input.count()
        var fields: [HeaderField] = []
        fields.reserveCapacity(count)
        for _ in 0..<count { fields.append(HeaderField(try input.string(), try input.string())) }
        return fields
    }

    private static func body(_ input: inout SpoolByteReader) throws -> CapturedBody {
        let capBytes = try input.int()
        let totalBytes = try input.int()
        return CapturedBody(capBytes: capBytes, keptBytes: Array(try input.data()), totalBytes: totalBytes)
    }
}

import Foundation
import SightlineCore
import Testing
@testable import SightlineStore

/// A capture with every optional part set, so a field the codec forgets shows up as a difference.
func makeFullCapture(body: String = #"{"model":"gpt-4o","messages":[{"role":"user","content":"héllo"}]}"#) -> FlowCapture {
    var capture = makeCapture(
        url: "https://api.openai.com/v1/chat/completions?api_key=sk-secret-1234567890",
        requestHeaders: [HeaderField("Authorization", "Bearer sk-proj-abcdefghijklmnop"), HeaderField("Content-Type", "application/json")],
        requestBody: Array(body.utf8),
        responseHeaders: [HeaderField("Content-Type", "text/event-stream")],
        responseBody: Array("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n".utf8), capBytes: 40)
    capture.upstreamURL = "https://fallback.example/v1/chat/completions"
    capture.responseChunks = [ChunkArrival(endOffset: 20, tMs: 121.5), ChunkArrival(endOffset: 40, tMs: 150.25)]
    capture.error = "upstream closed the connection"
    capture.errorKind = .upstreamReset
    capture.annotations.properties = ["team": "search", "env": "ci"]
    capture.annotations.userID = "u-1"
    capture.annotations.sessionID = "s-1"
    capture.annotations.sessionPath = "/plan/search"
    capture.annotations.sessionName = "nightly"
    capture.annotations.omitResponse = true
    var gateway = GatewayRecord()
    gateway.attempts = [GatewayRecord.Attempt(target: "https://api.openai.com", status: 503, error: nil, tMs: 2.5)]
    gateway.cache = "MISS"
    gateway.fallbackIndex = 1
    capture.gateway = gateway
    capture.webSocketFrames = [
        CapturedWebSocketFrame(direction: .client, tMs: 3, fin: false, rsv1: true, opcode: 1, payloadLength: 9, payload: Array("par".utf8)),
        CapturedWebSocketFrame(direction: .server, tMs: 4.5, fin: true, rsv1: false, opcode: 8, payloadLength: 2, payload: [0x0F, 0xA1]),
    ]
    return capture
}

@Suite("Capture spool")
struct CaptureSpoolTests {
    @Test("a capture read back from the spool records exactly as the original would")
    func codecRoundTrip() throws {
        for original in [makeFullCapture(), makeCapture(status: nil), makeCapture(mode: .tunnel, requestBody: [])] {
            let decoded = try CaptureCodec.decode(CaptureCodec.encode(original)[...])
            #expect(testBuilder.build(decoded) == testBuilder.build(original))
            #expect(decoded.request.body.totalBytes == original.request.body.totalBytes)
            #expect(decoded.request.body.capBytes == original.request.body.capBytes)
            #expect(decoded.responseChunks == original.responseChunks)
            #expect(CaptureCodec.encode(decoded) == CaptureCodec.encode(original))
        }
        // Truncated on capture: the kept bytes and the true size both survive.
        let capped = try CaptureCodec.decode(CaptureCodec.encode(makeFullCapture())[...])
        #expect(capped.response?.body.isTruncated == true)
        #expect(capped.response?.body.bytes.count == 40)
    }

    @Test("bytes that are not a spooled capture are refused with an error, never a crash")
    func codecRejectsGarbage() {
        let good = CaptureCodec.encode(makeFullCapture())
        #expect(throws: (any Error).self) { try CaptureCodec.decode([][...]) }
        #expect(throws: (any Error).self) { try CaptureCodec.decode([99] + good.dropFirst()) }
        for cut in stride(from: 1, to: good.count, by: 7) {
            #expect(throws: (any Error).self) { try CaptureCodec.decode(good.prefix(cut)) }
        }
        #expect(throws: (any Error).self) { try CaptureCodec.decode((good + [0])[...]) }
    }

    @Test("captures come back in order, and a drained spool takes no disk")
    func appendAndRead() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("flows.sqlite-spool").path
        let spool = try CaptureSpool(path: path)
        let captures = (0..<7).map { _ in makeCapture() }
        try spool.append(Array(captures[0..<3]))
        try spool.append(Array(captures[3...]))
        #expect(spool.unread == 7)
        #expect(spool.byteCount > 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "captures are unredacted: owner-only")
        let first = spool.read(max: 4)
        #expect(first.captures.map(\.id) == captures[0..<4].map(\.id))
        #expect(spool.byteCount > 0)
        let rest = spool.read(max: 100)
        #expect(rest.captures.map(\.id) == captures[4...].map(\.id))
        #expect(rest.unreadable == 0)
        #expect(spool.unread == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
    }

    @Test("a spool left by a crash is read at the next open; a torn last record is cut off")
    func recoveryAfterCrash() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("flows.sqlite-spool").path
        let captures = (0..<3).map { _ in makeFullCapture() }
        do {
            let spool = try CaptureSpool(path: path)
            try spool.append(captures)
        }
        // A crash in the middle of the next append: half a record at the end.
        let next = CaptureCodec.encode(makeCapture())
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([UInt8(next.count & 0xFF), UInt8(next.count >> 8), 0, 0, 1, 2, 3, 4] + next.prefix(10)))
        try handle.close()

        let reopened = try CaptureSpool(path: path)
        #expect(reopened.unread == 3)
        let read = reopened.read(max: 10)
        #expect(read.captures.map(\.id) == captures.map(\.id))
        #expect(read.unreadable == 0)
    }

    @Test("a record whose checksum is wrong is counted as unreadable, not handed on")
    func corruptRecord() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("flows.sqlite-spool").path
        let spool = try CaptureSpool(path: path)
        try spool.append([makeCapture(), makeCapture()])
        // Flip a byte inside the second record's payload (the file is shared with `spool`).
        let size = Int(spool.byteCount)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(size - 5))
        let byte = try handle.read(upToCount: 1)![0]
        try handle.seek(toOffset: UInt64(size - 5))
        try handle.write(contentsOf: Data([byte ^ 0xFF]))
        try handle.close()
        let read = spool.read(max: 10)
        #expect(read.captures.count == 1)
        #expect(read.unreadable == 1)
    }

    @Test("a second Sightline cannot open a spool in use")
    func exclusive() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.url.appendingPathComponent("flows.sqlite-spool").path
        let spool = try CaptureSpool(path: path)
        #expect(throws: StoreError.spool("")) { try CaptureSpool(path: path) }
        _ = spool
    }
}

import CZlib
import Foundation
import SightlineCore
import Synchronization

/// An append-only file of captures the recorder could not write yet: the recorder spills to it when
/// it falls behind and reads it back, oldest first, when it catches up; a spool left by a crash is
/// read at the next start. Each record is `[length u32 LE][crc32 u32 LE][CaptureCodec payload]`, so a
/// record torn by a crash is recognised and cut off. Emptied (truncated) whenever it is drained.
///
/// Captures are kept as the proxy saw them, before redaction, so the file is owner-only (0600) like
/// the CA key, and it holds them only until they are recorded. Never touched from an event loop.
public final class CaptureSpool: Sendable {
    /// What reading the spool turned up besides captures.
    public struct ReadResult: Sendable {
        public var captures: [FlowCapture] = []
        /// Records whose checksum or format was wrong: lost, and counted as such.
        public var unreadable = 0
    }

    struct FileState {
        var fd: Int32
        var readOffset: Int64 = 0
        var writeOffset: Int64 = 0
        var unread = 0
    }

    static let headerBytes = 8
    /// A length beyond this is corruption, not a capture (bodies are capped far below it).
    static let maxRecordBytes = 1 << 30

    public let path: String
    private let file: Mutex<FileState>

    /// Opens the spool at `path`, creating it owner-only and locking it for this process; counts the
    /// records a previous run left and cuts off a torn last record (`unread` says how many wait).
    public init(path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.spool("cannot open \(path): \(String(cString: strerror(errno)))") }
        // One process per spool: a second Sightline on the same store would interleave records.
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw StoreError.spool("\(path) is in use by another Sightline")
        }
        // An older file with looser permissions is tightened: it may hold credentials.
        fchmod(fd, 0o600)
        var state = FileState(fd: fd)
        let (count, end) = Self.scan(fd)
        state.writeOffset = end
        state.unread = count
        if ftruncate(fd, off_t(end)) != 0 {
            close(fd)
            throw StoreError.spool("cannot truncate \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        file = Mutex(state)
    }

    deinit {
        file.withLock { _ = close($0.fd) }
    }

    /// Captures written and not yet read back.
    public var unread: Int { file.withLock { $0.unread } }

    /// Bytes the spool holds on disk.
    public var byteCount: Int64 { file.withLock { $0.writeOffset } }

    /// Appends the captures in order, all or none: on a failed write (a full disk) the file is cut
    /// back to where it was and the error thrown.
    public func append(_ captures: [FlowCapture]) throws {
        guard !captures.isEmpty else { return }
        var buffer: [UInt8] = []
        for capture in captures {
            let payload = CaptureCodec.encode(capture)
            Self.appendHeader(length: payload.count, crc: Self.crc(payload[...]), to: &buffer)
            buffer.append(contentsOf: payload)
        }
        try file.withLock { state in
            var written = 0
            while written < buffer.count {
                let result = buffer.withUnsafeBytes { raw in
                    pwrite(state.fd, raw.baseAddress! + written, raw.count - written, off_t(state.writeOffset) + off_t(written))
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    let reason = String(cString: strerror(errno))
                    _ = ftruncate(state.fd, off_t(state.writeOffset))
                    throw StoreError.spool("cannot write \(path): \(reason)")
                }
                written += result
            }
            state.writeOffset += Int64(buffer.count)
            state.unread += captures.count
        }
    }

    /// Reads up to `max` captures, oldest first. Once everything written has been read, the file is
    /// emptied, so a spool that drains takes no disk.
    public func read(max: Int) -> ReadResult {
        file.withLock { state in
            var result = ReadResult()
            while result.captures.count + result.unreadable < max, state.readOffset < state.writeOffset {
                guard let record = Self.record(at: state.readOffset, end: state.writeOffset, fd: state.fd) else {
                    // A length or checksum our own writes never produce: what follows cannot be trusted.
                    result.unreadable += state.unread
                    state.unread = 0
                    state.readOffset = state.writeOffset
                    break
                }
                state.readOffset += Int64(Self.headerBytes + record.count)
                state.unread -= 1
                if let capture = try? CaptureCodec.decode(record[...]) {
                    result.captures.append(capture)
                } else {
                    result.unreadable += 1
                }
            }
            if state.readOffset >= state.writeOffset, state.writeOffset > 0 {
                _ = ftruncate(state.fd, 0)
                state.readOffset = 0
                state.writeOffset = 0
                state.unread = 0
            }
            return result
        }
    }

    // MARK: Records

    /// The payload of the record at `offset`, or nil when it is torn or corrupt.
    private static func record(at offset: Int64, end: Int64, fd: Int32) -> [UInt8]? {
        guard end - offset >= Int64(headerBytes) else { return nil }
        var header = [UInt8](repeating: 0, count: headerBytes)
        guard readFully(fd, into: &header, at: offset) else { return nil }
        let length = Int(littleEndian32(header, 0)), crc = littleEndian32(header, 4)
        guard length <= maxRecordBytes, Int64(length) <= end - offset - Int64(headerBytes) else { return nil }
        var payload = [UInt8](repeating: 0, count: length)
        guard readFully(fd, into: &payload, at: offset + Int64(headerBytes)), Self.crc(payload[...]) == crc else { return nil }
        return payload
    }

    /// Counts the whole records in the file and where the last one ends.
    private static func scan(_ fd: Int32) -> (count: Int, end: Int64) {
        var stats = stat()
        guard fstat(fd, &stats) == 0 else { return (0, 0) }
        let size = Int64(stats.st_size)
        var offset: Int64 = 0, count = 0
        while let record = record(at: offset, end: size, fd: fd) {
            offset += Int64(headerBytes + record.count)
            count += 1
        }
        return (count, offset)
    }

    private static func readFully(_ fd: Int32, into buffer: inout [UInt8], at offset: Int64) -> Bool {
        var done = 0
        while done < buffer.count {
            let result = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
            }
            if result < 0, errno == EINTR { continue }
            guard result > 0 else { return false }
            done += result
        }
        return true
    }

    private static func appendHeader(length: Int, crc: UInt32, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: UInt32(length).littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: crc.littleEndian) { buffer.append(contentsOf: $0) }
    }

    private static func littleEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(CZlib.crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }
}

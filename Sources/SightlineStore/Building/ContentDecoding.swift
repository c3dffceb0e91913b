import CBrotli
import CZlib
import Foundation

/// Undoes a `Content-Encoding` (gzip, deflate, br, chained) for recording and analysis.
/// Output is capped so that a zip bomb costs at most `maxOutputBytes` of memory.
enum ContentDecoding {
    static let defaultMaxOutputBytes = 64 << 20

    enum Outcome: Equatable {
        /// Nothing to undo: no encoding, only `identity`, or an empty body.
        case identity
        case decoded([UInt8])
        /// An unknown encoding, corrupt or truncated data, or output beyond the cap: keep the raw bytes.
        case failed
    }

    /// `headerValues` are all `Content-Encoding` values in order; the codings were applied in that
    /// order, so they are undone from the last to the first.
    static func decode(_ bytes: [UInt8], headerValues: [String], maxOutputBytes: Int = defaultMaxOutputBytes) -> Outcome {
        let codings = headerValues
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty && $0 != "identity" }
        guard !codings.isEmpty, !bytes.isEmpty else { return .identity }
        var current = bytes
        for coding in codings.reversed() {
            let next: [UInt8]?
            switch coding {
            case "gzip", "x-gzip":
                // 15 + 32: zlib detects the gzip (or zlib) header itself.
                next = inflate(current, windowBits: 15 + 32, maxOutputBytes: maxOutputBytes)
            case "deflate":
                // RFC 9110 says zlib-wrapped, but some servers send raw deflate: try both.
                next = inflate(current, windowBits: 15, maxOutputBytes: maxOutputBytes)
                    ?? inflate(current, windowBits: -15, maxOutputBytes: maxOutputBytes)
            case "br":
                next = brotliDecode(current, maxOutputBytes: maxOutputBytes)
            default:
                next = nil
            }
            guard let next else { return .failed }
            current = next
        }
        return .decoded(current)
    }

    static func inflate(_ input: [UInt8], windowBits: Int32, maxOutputBytes: Int) -> [UInt8]? {
        guard !input.isEmpty else { return [] }
        var stream = z_stream()
        // inflateInit2 is a C macro; this is what it expands to.
        guard inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        return input.withUnsafeBufferPointer { inBuffer -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: inBuffer.baseAddress)
            stream.avail_in = uInt(inBuffer.count)
            while true {
                switch ZlibInflate.drain(&stream, flush: Z_NO_FLUSH, into: &output, maxOutputBytes: maxOutputBytes) {
                case Z_STREAM_END:
                    // A gzip body may hold several members back to back (RFC 1952 §2.2).
                    if stream.avail_in > 0, windowBits > 15, inflateReset(&stream) == Z_OK { continue }
                    return output
                default:
                    // Input used up without the end of the stream (cut short), corrupt, or beyond the cap.
                    return nil
                }
            }
        }
    }

    static func brotliDecode(_ input: [UInt8], maxOutputBytes: Int) -> [UInt8]? {
        guard !input.isEmpty else { return [] }
        guard let state = BrotliDecoderCreateInstance(nil, nil, nil) else { return nil }
        defer { BrotliDecoderDestroyInstance(state) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return input.withUnsafeBufferPointer { inBuffer -> [UInt8]? in
            var availableIn = inBuffer.count
            var nextIn = inBuffer.baseAddress
            while true {
                var produced = 0
                let result = chunk.withUnsafeMutableBufferPointer { outBuffer in
                    var availableOut = outBuffer.count
                    var nextOut = outBuffer.baseAddress
                    let result = BrotliDecoderDecompressStream(state, &availableIn, &nextIn, &availableOut, &nextOut, nil)
                    produced = outBuffer.count - availableOut
                    return result
                }
                guard output.count + produced <= maxOutputBytes else { return nil }
                output.append(contentsOf: chunk[..<produced])
                switch result {
                case BROTLI_DECODER_RESULT_SUCCESS: return output
                case BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT: continue
                default: return nil // needs more input (cut short) or corrupt
                }
            }
        }
    }
}

import CZlib

/// The output loop both inflaters share (`Content-Encoding` bodies and `permessage-deflate` messages):
/// zlib is called with 64 KiB of room at a time until it ends the stream, fails, or has used all input.
enum ZlibInflate {
    static let chunkBytes = 64 * 1024

    /// Inflates the input already set on `stream` into `output`. Returns `Z_STREAM_END`, `Z_OK` once all
    /// input is used, an error status, or nil when `output` would pass `maxOutputBytes` (a zip bomb).
    static func drain(_ stream: inout z_stream, flush: Int32, into output: inout [UInt8], maxOutputBytes: Int) -> Int32? {
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        while true {
            let status = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int32 in
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                return CZlib.inflate(&stream, flush)
            }
            let produced = chunk.count - Int(stream.avail_out)
            guard output.count + produced <= maxOutputBytes else { return nil }
            output.append(contentsOf: chunk[..<produced])
            switch status {
            case Z_OK, Z_BUF_ERROR:
                // All input in and room to spare: zlib has given all it can.
                if stream.avail_in == 0, produced < chunk.count { return Z_OK }
                if status == Z_BUF_ERROR, produced == 0 { return stream.avail_in == 0 ? Z_OK : Z_BUF_ERROR }
            default:
                return status
            }
        }
    }
}

import Foundation
import SightlineTestSupport

/// `Tests/e2e/websocket_server.py`: a TLS WebSocket server that negotiates `permessage-deflate` (NIO's
/// upgrader does not), behind a throwaway CA, as a `FullStack` upstream.
final class PythonWebSocketUpstream: StackUpstream, @unchecked Sendable {
    let caFile: URL
    private let server: PythonServerProcess
    var port: Int { server.port }

    /// `mode`: `--realtime` or `--responses` to play those APIs rather than echo.
    init(directory: URL, mode: String? = nil) throws {
        let tls = try PythonServerProcess.tlsIdentity(in: directory, name: "deflate")
        caFile = tls.caFile
        server = try PythonServerProcess(script: "websocket_server.py", arguments: [tls.certFile.path, tls.keyFile.path] + (mode.map { [$0] } ?? []),
                                         startup: 20)
    }

    func close() async { server.close() }
}

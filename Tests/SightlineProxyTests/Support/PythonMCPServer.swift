import Foundation
import SightlineTestSupport

/// `Tests/e2e/mcp_server.py`: a real MCP server (the `mcp` SDK's FastMCP) on streamable HTTP at
/// `http://127.0.0.1:PORT/mcp`, answering as SSE, or as JSON with `json: true`. Given a directory, it serves
/// HTTPS instead, behind a throwaway CA (for `localhost` and `127.0.0.1`), as a `FullStack` upstream that an
/// intercepted host can be mapped to.
final class PythonMCPServer: StackUpstream, @unchecked Sendable {
    /// The throwaway CA of the HTTPS server; unused (and absent) for plain HTTP.
    let caFile: URL
    private let server: PythonServerProcess
    var port: Int { server.port }

    var url: String { "http://127.0.0.1:\(port)/mcp" }
    var origin: String { "http://127.0.0.1:\(port)" }

    init(json: Bool = false, tlsIn directory: URL? = nil) throws {
        var arguments = json ? ["--json"] : []
        caFile = (directory ?? FileManager.default.temporaryDirectory).appendingPathComponent("mcp-ca.pem")
        if let directory {
            let tls = try PythonServerProcess.tlsIdentity(in: directory, name: "mcp")
            arguments += ["--tls", tls.certFile.path, tls.keyFile.path]
        }
        server = try PythonServerProcess(script: "mcp_server.py", arguments: arguments,
                                         hint: "is `mcp` < 2 installed? see Tests/e2e/requirements.txt")
    }

    func close() { server.close() }
}

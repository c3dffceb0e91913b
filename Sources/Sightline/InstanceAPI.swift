import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The JSON API of a running Sightline (`--ui HOST:PORT`), on AsyncHTTPClient, for the commands that act through
/// one: `replay` and `diff`, and `sightline run` when it records through an instance already running.
struct InstanceAPI {
    let base: String
    let password: String?

    init(ui: String, password: String?) {
        base = ui.hasPrefix("http://") || ui.hasPrefix("https://") ? ui : "http://" + ui
        self.password = password
    }

    /// An instance at `host:port` (an IPv6 host is bracketed).
    init(host: String, port: Int, password: String?) {
        self.init(ui: (host.contains(":") ? "[\(host)]" : host) + ":\(port)", password: password)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Fails at once (3 s) when nothing answers: AsyncHTTPClient retries a refused connection until the request's
    /// deadline, which for a replay is a minute.
    func checkReachable() async throws {
        _ = try await json(.GET, "/api/info", timeout: .seconds(3))
    }

    /// The JSON object answered, or a `Failure` carrying the API's own error message.
    func json(_ method: HTTPMethod, _ path: String, body: Any? = nil, timeout: TimeAmount = .seconds(60)) async throws -> [String: Any] {
        let (status, bytes) = try await send(method, path, body: body, timeout: timeout)
        let object = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any]
        guard (200..<300).contains(status.code) else {
            throw Failure(description: "\(method) \(path): \(status.code) \(object?["error"] as? String ?? status.reasonPhrase)")
        }
        guard let object else { throw Failure(description: "\(method) \(path): the answer is not a JSON object") }
        return object
    }

    /// The answer's status and body, whatever its type.
    func send(_ method: HTTPMethod, _ path: String, body: Any? = nil, timeout: TimeAmount) async throws -> (HTTPResponseStatus, Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let password { request.headers.add(name: "Authorization", value: "Bearer \(password)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPClient.shared.execute(request, timeout: timeout)
        } catch {
            throw Failure(description: "no Sightline answers at \(base) (\(error)); start one, or give its --ui HOST:PORT")
        }
        return (response.status, Data(buffer: try await response.body.collect(upTo: 64 << 20)))
    }
}

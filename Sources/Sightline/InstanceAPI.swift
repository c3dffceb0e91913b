import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The JSON API of a running Sightline (`--ui HOST:PORT`) for the commands that act through it (`replay`, `diff`),
/// on AsyncHTTPClient. `sightline run`'s probes still use `InstanceClient`'s small blocking socket.
struct InstanceAPI {
    let base: String
    let password: String?

    init(ui: String, password: String?) {
        base = ui.hasPrefix("http://") || ui.hasPrefix("https://") ? ui : "http://" + ui
        self.password = password
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The JSON object answered, or a `Failure` carrying the API's own error message.
    /// Fails at once (3 s) when nothing answers: AsyncHTTPClient retries a refused connection until the request's
    /// deadline, which for a replay is a minute.
    func checkReachable() async throws {
        _ = try await json(.GET, "/api/info", timeout: .seconds(3))
    }

    func json(_ method: HTTPMethod, _ path: String, body: Any? = nil, timeout: TimeAmount = .seconds(60)) async throws -> [String: Any] {
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
        let bytes = try await response.body.collect(upTo: 64 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(buffer: bytes))) as? [String: Any]
        guard (200..<300).contains(response.status.code) else {
            throw Failure(description: "\(method) \(path): \(response.status.code) \(object?["error"] as? String ?? response.status.reasonPhrase)")
        }
        guard let object else { throw Failure(description: "\(method) \(path): the answer is not a JSON object") }
        return object
    }
}

import Foundation
import Hummingbird

/// An API failure: JSON `{"error": "…"}` with a fitting status (SPEC §5.1).
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let message: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func notFound(_ message: String) -> APIError { .init(status: .notFound, message: message) }
    static func badRequest(_ message: String) -> APIError { .init(status: .badRequest, message: message) }
    static func forbidden(_ message: String) -> APIError { .init(status: .forbidden, message: message) }
    static func unavailable(_ message: String) -> APIError { .init(status: .serviceUnavailable, message: message) }
}

import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SightlineTestSupport
import Testing

/// Checks every JSON answer of the API (errors included) against `openapi.json`, outermost, so that each in-process
/// test of the API also tests the document. Streams (`/api/events`) and downloads are let through unread.
struct OpenAPIConformance<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix("/api/") || path == "/metrics" else { return try await next(request, context) }
        do {
            return try await check(try await next(request, context), request)
        } catch let error as any HTTPResponseError {
            _ = try await check(try error.response(from: request, context: context), request)
            throw error
        }
    }

    private func check(_ response: Response, _ request: Request) async throws -> Response {
        guard response.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else { return response }
        var response = response
        let collector = Collector()
        try await response.body.write(collector)
        for problem in OpenAPIContract.problems(method: request.method.rawValue, path: request.uri.path, status: Int(response.status.code),
                                                contentType: response.headers[.contentType], body: Data(buffer: collector.box.buffer)) {
            Issue.record("openapi.json: \(problem)")
        }
        response.body = ResponseBody(byteBuffer: collector.box.buffer)
        return response
    }

    /// The writer is handed over by value: what it collects lives in a box the middleware keeps.
    private final class Box: @unchecked Sendable { var buffer = ByteBuffer() }

    private struct Collector: ResponseBodyWriter {
        let box = Box()
        mutating func write(_ buffer: ByteBuffer) async throws {
            var buffer = buffer
            box.buffer.writeBuffer(&buffer)
        }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}

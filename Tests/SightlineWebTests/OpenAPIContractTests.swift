import Foundation
import SightlineTestSupport
import Testing

/// The check every API answer of the in-process tests and of `FullStack.api` goes through: it must find what a
/// drifted document or a drifted answer would show.
@Suite struct OpenAPIContractTests {
    static func problems(_ path: String, status: Int = 200, _ body: String) -> [String] {
        OpenAPIContract.problems(method: "GET", path: path, status: status, contentType: "application/json", body: Data(body.utf8))
    }

    @Test func findsMissingUndocumentedAndMistypedFieldsAndUnknownRoutes() {
        #expect(Self.problems("/api/flows?limit=1", #"{"flows": [], "next": null}"#).isEmpty)
        #expect(Self.problems("/api/flows", #"{"flows": []}"#).contains { $0.contains("required \"next\" is missing") })
        #expect(Self.problems("/api/flows", #"{"flows": [], "next": null, "total": 3}"#).contains { $0.contains("\"total\" is not documented") })
        #expect(Self.problems("/api/flows", #"{"flows": 3, "next": null}"#).contains { $0.contains("$.flows: the number 3") && $0.hasSuffix("where the schema says array") })
        #expect(Self.problems("/api/flows/0190/diff", status: 404, #"{"error": "no flow"}"#).isEmpty, "errors are documented as {error}")
        #expect(Self.problems("/api/nothing", "{}").contains { $0.contains("no such path") })
        #expect(OpenAPIContract.problems(method: "GET", path: "/api/ca.pem", status: 200, contentType: "application/x-pem-file", body: Data()).isEmpty,
                "a download is not JSON")
    }
}

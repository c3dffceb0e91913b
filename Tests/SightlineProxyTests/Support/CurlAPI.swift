import Foundation
import SightlineTestSupport
import Testing

/// `GET base+path` of a running Sightline's API with curl, as a user scripts it; the answer is checked against
/// `openapi.json` like every other API answer the tests see. Returns curl's result with the body alone on stdout.
func curlAPI(_ base: String, _ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
    let marker = "\n--sightline-status--"
    var result = try run("curl", ["--max-time", "10", "-sS", "-w", marker + "%{http_code} %{content_type}", base + path])
    let text = result.stdoutText
    guard let range = text.range(of: marker, options: .backwards) else { return result }
    let trailer = text[range.upperBound...].split(separator: " ", maxSplits: 1)
    let body = Data(text[..<range.lowerBound].utf8)
    result.stdout = body
    if let status = trailer.first.flatMap({ Int($0) }), status > 0 {
        for problem in OpenAPIContract.problems(method: "GET", path: path, status: status,
                                                contentType: trailer.count > 1 ? String(trailer[1]) : nil, body: body) {
            Issue.record("openapi.json: \(problem)", sourceLocation: sourceLocation)
        }
    }
    return result
}

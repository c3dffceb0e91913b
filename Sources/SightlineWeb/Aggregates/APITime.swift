import Foundation
import SightlineStore

/// Times in the aggregate answers: RFC 3339 in UTC with milliseconds, as the flow summaries write them.
enum APITime {
    /// The time a query parameter gives (RFC 3339 or Unix ms): nil when absent or empty, a 400 when it is not a time.
    static func parameter(_ name: String, _ text: String?) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = FlowQuery.parseTime(text) else { throw APIError.badRequest("\(name): \(text.debugDescription) is not a time") }
        return date
    }

    static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

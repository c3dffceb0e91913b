import Foundation

/// Times in the aggregate answers: RFC 3339 in UTC with milliseconds, as the flow summaries write them.
enum APITime {
    static func string(from date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}

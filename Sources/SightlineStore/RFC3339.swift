import Foundation

/// The API's timestamp format: RFC 3339 in UTC with milliseconds (`2026-11-25T09:13:27.123Z`).
/// Flow times are kept to the millisecond (what the store holds), and formatted from the rounded
/// millisecond count so that a Double just under .123 never prints as .122.
enum RFC3339 {
    private static let wholeSeconds = Date.ISO8601FormatStyle()
    private static let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    static func string(from date: Date) -> String {
        let ms = milliseconds(date)
        let (seconds, fraction) = ms.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, millis) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let base = Self.wholeSeconds.format(Date(timeIntervalSince1970: Double(wholeSeconds)))
        // `base` ends in "Z"; the fraction goes before it.
        let digits = String(millis)
        return base.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Accepts both forms, since other tools may send whole seconds.
    static func date(from string: String) -> Date? {
        guard let date = (try? withFraction.parse(string)) ?? (try? wholeSeconds.parse(string)) else { return nil }
        return Date(milliseconds: milliseconds(date))
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}

extension Date {
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// This date rounded to the millisecond, the precision flows are stored with.
    var roundedToMilliseconds: Date { Date(milliseconds: RFC3339.milliseconds(self)) }
}

extension Date {
    /// How the store keeps times: whole Unix milliseconds.
    var unixMilliseconds: Int64 { RFC3339.milliseconds(self) }
}

/// Audio in a live session (Realtime, Gemini Live) is base64 PCM in JSON; it is not decoded, only timed:
/// 16-bit mono samples at the rate the session or the MIME type names.
struct LiveAudio: Sendable, Hashable {
    var sampleRate: Int
    private var bytes = 0

    init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    /// Counts the bytes `text` decodes to, without decoding it.
    mutating func add(base64 text: String) {
        let characters = text.utf8.count
        let padding = text.utf8.reversed().prefix(2).prefix { $0 == UInt8(ascii: "=") }.count
        bytes += characters / 4 * 3 - padding
    }

    /// nil when nothing was heard or the rate is unknown; to a tenth of a millisecond.
    var durationMs: Double? {
        guard bytes > 0, sampleRate > 0 else { return nil }
        return (Double(bytes) / 2 / Double(sampleRate) * 10_000).rounded() / 10
    }

    /// `audio/pcm;rate=24000` → 24000; PCM without a rate is 16 kHz for input and 24 kHz for output in both APIs.
    static func sampleRate(mimeType: String?, default fallback: Int) -> Int? {
        guard let mimeType, mimeType.lowercased().hasPrefix("audio/pcm") else { return mimeType == nil ? fallback : nil }
        for parameter in mimeType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.filter { $0 != " " } }
            if pair.count == 2, pair[0].lowercased() == "rate", let rate = Int(pair[1]) { return rate }
        }
        return fallback
    }
}

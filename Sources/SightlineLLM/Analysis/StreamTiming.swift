/// Latency figures of a streamed response.
enum StreamTiming {
    /// From the request being sent (or the flow's start when that is unknown) to the first output.
    static func timeToFirstToken(firstOutputMs: Double?, requestSentMs: Double?) -> Double? {
        guard let firstOutputMs else { return nil }
        return max(firstOutputMs - (requestSentMs ?? 0), 0)
    }

    /// Output tokens over the generation time: the provider's own measure when it gives one, else
    /// from the first output to the last event. nil when either is not positive.
    static func tokensPerSecond(outputTokens: Int?, firstOutputMs: Double?, lastEventMs: Double?,
                                providerSeconds: Double?) -> Double? {
        guard let outputTokens, outputTokens > 0 else { return nil }
        if let providerSeconds, providerSeconds > 0 { return Double(outputTokens) / providerSeconds }
        guard let firstOutputMs, let lastEventMs, lastEventMs > firstOutputMs else { return nil }
        return Double(outputTokens) / ((lastEventMs - firstOutputMs) / 1000)
    }
}

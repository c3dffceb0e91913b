/// How the OpenTelemetry export is going (`/api/stats` → `telemetry`): spans handed to the exporter, spans
/// lost (its queue full, or a batch the collector did not take), and failed export requests.
public struct TelemetryStats: Sendable, Hashable, Codable {
    public var spans = 0
    public var droppedSpans = 0
    public var exportErrors = 0

    public init(spans: Int = 0, droppedSpans: Int = 0, exportErrors: Int = 0) {
        self.spans = spans
        self.droppedSpans = droppedSpans
        self.exportErrors = exportErrors
    }

    enum CodingKeys: String, CodingKey {
        case spans, droppedSpans = "dropped_spans", exportErrors = "export_errors"
    }
}

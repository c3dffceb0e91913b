import Logging
import SightlineCore
import Synchronization

/// swift-otel reports a lost batch or a full queue only in its diagnostic log, so that log comes here: it
/// is counted into `TelemetryStats` and passed on to Sightline's log, at most once a minute, so a
/// collector that is down for an hour costs 60 lines and not one per batch.
final class ExportDiagnostics: Sendable {
    struct State {
        var stats = TelemetryStats()
        var lastForwarded: ContinuousClock.Instant?
        var unforwarded = 0
    }

    static let forwardInterval = Duration.seconds(60)
    let state = Mutex(State())
    let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    var stats: TelemetryStats { state.withLock { $0.stats } }

    func spanHandedOver() {
        state.withLock { $0.stats.spans += 1 }
    }

    /// The logger to give swift-otel as its diagnostic logger.
    func diagnosticLogger() -> Logger {
        Logger(label: "sightline.otel") { _ in Handler(diagnostics: self) }
    }

    /// Reads one diagnostic line. The phrases are swift-otel 1.6.0's (`OTelBatchSpanProcessor`).
    func note(level: Logger.Level, message: String, metadata: Logger.Metadata) {
        guard level >= .warning else { return }
        func count(_ key: String) -> Int { metadata[key].flatMap { Int("\($0)") } ?? 0 }
        let forward = state.withLock { state -> Int? in
            if message.hasPrefix("Failed to export batch") {
                state.stats.exportErrors += 1
                state.stats.droppedSpans += count("batch_size")
            } else if message.hasPrefix("Spans were dropped") {
                state.stats.droppedSpans += count("dropped_count")
            } else if message.lowercased().contains("export") {
                state.stats.exportErrors += 1
            }
            let now = ContinuousClock.now
            if let last = state.lastForwarded, now < last.advanced(by: Self.forwardInterval) {
                state.unforwarded += 1
                return nil
            }
            state.lastForwarded = now
            defer { state.unforwarded = 0 }
            return state.unforwarded
        }
        guard let suppressed = forward else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["similar_lines_in_the_last_minute"] = "\(suppressed)" }
        logger.warning("OpenTelemetry export: \(message)", metadata: metadata)
    }

    struct Handler: LogHandler {
        let diagnostics: ExportDiagnostics
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .warning

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            diagnostics.note(level: level, message: message.description,
                             metadata: metadata.merging(explicit ?? [:]) { $1 })
        }
    }
}

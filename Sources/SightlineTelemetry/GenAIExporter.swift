import Logging
import Metrics
import OTel
import ServiceLifecycle
import SightlineCore
import SightlineStore
import Synchronization
import Tracing

/// Hands every recorded LLM call to OpenTelemetry: one span (`GenAISpan`) and the GenAI client metrics.
/// Told of flows by the recorder once they are stored, so streams are complete and the link to the flow
/// works; it only starts and ends spans and records measurements, which swift-otel queues and sends from
/// its own batching services (`run()`), so a slow or absent collector never reaches the data path — it
/// costs dropped spans, counted in `stats`.
public final class GenAIExporter: RecordedFlowObserver, Service, Sendable {
    public let configuration: TelemetryConfiguration
    private let options: Mutex<GenAISpan.Options>
    private let emit: (@Sendable (GenAISpan) -> Void)?
    private let metrics: GenAIMetrics?
    private let services: ServiceGroup
    private let diagnostics: ExportDiagnostics

    /// Builds the exporters; throws when swift-otel refuses the configuration (an endpoint without a
    /// scheme, a missing certificate file), which start reports as it does any bad option.
    public init(configuration: TelemetryConfiguration, version: String, logger: Logger) throws {
        self.configuration = configuration
        options = Mutex(GenAISpan.Options(captureContent: configuration.captureContent))
        diagnostics = ExportDiagnostics(logger: logger)
        let otel = configuration.otel(version: version, diagnostics: diagnostics.diagnosticLogger())
        var services: [any Service] = []
        if configuration.tracesEnabled {
            let backend = try OTel.makeTracingBackend(configuration: otel)
            emit = Self.emitter(backend.factory)
            services.append(backend.service)
        } else {
            emit = nil
        }
        if configuration.metricsEnabled {
            let backend = try OTel.makeMetricsBackend(configuration: otel)
            metrics = GenAIMetrics(factory: backend.factory)
            services.append(backend.service)
        } else {
            metrics = nil
        }
        self.services = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger))
    }

    public var stats: TelemetryStats { diagnostics.stats }

    /// The web UI's address once it listens, for the link to each flow (`sightline.flow.url`).
    public func linkFlows(toUI baseURL: String) {
        options.withLock { $0.uiBaseURL = baseURL }
    }

    public func recorded(_ records: [FlowRecord]) {
        let options = options.withLock { $0 }
        for record in records {
            guard let span = GenAISpan(record: record, options: options) else { continue }
            if let emit {
                emit(span)
                diagnostics.spanHandedOver()
            }
            metrics?.record(span)
        }
    }

    /// Runs swift-otel's exporters and batch processors until `shutdown()`.
    public func run() async throws {
        try await services.run()
    }

    /// Sends what is queued (within the exporters' timeouts) and makes `run()` return. Call it after the
    /// recorder's last flush, so the last flows' spans go too.
    public func shutdown() async {
        await services.triggerGracefulShutdown()
    }

    /// Starts and ends the span with the flow's own times, under the parent its `traceparent` names.
    private static func emitter<T: Tracer>(_ tracer: T) -> @Sendable (GenAISpan) -> Void {
        { span in
            var context = ServiceContext.topLevel
            if let parent = span.parent {
                var carrier = ["traceparent": parent.traceparent]
                carrier["tracestate"] = parent.tracestate
                tracer.extract(carrier, into: &context, using: DictionaryExtractor())
            }
            let started = tracer.startSpan(span.name, context: context, ofKind: .client, at: EpochInstant(span.startNanos))
            started.updateAttributes { attributes in
                for (key, value) in span.attributes { attributes[key] = value.spanAttribute }
            }
            if let failure = span.failure { started.setStatus(SpanStatus(code: .error, message: failure)) }
            started.end(at: EpochInstant(span.endNanos))
        }
    }
}

/// A flow's recorded time, given to the tracer instead of "now".
struct EpochInstant: TracerInstant {
    var nanosecondsSinceEpoch: UInt64
    init(_ nanos: UInt64) { nanosecondsSinceEpoch = nanos }
    static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

extension AttributeValue {
    var spanAttribute: SpanAttribute {
        switch self {
        case .string(let value): .string(value)
        case .int(let value): .int64(Int64(value))
        case .double(let value): .double(value)
        case .bool(let value): .bool(value)
        case .strings(let values): .stringArray(values)
        }
    }
}

import Foundation
import Logging
import OTel

/// Whether and where Sightline exports spans and metrics, read the standard way: off unless
/// `OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set or `--otlp-endpoint` is
/// given. The other `OTEL_*` variables (headers, timeout, resource attributes, sampler, batch sizes) are
/// read by swift-otel itself; as OpenTelemetry has it, they take precedence over code, so a set
/// `OTEL_EXPORTER_OTLP_ENDPOINT` wins over `--otlp-endpoint` (start says so).
public struct TelemetryConfiguration: Sendable, Hashable {
    public var tracesEnabled: Bool
    public var metricsEnabled: Bool
    /// Where spans and metrics go, for the banner (the URLs the OTLP/HTTP exporter posts to).
    public var tracesURL: String
    public var metricsURL: String
    /// `gen_ai.input.messages` and the other content attributes are exported.
    public var captureContent: Bool
    public var serviceName: String
    /// The base endpoint `--otlp-endpoint` gave, used when the environment names none.
    var endpointFlag: String?
    /// Things the user asked for that are not done, said once at start.
    public var warnings: [String] = []

    public var isEnabled: Bool { tracesEnabled || metricsEnabled }

    public init(environment: [String: String], endpointFlag: String?, contentFlag: Bool) {
        func value(_ key: String) -> String? {
            environment[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        func isTrue(_ key: String) -> Bool { value(key)?.lowercased() == "true" }
        let flag = endpointFlag.flatMap { $0.isEmpty ? nil : $0 }
        self.endpointFlag = flag
        let general = value("OTEL_EXPORTER_OTLP_ENDPOINT") ?? flag
        let traces = value("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        let metrics = value("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT")
        let disabled = isTrue("OTEL_SDK_DISABLED")
        tracesEnabled = !disabled && (general != nil || traces != nil) && value("OTEL_TRACES_EXPORTER")?.lowercased() != "none"
        metricsEnabled = !disabled && (general != nil || metrics != nil) && value("OTEL_METRICS_EXPORTER")?.lowercased() != "none"
        tracesURL = traces ?? general.map { Self.signalURL(base: $0, path: "v1/traces") } ?? ""
        metricsURL = metrics ?? general.map { Self.signalURL(base: $0, path: "v1/metrics") } ?? ""
        captureContent = contentFlag || isTrue("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT")
        serviceName = value("OTEL_SERVICE_NAME") ?? "sightline"

        if flag != nil, value("OTEL_EXPORTER_OTLP_ENDPOINT") != nil {
            warnings.append("OTEL_EXPORTER_OTLP_ENDPOINT is set and takes precedence over --otlp-endpoint")
        }
        for key in ["OTEL_EXPORTER_OTLP_COMPRESSION", "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION"]
        where value(key)?.lowercased() == "gzip" {
            warnings.append("\(key)=gzip is not applied: swift-otel 1.6.0's OTLP/HTTP exporter sends uncompressed")
        }
        if let proto = value("OTEL_EXPORTER_OTLP_PROTOCOL"), proto.lowercased() == "grpc" {
            warnings.append("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not built in: Sightline exports OTLP over HTTP")
        }
    }

    /// OTLP/HTTP's rule for the general endpoint: the signal's path appended to the base URL.
    static func signalURL(base: String, path: String) -> String {
        base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// swift-otel's configuration: OTLP over HTTP with protobuf, W3C Trace Context, no log export (Sightline's
    /// log stays its own), the conventions' histogram buckets. The environment is applied on top by swift-otel.
    func otel(version: String, diagnostics: Logger) -> OTel.Configuration {
        var configuration = OTel.Configuration.default
        configuration.serviceName = "sightline"
        configuration.resourceAttributes["service.version"] = version
        configuration.diagnosticLogger = .custom(diagnostics)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.traces.enabled = tracesEnabled
        configuration.metrics.enabled = metricsEnabled
        configuration.traces.otlpExporter.`protocol` = .httpProtobuf
        configuration.metrics.otlpExporter.`protocol` = .httpProtobuf
        if let endpointFlag {
            configuration.traces.otlpExporter.endpoint = Self.signalURL(base: endpointFlag, path: "v1/traces")
            configuration.metrics.otlpExporter.endpoint = Self.signalURL(base: endpointFlag, path: "v1/metrics")
        }
        configuration.metrics.valueHistogramBuckets = [
            GenAI.Metric.tokenUsage: GenAI.Metric.tokenBuckets,
            GenAI.Metric.operationDuration: GenAI.Metric.secondsBuckets,
            GenAI.Metric.timeToFirstChunk: GenAI.Metric.secondsBuckets,
        ]
        return configuration
    }
}

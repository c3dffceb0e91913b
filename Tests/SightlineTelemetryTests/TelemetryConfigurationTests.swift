@testable import SightlineTelemetry
import Testing

/// Off unless asked, and then where the OTLP/HTTP rules say.
@Suite struct TelemetryConfigurationTests {
    @Test func offWithoutAnEndpoint() {
        let configuration = TelemetryConfiguration(environment: ["OTEL_SERVICE_NAME": "x"], endpointFlag: nil, contentFlag: false)
        #expect(!configuration.isEnabled)
    }

    @Test func theGeneralEndpointGetsEachSignalsPath() {
        let configuration = TelemetryConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"],
                                                   endpointFlag: nil, contentFlag: false)
        #expect(configuration.tracesEnabled && configuration.metricsEnabled)
        #expect(configuration.tracesURL == "http://collector:4318/v1/traces")
        #expect(configuration.metricsURL == "http://collector:4318/v1/metrics")
        #expect(configuration.serviceName == "sightline")
        #expect(!configuration.captureContent)
    }

    @Test func aTracesEndpointAloneExportsOnlySpansAndIsUsedAsIs() {
        let configuration = TelemetryConfiguration(environment: ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://otlp.example.com/api/traces"],
                                                   endpointFlag: nil, contentFlag: false)
        #expect(configuration.tracesEnabled && !configuration.metricsEnabled)
        #expect(configuration.tracesURL == "https://otlp.example.com/api/traces")
    }

    @Test func theFlagTurnsItOnAndTheEnvironmentWins() {
        let flag = TelemetryConfiguration(environment: [:], endpointFlag: "http://127.0.0.1:4318/", contentFlag: true)
        #expect(flag.tracesURL == "http://127.0.0.1:4318/v1/traces")
        #expect(flag.captureContent)
        #expect(flag.warnings.isEmpty)
        let both = TelemetryConfiguration(environment: ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://env:4318"], endpointFlag: "http://flag:4318",
                                          contentFlag: false)
        #expect(both.tracesURL == "http://env:4318/v1/traces")
        #expect(both.warnings.contains { $0.contains("takes precedence over --otlp-endpoint") })
    }

    @Test func optOutsAndOptInsAreHonoured() {
        let base = ["OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"]
        #expect(!TelemetryConfiguration(environment: base.merging(["OTEL_SDK_DISABLED": "true"]) { $1 }, endpointFlag: nil, contentFlag: false).isEnabled)
        let noMetrics = TelemetryConfiguration(environment: base.merging(["OTEL_METRICS_EXPORTER": "none"]) { $1 }, endpointFlag: nil, contentFlag: false)
        #expect(noMetrics.tracesEnabled && !noMetrics.metricsEnabled)
        let content = TelemetryConfiguration(environment: base.merging(["OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "TRUE"]) { $1 },
                                             endpointFlag: nil, contentFlag: false)
        #expect(content.captureContent)
        let gzip = TelemetryConfiguration(environment: base.merging(["OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"]) { $1 }, endpointFlag: nil, contentFlag: false)
        #expect(gzip.warnings.contains { $0.contains("gzip is not applied") }, "said, not silently ignored")
    }
}

import Foundation

/// This process's environment without any proxy, CA or Sightline variable, plus `extra`: a child
/// started with it behaves the same in a developer's shell as in CI, and a test that checks what
/// Sightline sets is not fooled by what the shell had set already.
public func cleanEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    ProcessInfo.processInfo.environment.filter { !droppedVariables.contains($0.key) }.merging(extra) { $1 }
}

private let droppedVariables: Set<String> = [
    "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    "SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PYTHONPATH",
    "SIGHTLINE_HOME", "VIRTUAL_ENV",
    "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_SERVICE_NAME",
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "OTEL_SDK_DISABLED", "OTEL_RESOURCE_ATTRIBUTES",
]

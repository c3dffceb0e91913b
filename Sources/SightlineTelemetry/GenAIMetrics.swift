import CoreMetrics
import Metrics

/// The GenAI client metrics: `gen_ai.client.token.usage` (by `gen_ai.token.type`),
/// `gen_ai.client.operation.duration` and, for streams, `gen_ai.client.operation.time_to_first_chunk`, in
/// seconds, with the provider, operation, model and server attributes the conventions list.
struct GenAIMetrics: Sendable {
    let factory: any MetricsFactory

    func record(_ span: GenAISpan) {
        var dimensions: [(String, String)] = []
        for key in [GenAI.Attribute.operationName, GenAI.Attribute.providerName, GenAI.Attribute.requestModel,
                    GenAI.Attribute.responseModel, GenAI.Attribute.serverAddress] {
            if case .string(let value)? = span.attributes[key] { dimensions.append((key, value)) }
        }
        if case .int(let port)? = span.attributes[GenAI.Attribute.serverPort] {
            dimensions.append((GenAI.Attribute.serverPort, String(port)))
        }
        for (type, key) in [("input", GenAI.Attribute.usageInputTokens), ("output", GenAI.Attribute.usageOutputTokens)] {
            guard case .int(let tokens)? = span.attributes[key] else { continue }
            Recorder(label: GenAI.Metric.tokenUsage, dimensions: dimensions + [(GenAI.Attribute.tokenType, type)],
                     aggregate: true, factory: factory).record(tokens)
        }
        var durationDimensions = dimensions
        if case .string(let error)? = span.attributes[GenAI.Attribute.errorType] {
            durationDimensions.append((GenAI.Attribute.errorType, error))
        }
        let seconds = Double(span.endNanos - span.startNanos) / 1e9
        Recorder(label: GenAI.Metric.operationDuration, dimensions: durationDimensions, aggregate: true, factory: factory)
            .record(seconds)
        if case .double(let firstChunk)? = span.attributes[GenAI.Attribute.responseTimeToFirstChunk] {
            Recorder(label: GenAI.Metric.timeToFirstChunk, dimensions: dimensions, aggregate: true, factory: factory)
                .record(firstChunk)
        }
    }
}

import SightlineCore
import SightlineLLM

/// One flow ready to insert: redacted, decoded and analysed by `FlowRecordBuilder`, off the data path.
/// Store-neutral: each `FlowStore` maps it onto its own tables.
public struct FlowRecord: Sendable, Hashable {
    /// What `flow(id:)` will return for this flow.
    public var detail: FlowDetail
    /// Prompt and output text for full-text search (the URL is indexed beside it).
    public var searchText: String
    /// What the analyzer found, for those who watch recorded flows (the OpenTelemetry exporter): the
    /// request's and response's own model names and the response id, which the summary does not keep.
    /// Without its conversation and search text: the one to read is `detail.conversation`, which
    /// honours `Sightline-Omit-*`.
    public var analysis: LLMAnalysis?
    public init(detail: FlowDetail, searchText: String, analysis: LLMAnalysis? = nil) {
        self.detail = detail
        self.searchText = searchText
        self.analysis = analysis.map { analysis in
            var facts = analysis
            facts.conversation = Conversation()
            facts.searchText = ""
            return facts
        }
    }

    /// How the store threads this call into its conversation (`parent_id`, `thread_id`); nil for flows that
    /// are not part of one.
    public var threadKeys: ThreadKeys? { analysis?.threadKeys }

    public var id: FlowID { detail.summary.id }
    public var summary: FlowSummary { detail.summary }
}

import SightlineCore
import SightlineLLM

/// One flow ready to insert: redacted, decoded and analysed by `FlowRecordBuilder`, off the data path.
/// Store-neutral: each `FlowStore` maps it onto its own tables.
public struct FlowRecord: Sendable, Hashable {
    /// What `flow(id:)` will return for this flow.
    public var detail: FlowDetail
    /// Prompt and output text for full-text search (the URL is indexed beside it).
    public var searchText: String

    public init(detail: FlowDetail, searchText: String) {
        self.detail = detail
        self.searchText = searchText
    }

    public var id: FlowID { detail.summary.id }
    public var summary: FlowSummary { detail.summary }
}

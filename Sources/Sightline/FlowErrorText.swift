import SightlineStore

/// How the CLI writes why a flow failed: the stable kind in brackets, for grep and scripts, then the sentence
/// for a person. A flow recorded before kinds were kept shows its sentence alone.
enum FlowErrorText {
    static func render(_ flow: FlowSummary) -> String? {
        switch (flow.errorKind, flow.error) {
        case let (kind?, error?): "[\(kind.rawValue)] \(error)"
        case let (kind?, nil): "[\(kind.rawValue)]"
        case let (nil, error?): error
        case (nil, nil): nil
        }
    }
}

/// One span attribute's value, as the mapping from a flow produces it: kept apart from the tracing
/// library's type so that what a flow becomes is a plain value, compared in tests.
enum AttributeValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case strings([String])
}

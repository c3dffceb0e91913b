import SightlineCore

/// `error_kind=` as the API takes it. The shared query parser drops a word it does not know, which would
/// turn a typo into "every flow"; the API answers 400 with the words it knows instead.
enum ErrorKindParameter {
    static func check(_ parameters: [(name: String, value: String)]) throws {
        guard let word = parameters.last(where: { $0.name == "error_kind" && !$0.value.isEmpty })?.value,
              FlowErrorKind(rawValue: word) == nil else { return }
        throw APIError.badRequest("error_kind: \(word.debugDescription) is not one of "
            + FlowErrorKind.allCases.map(\.rawValue).joined(separator: ", "))
    }
}

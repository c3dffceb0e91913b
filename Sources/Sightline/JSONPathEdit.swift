import Foundation

/// `--set messages.0.content=hi`, `--set temperature=0`: a dotted path into a JSON body (numbers index arrays) and a
/// value read as JSON when it is JSON (`0`, `true`, `null`, `"quoted"`, `{…}`), else as a string.
struct JSONPathEdit {
    var path: [String]
    var value: Any

    init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw InstanceAPI.Failure(description: "--set \(text): give JSON.PATH=VALUE, e.g. temperature=0 or messages.0.content=hi")
        }
        path = text[..<equals].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let raw = String(text[text.index(after: equals)...])
        value = (try? JSONSerialization.jsonObject(with: Data(raw.utf8), options: [.fragmentsAllowed])) ?? raw
        guard !path.contains(where: \.isEmpty) else { throw InstanceAPI.Failure(description: "--set \(text): an empty path segment") }
    }

    /// `root` with the value set at the path; objects are made on the way, arrays must hold the index (or end there).
    func applied(to root: Any) throws -> Any {
        try Self.set(value, at: path[...], in: root, whole: path.joined(separator: "."))
    }

    private static func set(_ value: Any, at path: ArraySlice<String>, in node: Any, whole: String) throws -> Any {
        guard let key = path.first else { return value }
        if var array = node as? [Any] {
            guard let index = Int(key), index >= 0, index <= array.count else {
                throw InstanceAPI.Failure(description: "--set \(whole): \(key) is not an index of an array of \(array.count)")
            }
            if index == array.count {
                array.append(try set(value, at: path.dropFirst(), in: [String: Any](), whole: whole))
            } else {
                array[index] = try set(value, at: path.dropFirst(), in: array[index], whole: whole)
            }
            return array
        }
        var object = node as? [String: Any] ?? [:]
        object[key] = try set(value, at: path.dropFirst(), in: object[key] ?? [String: Any](), whole: whole)
        return object
    }
}

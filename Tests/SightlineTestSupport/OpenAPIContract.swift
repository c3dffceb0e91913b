import Foundation
import SightlineCore

/// The hand-written `openapi.json` as a contract: every JSON answer the tests see from the API is checked against
/// the schema it documents for that route, method and status. A route, status or field the document does not
/// describe (or describes otherwise) is a problem, so the document cannot drift from the API unnoticed.
public enum OpenAPIContract {
    public static let documentPath = PackageRoot.url.appendingPathComponent("Sources/SightlineWeb/Resources/ui/openapi.json")
    nonisolated(unsafe) private static var loaded: JSONValue?
    private static let lock = NSLock()

    static var document: JSONValue {
        lock.lock()
        defer { lock.unlock() }
        if let loaded { return loaded }
        let data = (try? Data(contentsOf: documentPath)) ?? Data()
        let value = JSONValue.parse(Array(data)) ?? .object([:])
        loaded = value
        return value
    }

    /// What is wrong with `body` as the answer of `method path` (a query is ignored) with `status`; empty when it
    /// conforms. Only JSON answers are checked: a download or a stream has its own format.
    public static func problems(method: String, path: String, status: Int, contentType: String?, body: Data) -> [String] {
        guard contentType?.lowercased().hasPrefix("application/json") ?? true else { return [] }
        let route = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        let where_ = "\(method) \(route) → \(status)"
        guard let (template, item) = pathItem(route) else { return ["\(where_): no such path in openapi.json"] }
        guard let operation = item[method.lowercased()] else { return ["\(where_): openapi.json has no \(method) for \(template)"] }
        guard let responses = operation["responses"]?.object else { return ["\(where_): no responses documented"] }
        guard let response = responses[String(status)] ?? responses["default"] else {
            return ["\(where_): status \(status) is not documented for \(template)"]
        }
        guard let schema = resolve(response)["content"]?["application/json"]?["schema"] else {
            return ["\(where_): a JSON answer, but openapi.json documents no JSON schema for it"]
        }
        guard let instance = JSONValue.parse(Array(body)) else { return ["\(where_): the body is not JSON"] }
        return JSONSchemaCheck().problems(instance, schema, at: "$").map { "\(where_): \($0)" }
    }

    /// The document's path template matching `path` (`/api/flows/{id}/diff`), literal segments before parameters.
    static func pathItem(_ path: String) -> (String, JSONValue)? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let candidates = (document["paths"]?.object ?? [:]).filter { template, _ in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == segments.count && zip(parts, segments).allSatisfy { part, segment in
                (part.hasPrefix("{") && part.hasSuffix("}") && !segment.isEmpty) || part == segment
            }
        }
        return candidates.min { $0.key.filter { $0 == "{" }.count < $1.key.filter { $0 == "{" }.count }.map { ($0.key, $0.value) }
    }

    static func resolve(_ value: JSONValue) -> JSONValue {
        guard let ref = value["$ref"]?.string, ref.hasPrefix("#/") else { return value }
        var node: JSONValue? = document
        for component in ref.dropFirst(2).split(separator: "/") { node = node?[String(component)] }
        return node.map(resolve) ?? .object([:])
    }
}

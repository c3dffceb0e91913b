import SightlineCore

/// The JSON Schema (2020-12) keywords `openapi.json` uses: `$ref`, `type` (one or a list), `properties`, `required`,
/// `additionalProperties`, `items`, `prefixItems`, `minItems`, `maxItems`, `enum`, `allOf`, `anyOf`, `oneOf`.
/// Annotations (`description`, `format`, `contentEncoding`) are not assertions, as in the standard.
struct JSONSchemaCheck {
    /// `strict`: a field the schema (with its `allOf` parts) does not list is a problem; an `allOf` part alone is
    /// not strict, since the other parts list the rest.
    func problems(_ value: JSONValue, _ schema: JSONValue, at path: String, strict: Bool = true) -> [String] {
        let schema = OpenAPIContract.resolve(schema)
        var found: [String] = []
        if let types = schema["type"].map({ $0.array?.compactMap(\.string) ?? [$0.string].compactMap { $0 } }),
           !types.contains(where: { Self.matches(value, type: $0) }) {
            return ["\(path): \(Self.describe(value)) where the schema says \(types.joined(separator: " or "))"]
        }
        if let allowed = schema["enum"]?.array, !allowed.contains(value) {
            found.append("\(path): \(value.jsonText) is not one of \(JSONValue.array(allowed).jsonText)")
        }
        for part in schema["allOf"]?.array ?? [] { found += problems(value, part, at: path, strict: false) }
        for keyword in ["anyOf", "oneOf"] {
            if let options = schema[keyword]?.array, !options.contains(where: { problems(value, $0, at: path).isEmpty }) {
                found.append("\(path): matches none of the \(keyword) schemas")
            }
        }
        if case .object(let object) = value {
            let properties = schema["properties"]?.object ?? [:]
            let listed = Self.listedProperties(schema)
            for name in schema["required"]?.array?.compactMap(\.string) ?? [] where object[name] == nil {
                found.append("\(path): the required \"\(name)\" is missing")
            }
            for (name, member) in object {
                if let property = properties[name] {
                    found += problems(member, property, at: "\(path).\(name)")
                } else if let additional = schema["additionalProperties"] {
                    if additional == .bool(false) { found.append("\(path): \"\(name)\" is not in the schema") }
                    else if additional.object != nil { found += problems(member, additional, at: "\(path).\(name)") }
                } else if strict, !listed.isEmpty, !listed.contains(name) {
                    // The document lists every field it means: an unlisted one is a field it forgot.
                    found.append("\(path): \"\(name)\" is not documented")
                }
            }
        }
        if case .array(let items) = value {
            if let min = schema["minItems"]?.int, items.count < min { found.append("\(path): \(items.count) items, at least \(min) expected") }
            if let max = schema["maxItems"]?.int, items.count > max { found.append("\(path): \(items.count) items, at most \(max) expected") }
            let prefix = schema["prefixItems"]?.array ?? []
            for (index, item) in items.enumerated() {
                if index < prefix.count { found += problems(item, prefix[index], at: "\(path)[\(index)]") }
                else if let each = schema["items"] { found += problems(item, each, at: "\(path)[\(index)]") }
            }
        }
        return found
    }

    /// The property names a schema lists, its `allOf` parts' included.
    static func listedProperties(_ schema: JSONValue) -> Set<String> {
        let schema = OpenAPIContract.resolve(schema)
        var names = Set((schema["properties"]?.object ?? [:]).keys)
        for part in schema["allOf"]?.array ?? [] { names.formUnion(listedProperties(part)) }
        return names
    }

    static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object), ("number", .number): true
        case ("integer", .number(let n)): n.rounded() == n
        default: false
        }
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let n): "the number \(n)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

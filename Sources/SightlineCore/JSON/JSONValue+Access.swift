/// Lenient accessors: every wire format is read through these, so a field of the wrong type reads as
/// absent instead of failing the decode.
extension JSONValue {
    /// Parses one JSON document (strict; nil when the bytes are not exactly one value).
    public static func parse(_ bytes: [UInt8]) -> JSONValue? { JSONParser.parse(bytes) }
    public static func parse(_ text: String) -> JSONValue? { JSONParser.parse(text) }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let object) = self else { return nil }
        return object[key]
    }

    /// A field by its camelCase name, or by its snake_case spelling: Gemini's REST API accepts both and
    /// clients send either.
    public func field(_ camelCase: String) -> JSONValue? {
        if let value = self[camelCase] { return value }
        let snake = Self.snakeCase(camelCase)
        return snake == camelCase ? nil : self[snake]
    }

    public var string: String? {
        guard case .string(let s) = self else { return nil }
        return s
    }

    public var double: Double? {
        guard case .number(let n) = self else { return nil }
        return n
    }

    /// An integral number; nil for fractions and values beyond exact Double integers.
    public var int: Int? {
        guard case .number(let n) = self, n.isFinite, n.rounded() == n, abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }

    public var bool: Bool? {
        guard case .bool(let b) = self else { return nil }
        return b
    }

    public var array: [JSONValue]? {
        guard case .array(let a) = self else { return nil }
        return a
    }

    public var arrayOrEmpty: [JSONValue] { array ?? [] }

    public var object: [String: JSONValue]? {
        guard case .object(let o) = self else { return nil }
        return o
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The non-empty string, for fields where `""` means "not given".
    public var nonEmptyString: String? {
        guard let s = string, !s.isEmpty else { return nil }
        return s
    }

    private static func snakeCase(_ name: String) -> String {
        var out = ""
        for ch in name {
            if ch.isUppercase {
                out.append("_")
                out.append(contentsOf: ch.lowercased())
            } else {
                out.append(ch)
            }
        }
        return out
    }
}

extension Optional where Wrapped == JSONValue {
    /// The array, or empty: absent and malformed lists read the same.
    public var arrayOrEmpty: [JSONValue] { self?.array ?? [] }
}

/// `--name value` pairs of a subcommand; a name may repeat.
struct CommandLineOptions {
    private var values: [String: [String]] = [:]

    init(_ arguments: ArraySlice<String>) throws {
        var remaining = arguments[...]
        while let name = remaining.popFirst() {
            guard name.hasPrefix("--"), let value = remaining.popFirst() else {
                throw BenchError("expected --option value, got \(name)")
            }
            values[String(name.dropFirst(2)), default: []].append(value)
        }
    }

    func all(_ name: String) -> [String] { values[name] ?? [] }

    func required(_ name: String) throws -> String {
        guard let value = values[name]?.last else { throw BenchError("missing --\(name)") }
        return value
    }

    func number(_ name: String, default fallback: Double) throws -> Double {
        guard let text = values[name]?.last else { return fallback }
        guard let value = Double(text), value > 0 else { throw BenchError("--\(name) needs a positive number, got \(text)") }
        return value
    }
}

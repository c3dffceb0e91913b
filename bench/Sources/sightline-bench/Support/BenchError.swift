/// Why a benchmark step could not go on; the message names the step and what was seen.
struct BenchError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

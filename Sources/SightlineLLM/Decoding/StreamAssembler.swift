/// Rebuilds a streamed answer event by event (one per wire format). The decoders' `decodeStream` is the same
/// fold for every format that needs nothing but the events: `assemble(_:into:)`.
protocol StreamAssembler {
    init()
    mutating func consume(_ event: StreamEvent, into result: inout DecodedExchange)
    func finish(into result: inout DecodedExchange)
}

extension StreamAssembler {
    /// Every event in order, then what the stream's end settles.
    static func assemble(_ events: [StreamEvent], into result: inout DecodedExchange) {
        var assembler = Self()
        for event in events { assembler.consume(event, into: &result) }
        assembler.finish(into: &result)
    }
}

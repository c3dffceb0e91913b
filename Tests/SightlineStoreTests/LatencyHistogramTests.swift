import SightlineStore
import Testing

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    @Test("the stored text is key:count pairs in key order, and reads back to the same histogram")
    func encodedRoundTrip() {
        var histogram = LatencyHistogram()
        for value in [0.0, 0, 3, 200, 200, 1_234.5, 0.0456] { histogram.add(value) }
        let text = histogram.encoded
        #expect(text == histogram.counts.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ","))
        var read = LatencyHistogram()
        read.merge(LatencyHistogram(encoded: text))
        #expect(read == histogram)
        #expect(LatencyHistogram().encoded == "")
    }

    @Test("a removal below zero keeps its sign through the text (a rollup row that only lost flows)")
    func negativeCounts() {
        var removal = LatencyHistogram()
        removal.merge({ var h = LatencyHistogram(); h.add(200); h.add(200); h.add(10); return h }(), sign: -1)
        let text = removal.encoded
        #expect(text.contains(":-2"), "\(text)")
        var read = LatencyHistogram()
        read.merge(LatencyHistogram(encoded: text))
        #expect(read == removal)
    }
}

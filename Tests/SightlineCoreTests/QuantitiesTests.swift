import SightlineCore
import Testing

@Suite("Quantities")
struct QuantitiesTests {
    @Test("byte counts take binary and decimal suffixes, any case")
    func byteCounts() {
        #expect(Quantities.parseByteCount("4096") == 4096)
        #expect(Quantities.parseByteCount("32MiB") == 32 * 1_048_576)
        #expect(Quantities.parseByteCount("500MB") == 500_000_000)
        #expect(Quantities.parseByteCount("1g") == 1_073_741_824)
        #expect(Quantities.parseByteCount("1.5k") == 1536)
        #expect(Quantities.parseByteCount(" 2 KB ") == 2000)
        #expect(Quantities.parseByteCount("1TiB") == 1_099_511_627_776)
        #expect(Quantities.parseByteCount("10b") == 10)
        for bad in ["", "MB", "-1", "10xb", "1.2.3", "ten"] {
            #expect(Quantities.parseByteCount(bad) == nil, "\(bad)")
        }
    }

    @Test("durations: s, m or min, h, d, w; a bare number is seconds")
    func durations() {
        #expect(Quantities.parseDurationSeconds("90") == 90)
        #expect(Quantities.parseDurationSeconds("90s") == 90)
        #expect(Quantities.parseDurationSeconds("15m") == 900)
        #expect(Quantities.parseDurationSeconds("10min") == 600)
        #expect(Quantities.parseDurationSeconds("12H") == 43_200)
        #expect(Quantities.parseDurationSeconds("1.5h") == 5400)
        #expect(Quantities.parseDurationSeconds("7d") == 604_800)
        #expect(Quantities.parseDurationSeconds("2w") == 1_209_600)
        for bad in ["", "h", "-5m", "5y", "1.2.3s"] {
            #expect(Quantities.parseDurationSeconds(bad) == nil, "\(bad)")
        }
    }
}

import Testing
@testable import SightlineProxy

/// The heap is trimmed once per burst of traffic, when no client connection is open.
struct IdleMemoryTrimmerTests {
    @Test func trimsOnceAfterEachBurstAndNeverWhileConnectionsAreOpen() {
        var trimmer = IdleMemoryTrimmer(admittedAtStart: 0)
        // (open, admitted since start) at each look, and whether that look trims.
        let looks: [(open: Int, admitted: Int, trims: Bool)] = [
            (0, 0, false),        // no traffic yet
            (3, 3, false),        // connections open
            (1, 1_000, false),    // one still open
            (0, 1_000, true),     // all closed after a burst
            (0, 1_000, false),    // still idle: once is enough
            (0, 1_000, false),
            (0, 1_001, true),     // a connection came and went between two looks
        ]
        var decisions: [Bool] = []
        for look in looks { decisions.append(trimmer.shouldTrim(open: look.open, admitted: look.admitted)) }
        #expect(decisions == looks.map(\.trims))
        #expect(IdleMemoryTrimmer.isAvailable, "glibc's malloc_trim is found")
        IdleMemoryTrimmer.trim()
    }
}

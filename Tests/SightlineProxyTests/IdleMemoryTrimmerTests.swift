import Testing
@testable import SightlineProxy

/// The heap is trimmed once per burst of traffic, when no client connection is open.
struct IdleMemoryTrimmerTests {
    @Test func trimsOnceAfterEachBurstAndNeverWhileConnectionsAreOpen() {
        var trimmer = IdleMemoryTrimmer(admittedAtStart: 0)
        #expect(!trimmer.shouldTrim(open: 0, admitted: 0), "no traffic yet")
        #expect(!trimmer.shouldTrim(open: 3, admitted: 3), "connections open")
        #expect(!trimmer.shouldTrim(open: 1, admitted: 1_000), "one still open")
        #expect(trimmer.shouldTrim(open: 0, admitted: 1_000), "all closed after a burst")
        #expect(!trimmer.shouldTrim(open: 0, admitted: 1_000), "still idle: once is enough")
        #expect(!trimmer.shouldTrim(open: 0, admitted: 1_000))
        #expect(trimmer.shouldTrim(open: 0, admitted: 1_001), "a connection came and went between two looks")
        IdleMemoryTrimmer.trim() // glibc's malloc_trim is found and runs
    }
}

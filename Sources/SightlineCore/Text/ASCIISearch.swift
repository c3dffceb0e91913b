extension StringProtocol {
    /// The first range of an ASCII `needle` (`"://"`, `"/model/"`), found by comparing UTF-8 bytes. It runs for
    /// every request and recorded flow: the standard library's `firstRange(of:)` goes through generic
    /// Character comparison and Foundation's `range(of:)` through CFString, and both showed in profiles.
    /// A match of ASCII bytes always starts and ends on a character boundary.
    public func firstRange(ofASCII needle: StaticString) -> Range<String.Index>? {
        precondition(needle.isASCII, "an ASCII needle")
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard let first = pattern.first else { return nil }
        let bytes = utf8
        var start = bytes.startIndex
        while let found = bytes[start...].firstIndex(of: first) {
            var index = found
            var matched = 0
            while matched < pattern.count, index < bytes.endIndex, bytes[index] == pattern[matched] {
                index = bytes.index(after: index)
                matched += 1
            }
            if matched == pattern.count { return found..<index }
            start = bytes.index(after: found)
        }
        return nil
    }
}

extension Substring {
    /// The first range of an ASCII `needle` (`"://"`, `"/model/"`), found by comparing UTF-8 bytes in place. It runs
    /// for every request and recorded flow: the standard library's `firstRange(of:)` goes through generic
    /// Character comparison and Foundation's `range(of:)` through CFString, and both showed in profiles (so did a
    /// generic version of this one: it is concrete on purpose). A match of ASCII bytes always starts and ends on a
    /// character boundary.
    public func firstRange(ofASCII needle: StaticString) -> Range<String.Index>? {
        precondition(needle.isASCII, "an ASCII needle")
        var text = self
        let found: Int? = text.withUTF8 { bytes in
            let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
            guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
            var offset = 0
            while offset <= bytes.count - pattern.count {
                var matched = 0
                while matched < pattern.count, bytes[offset + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return offset }
                offset += 1
            }
            return nil
        }
        guard let found else { return nil }
        let lower = utf8.index(startIndex, offsetBy: found)
        return lower..<utf8.index(lower, offsetBy: needle.utf8CodeUnitCount)
    }
}

extension String {
    /// See `Substring.firstRange(ofASCII:)`.
    public func firstRange(ofASCII needle: StaticString) -> Range<String.Index>? {
        self[...].firstRange(ofASCII: needle)
    }
}

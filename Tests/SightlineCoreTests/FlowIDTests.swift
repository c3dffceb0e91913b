import Foundation
import SightlineCore
import Testing

@Suite("FlowID")
struct FlowIDTests {
    @Test("a new id is a UUIDv7 whose first 48 bits are the Unix milliseconds it was made at")
    func layout() {
        let id = FlowID.make(at: Date(timeIntervalSince1970: 1_800_000_000.123))
        let text = id.description
        #expect(text.count == 36)
        #expect(String(text.prefix(8)) + text.dropFirst(9).prefix(4) == "01a3185c507b", "0x01a3185c507b = 1800000000123 ms")
        #expect(Array(text)[14] == "7", "version 7")
        #expect("89ab".contains(Array(text)[19]), "RFC 9562 variant")
        #expect(text == text.lowercased())
        #expect(FlowID.make(at: Date(timeIntervalSince1970: -5)).description.hasPrefix("00000000-0000-7"), "before 1970 clamps to 0")
    }

    @Test("ids sort by the time they were made, so an id can be a page cursor")
    func orderingFollowsTime() {
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        // Half a millisecond in, so that rounding never puts two of them in one millisecond.
        let ids = (0..<200).map { FlowID.make(at: base.addingTimeInterval((Double($0) + 0.5) / 1000)) }
        #expect(ids.sorted() == ids, "one per millisecond, whatever the random bits")
        #expect(FlowID.make(at: base.addingTimeInterval(86_400)) > FlowID.make(at: base))
        let sameMillisecond = (0..<1000).map { _ in FlowID.make(at: base) }
        #expect(Set(sameMillisecond).count == 1000, "ids of one millisecond still differ")
        #expect(ids.map(\.description).sorted() == ids.map(\.description), "the text sorts the same way (the store compares text)")
    }

    @Test("parsing takes any case and gives the lowercase text back; anything else is nil")
    func parsing() {
        let id = FlowID("01A21213-5F89-7479-A25D-AAF845137278")
        #expect(id?.description == "01a21213-5f89-7479-a25d-aaf845137278")
        #expect(id == FlowID("01a21213-5f89-7479-a25d-aaf845137278"))
        #expect(FlowID("") == nil)
        #expect(FlowID("not-a-uuid") == nil)
        #expect(FlowID("01a21213-5f89-7479-a25d-aaf84513727") == nil, "one digit short")
        #expect(FlowID("'; DROP TABLE flow; --") == nil)
        let made = FlowID.make()
        #expect(FlowID(made.description) == made)
    }

    @Test("the text, its parsing and the order agree with Foundation's UUID for any id")
    func agreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let (a, b) = (FlowID(uuid: UUID()), FlowID.make(at: Date(timeIntervalSince1970: Double(generator.next() as UInt32))))
            #expect(a.description == a.uuid.uuidString.lowercased())
            #expect(FlowID(a.uuid.uuidString) == a, "Foundation's uppercase text parses")
            #expect((a < b) == (a.description < b.description), "the order is the text's order")
            #expect(!(a < a))
        }
        #expect(FlowID("01a21213-5f89-7479-a25d-aaf84513727g") == nil, "not hex")
        #expect(FlowID("01a21213_5f89-7479-a25d-aaf845137278") == nil, "a separator that is not a hyphen")
        #expect(FlowID("01a212135f89-7479-a25d-aaf845137278-") == nil, "a hyphen out of place")
        #expect(FlowID("01a21213-5f89-7479-a25d-aaf8451372780") == nil, "one digit long")
    }

    @Test("JSON is the id's text; a string that is not a UUID fails to decode")
    func codable() throws {
        let id = try #require(FlowID("01a21213-5f89-7479-a25d-aaf845137278"))
        let data = try JSONEncoder().encode(["id": id])
        #expect(String(decoding: data, as: UTF8.self) == #"{"id":"01a21213-5f89-7479-a25d-aaf845137278"}"#)
        #expect(try JSONDecoder().decode([String: FlowID].self, from: data)["id"] == id)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([FlowID].self, from: Data(#"["nope"]"#.utf8)) }
    }
}

import SightlineCore
import Testing
@testable import SightlineLLM

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesAllValueKinds() {
        let value = JSONValue.parse(#" {"a":[1,-2.5e2,true,false,null,"x\"\n\u00e9\ud83c\udf0d"],"b":{}} "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(-250), .bool(true), .bool(false), .null, .string("x\"\né🌍")]),
            "b": .object([:]),
        ]))
    }

    @Test func booleansAreNotNumbers() {
        #expect(JSONValue.parse("true") == .bool(true))
        #expect(JSONValue.parse("1") == .number(1))
        #expect(JSONValue.parse("1")?.bool == nil)
        #expect(JSONValue.parse("true")?.int == nil)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "{} {}", "[1 2]", "\"\u{01}\"", "nul"])
    func malformedInputIsNil(_ text: String) {
        #expect(JSONValue.parse(text) == nil)
    }

    @Test func deepNestingIsRejectedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONValue.parse(deep) == nil)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONValue.parse(fine) != nil)
    }

    @Test func serializesCompactlyWithSortedKeys() {
        let value: JSONValue = .object(["b": .number(1), "a": .array([.string("q\""), .null, .number(0.5)])])
        #expect(value.jsonText == #"{"a":["q\"",null,0.5],"b":1}"#)
        #expect(JSONValue.parse(value.jsonText) == value)
    }
}

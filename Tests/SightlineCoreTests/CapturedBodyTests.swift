import Foundation
import SightlineCore
import Testing

@Suite("CapturedBody and HeaderField")
struct CapturedBodyTests {
    @Test("a body keeps its first cap bytes and counts them all")
    func cap() {
        var body = CapturedBody(capBytes: 4, bytes: [1, 2, 3])
        #expect(body.bytes == [1, 2, 3] && body.totalBytes == 3 && !body.isTruncated)
        body.append([4, 5, 6])
        #expect(body.bytes == [1, 2, 3, 4] && body.totalBytes == 6 && body.isTruncated)
        body.append([7])
        #expect(body.bytes == [1, 2, 3, 4] && body.totalBytes == 7)
        body.count(1000)
        #expect(body.bytes == [1, 2, 3, 4] && body.totalBytes == 1007, "counted bytes are not kept")
        var nothingKept = CapturedBody(capBytes: 0)
        nothingKept.append([9, 9])
        #expect(nothingKept.bytes.isEmpty && nothingKept.totalBytes == 2 && nothingKept.isTruncated)
        let exact = CapturedBody(capBytes: 2, bytes: [1, 2])
        #expect(!exact.isTruncated)
    }

    @Test("a header is [name, value] in JSON; lookups ignore ASCII case and keep wire order")
    func headers() throws {
        let data = try JSONEncoder().encode([HeaderField("Content-Type", "application/json")])
        #expect(String(decoding: data, as: UTF8.self) == #"[["Content-Type","application\/json"]]"#)
        #expect(try JSONDecoder().decode([HeaderField].self, from: data) == [HeaderField("Content-Type", "application/json")])
        let headers = [HeaderField("Set-Cookie", "a=1"), HeaderField("content-type", "text/plain"), HeaderField("SET-COOKIE", "b=2")]
        #expect(headers.first(named: "Content-Type") == "text/plain")
        #expect(headers.all(named: "set-cookie") == ["a=1", "b=2"])
        #expect(headers.first(named: "X-Missing") == nil)
        #expect("X-API-Key".caseInsensitiveEquals("x-api-key"))
        #expect(!"X-API-Key".caseInsensitiveEquals("x-api-keys"))
        #expect(!"Ä".caseInsensitiveEquals("ä"), "only ASCII letters fold, as in HTTP")
    }
}

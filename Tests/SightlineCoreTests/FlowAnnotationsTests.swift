import SightlineCore
import Testing

@Suite("recording headers (FlowAnnotations)")
struct FlowAnnotationsTests {
    @Test("Sightline- and Helicone- headers set properties, user, session and omit flags")
    func parse() {
        let annotations = FlowAnnotations.parse([
            HeaderField("Sightline-Property-Env", "prod"),
            HeaderField("helicone-property-Team", "search"),
            HeaderField("Sightline-Property-", "no name: ignored"),
            HeaderField("Sightline-User-Id", "alice"),
            HeaderField("HELICONE-SESSION-ID", "run-42"),
            HeaderField("Sightline-Session-Path", "/plan/weather"),
            HeaderField("Sightline-Session-Name", "Trip planner"),
            HeaderField("Sightline-Omit-Request", "TRUE"),
            HeaderField("Sightline-Omit-Response", "yes"),
            HeaderField("X-Property-Other", "not ours"),
        ])
        #expect(annotations.properties == ["Env": "prod", "Team": "search"], "property names keep their case")
        #expect(annotations.userID == "alice")
        #expect(annotations.sessionID == "run-42")
        #expect(annotations.sessionPath == "/plan/weather")
        #expect(annotations.sessionName == "Trip planner")
        #expect(annotations.omitRequest)
        #expect(!annotations.omitResponse, "only true means true")
    }

    @Test("a property value is cut at 1024 bytes")
    func propertyCap() {
        let annotations = FlowAnnotations.parse([HeaderField("Sightline-Property-Big", String(repeating: "a", count: 5000))])
        #expect(annotations.properties["Big"]?.utf8.count == FlowAnnotations.maxPropertyValueBytes)
    }

    @Test("Request-Id picks the flow id when it is a UUID")
    func requestedID() {
        #expect(FlowAnnotations.requestedID([HeaderField("Sightline-Request-Id", " 01a21213-5f89-7479-a25d-aaf845137278 ")])
                == FlowID("01a21213-5f89-7479-a25d-aaf845137278"))
        #expect(FlowAnnotations.requestedID([HeaderField("Helicone-Request-Id", "not-a-uuid")]) == nil)
        #expect(FlowAnnotations.requestedID([HeaderField("X-Request-Id", "01a21213-5f89-7479-a25d-aaf845137278")]) == nil)
    }

    @Test("Sightline- headers never go upstream; Helicone- ones go only toward Helicone")
    func stripping() {
        #expect(FlowAnnotations.isStripped("Sightline-Cache-Enabled", towardHelicone: false))
        #expect(FlowAnnotations.isStripped("sightline-property-env", towardHelicone: true))
        #expect(FlowAnnotations.isStripped("Helicone-Auth", towardHelicone: false))
        #expect(!FlowAnnotations.isStripped("Helicone-Auth", towardHelicone: true))
        #expect(!FlowAnnotations.isStripped("Authorization", towardHelicone: false))
        #expect(FlowAnnotations.protocolName("Helicone-Property-Env") == "Property-Env")
        #expect(FlowAnnotations.protocolName("Content-Type") == nil)
    }
}

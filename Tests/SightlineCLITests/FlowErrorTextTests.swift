import Foundation
import SightlineCore
import SightlineStore
import Testing
@testable import Sightline

/// Where the CLI prints a flow's error (`flows`, `show`, `tail`), the kind comes first, then the sentence.
@Suite struct FlowErrorTextTests {
    static let sentence = "upstream api.openai.com closed the connection before sending a response"

    static func flow(error: String?, kind: FlowErrorKind?, status: Int? = nil) -> FlowSummary {
        FlowSummary(id: FlowID("01a21213-5f89-7479-a25d-aaf845137278")!, startedAt: Date(timeIntervalSince1970: 1_764_000_000),
                    method: "POST", url: "https://api.openai.com/v1/chat/completions", host: "api.openai.com", status: status,
                    error: error, errorKind: kind, mode: .proxy)
    }

    @Test func kindThenSentence() {
        #expect(FlowErrorText.render(Self.flow(error: Self.sentence, kind: .upstreamReset)) == "[upstream_reset] \(Self.sentence)")
        #expect(FlowErrorText.render(Self.flow(error: nil, kind: .clientGone)) == "[client_gone]")
        #expect(FlowErrorText.render(Self.flow(error: Self.sentence, kind: nil)) == Self.sentence, "recorded before kinds were kept")
        #expect(FlowErrorText.render(Self.flow(error: nil, kind: nil, status: 200)) == nil)
    }

    @Test func flowsTablePrintsTheKindUnderTheTable() {
        let failed = Self.flow(error: Self.sentence, kind: .upstreamReset)
        let lines = FlowTable.render([failed, Self.flow(error: nil, kind: nil, status: 200)]).split(separator: "\n").map(String.init)
        #expect(lines.last == "  01a21213-5f89-7479-a25d-aaf845137278: [upstream_reset] \(Self.sentence)")
        #expect(lines.count == 4, "header, two rows, one error line: \(lines)")
        #expect(lines[1].contains("  ERR  "), "no status: the row says ERR")
    }

    @Test func tailLineEndsWithTheKindAndSentence() {
        let line = TailLine.render(Self.flow(error: Self.sentence, kind: .upstreamTimeout), style: TerminalStyle(enabled: false))
        #expect(line.hasSuffix("[upstream_timeout] \(Self.sentence)"))
    }

    @Test func errorKindFlagFiltersLikeTheAPI() throws {
        #expect(try FlowFilterOptions.parse(["--error-kind", "client_gone"]).query(limit: 10).errorKind == .clientGone)
        #expect(try FlowFilterOptions.parse([]).query(limit: 10).errorKind == nil)
        #expect(throws: (any Error).self) { try FlowFilterOptions.parse(["--error-kind", "client_disconnected"]) }
    }
}

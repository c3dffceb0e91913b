import Foundation
import SightlineCore
import SightlineStore
import Testing
@testable import Sightline

/// An MCP call has no model, tokens or cost: the CLI's lines show its method instead.
@Suite struct MCPLinesTests {
    static let call = FlowSummary(id: FlowID("01a21213-5f89-7479-a25d-aaf845137279")!, startedAt: Date(timeIntervalSince1970: 1_764_000_000),
                                  method: "POST", url: "http://127.0.0.1:8000/mcp", host: "127.0.0.1", status: 200, mode: .gateway,
                                  durationMs: 321.4, provider: "mcp", endpoint: "tools/call", stream: true)

    @Test func flowsTailAndShowNameTheMethod() {
        let style = TerminalStyle(enabled: false)
        #expect(FlowTable.render([Self.call]).split(separator: "\n")[1].contains("  tools/call  "))
        #expect(TailLine.render(Self.call, style: style).contains("mcp         tools/call "))
        #expect(FlowDetailText.usageLine(Self.call, provider: "mcp") == "mcp tools/call · stream · 321 ms")
    }
}

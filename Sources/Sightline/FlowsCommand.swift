import ArgumentParser
import Foundation
import SightlineStore

struct FlowsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "flows", abstract: "List recorded flows, newest first.")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var storeOption: StoreOption
    @Option(help: "How many flows to list.") var limit = 30
    @OptionGroup var filters: FlowFilterOptions
    @Flag(help: "Print the API's JSON instead of a table.") var json = false

    func run() async throws {
        let page = try await StoreOpener.reading(data, storeOption) { store in try await store.flows(filters.query(limit: limit)) }
        if json {
            print(String(decoding: try FlowJSON.encoder.encode(page), as: UTF8.self))
            return
        }
        print(FlowTable.render(page.flows))
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one flow: request and response as recorded.")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var storeOption: StoreOption
    @Argument(help: "Flow id (or `last`).") var id: String
    @Flag(help: "Print the API's JSON.") var json = false

    func run() async throws {
        let id = id
        let detail = try await StoreOpener.reading(data, storeOption) { store in
            let flowID: FlowID
            if id == "last" {
                guard let newest = try await store.flows(FlowQuery(limit: 1)).flows.first else { throw ValidationError("no flows recorded yet") }
                flowID = newest.id
            } else {
                guard let parsed = FlowID(id) else { throw ValidationError("\"\(id)\" is not a flow id") }
                flowID = parsed
            }
            guard let detail = try await store.flow(id: flowID) else { throw ValidationError("no flow \(id)") }
            return detail
        }
        if json {
            print(String(decoding: try FlowJSON.encoder.encode(detail), as: UTF8.self))
        } else {
            print(FlowDetailText.render(detail, style: TerminalStyle(enabled: isatty(1) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)))
        }
    }
}

enum FlowJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

import SightlineCore

import ArgumentParser
import Foundation
import SightlineCore
import SightlineStore

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Export flows as HAR 1.2 or JSONL, or one flow as a curl command.")

    @OptionGroup var data: DataDirectoryOption
    @OptionGroup var storeOption: StoreOption
    @OptionGroup var filters: FlowFilterOptions
    @Option(help: "Write a HAR 1.2 file of the matching flows.") var har: String?
    @Option(help: "Write the matching flows, one JSON document per line (- for stdout).") var jsonl: String?
    @Option(help: "Print a curl command that sends this flow's request again.") var curl: String?
    @Option(help: "At most this many flows, newest first.") var limit = 1000

    func validate() throws {
        if [har, jsonl, curl].compactMap({ $0 }).count != 1 { throw ValidationError("give exactly one of --har FILE, --jsonl FILE, --curl ID") }
    }

    func run() async throws {
        if let curl {
            guard let id = FlowID(curl), let detail = try await StoreOpener.reading(data, storeOption, { try await $0.flow(id: id) })
            else { throw ValidationError("no flow \(curl)") }
            print(CurlCommand.render(detail))
            return
        }
        let (filters, limit) = (filters, limit)
        let details = try await StoreOpener.reading(data, storeOption) { store in
            var details: [FlowDetail] = []
            for summary in try await store.allFlows(filters, max: limit) {
                if let detail = try await store.flow(id: summary.id) { details.append(detail) }
            }
            return details
        }
        if let har {
            let exchanges = details.filter { $0.summary.mode != .tunnel }
            try HARExporter.data(exchanges.reversed(), creatorVersion: SightlineVersion.current).write(to: URL(fileURLWithPath: har))
            FileHandle.standardError.write(Data("wrote \(exchanges.count) flows to \(har) (tunnels have no HTTP to export)\n".utf8))
        } else if let jsonl {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var out = Data()
            for detail in details.reversed() {
                out.append(try encoder.encode(detail))
                out.append(0x0A)
            }
            if jsonl == "-" { FileHandle.standardOutput.write(out) } else { try out.write(to: URL(fileURLWithPath: jsonl)) }
        }
    }
}

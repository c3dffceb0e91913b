import ArgumentParser
import Foundation
import Logging
import SightlineStore

/// `--store` for the commands that read flows: the SQLite file of the data directory by default, another file, or a
/// team's PostgreSQL store (`postgres://…`, also `SIGHTLINE_STORE`), read as the running instances write it.
struct StoreOption: ParsableArguments {
    @Option(name: .customLong("store"), help: "Read flows from this store: a SQLite file, or postgres://user:password@host:port/database for a team's shared store. Default: $SIGHTLINE_STORE, else flows.sqlite in the data directory.")
    var store: String?

    var argument: String? {
        store ?? ProcessInfo.processInfo.environment["SIGHTLINE_STORE"].flatMap { $0.isEmpty ? nil : $0 }
    }
}

enum StoreOpener {
    /// Runs `body` on the store the options name, closing a PostgreSQL store's connections afterwards.
    static func reading<T>(_ data: DataDirectoryOption, _ option: StoreOption, _ body: (any FlowStore) async throws -> T) async throws -> T {
        guard let argument = option.argument, PostgresStoreURL.isPostgres(argument) else {
            let path = option.argument.map { ($0 as NSString).expandingTildeInPath } ?? data.storePath
            return try await body(try readOnly(path))
        }
        let url: PostgresStoreURL
        do { url = try PostgresStoreURL(argument) } catch let error as StoreError { throw ValidationError("--store: \(error.reason)") }
        let logger = Logger(label: "sightline.cli.store") { _ in SwiftLogNoOpLogHandler() }
        let store: PostgresFlowStore
        do {
            store = try await PostgresFlowStore.connect(url, instance: "cli", logger: logger)
        } catch let error as StoreError {
            throw ValidationError(error.reason) // already says which store, with the password hidden
        }
        do {
            let result = try await body(store)
            await store.close()
            return result
        } catch {
            await store.close()
            throw error
        }
    }

    static func readOnly(_ path: String) throws -> SQLiteFlowStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("no flows yet: \(path) does not exist (start Sightline with `sightline start`)")
        }
        return try SQLiteFlowStore(readOnlyPath: path)
    }
}

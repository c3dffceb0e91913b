import Foundation
import NIOCore
import NIOPosix
import SightlineStore

// What `sightline run` asks a running instance: is it a Sightline, its CA, and the flows its child made.
extension InstanceAPI {
    /// True when a Sightline answers `GET /api/stats` there (its JSON has the recorder's counters).
    func isSightline() async -> Bool {
        guard let stats = try? await json(.GET, "/api/stats", timeout: .seconds(3)) else { return false }
        return stats["recorder"] != nil && stats["flows"] != nil
    }

    func caPEM() async -> String? {
        guard let (status, body) = try? await send(.GET, "/api/ca.pem", timeout: .seconds(3)), status == .ok else { return nil }
        let pem = String(decoding: body, as: UTF8.self)
        return pem.contains("BEGIN CERTIFICATE") ? pem : nil
    }

    /// Flows started at or after `since`, newest first (pages walked until older ones appear).
    func flows(since: Date) async -> [FlowSummary]? {
        var result: [FlowSummary] = []
        var cursor: String?
        repeat {
            let path = "/api/flows?limit=\(FlowQuery.maxLimit)" + (cursor.map { "&before=" + $0 } ?? "")
            guard let (status, body) = try? await send(.GET, path, timeout: .seconds(10)), status == .ok,
                  let page = try? JSONDecoder().decode(FlowPage.self, from: body) else { return nil }
            for flow in page.flows {
                if flow.startedAt < since { return result }
                result.append(flow)
            }
            cursor = page.next
        } while cursor != nil
        return result
    }

    /// True when something accepts a TCP connection there (the proxy port of a running instance).
    static func accepts(host: String, port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(3))
                .connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}

import Foundation
import Hummingbird

/// The browser UI's files (`Resources/ui/`), read once from the bundle and served from memory with
/// their content type, an ETag and a caching policy: the app's own files are revalidated on every load
/// (`no-cache` + ETag, so a new binary shows at once), vendored libraries are cached for a day.
struct UIAssets: Sendable {
    struct Asset: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
        let cacheControl: String
    }

    let assets: [String: Asset]

    /// The files under `ui/` in this target's resource bundle, keyed by their path below it (`js/app.js`).
    static let bundled: UIAssets = {
        guard let root = Bundle.module.url(forResource: "ui", withExtension: nil) else { return UIAssets(assets: [:]) }
        return load(from: root)
    }()

    static func load(from root: URL) -> UIAssets {
        var assets: [String: Asset] = [:]
        let rootPath = root.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else {
            return UIAssets(assets: [:])
        }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = try? Data(contentsOf: url) else { continue }
            let full = url.resolvingSymlinksInPath().path
            guard full.hasPrefix(rootPath + "/") else { continue }
            let relative = String(full.dropFirst(rootPath.count + 1))
            let immutable = relative.hasPrefix("vendor/")
            assets[relative] = Asset(body: ByteBuffer(bytes: data), contentType: contentType(for: relative),
                                     etag: "\"\(fnv1a(data))\"",
                                     cacheControl: immutable ? "public, max-age=86400" : "no-cache")
        }
        return UIAssets(assets: assets)
    }

    /// The asset as a response: 304 when the client's copy is current, else the bytes.
    func response(for path: String, request: Request, extraHeaders: HTTPFields = [:]) -> Response? {
        guard let asset = assets[path] else { return nil }
        var headers: HTTPFields = [.contentType: asset.contentType, .eTag: asset.etag, .cacheControl: asset.cacheControl]
        headers.append(contentsOf: extraHeaders)
        if let given = request.headers[.ifNoneMatch], given.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }

    static func contentType(for path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "ico": "image/x-icon"
        case "md", "txt": "text/plain; charset=utf-8"
        default:
            path.hasSuffix("LICENSE") ? "text/plain; charset=utf-8" : "application/octet-stream"
        }
    }

    private static func fnv1a(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

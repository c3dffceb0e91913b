import Foundation

/// The reads a planner makes (is the CA already there? does the directory exist?), behind a protocol so
/// plans are computed from facts and can be tested against any tree.
public protocol FileLookup: Sendable {
    func contents(atPath path: String) -> [UInt8]?
    func directoryExists(atPath path: String) -> Bool
}

/// The real file system.
public struct LocalFileLookup: FileLookup {
    public init() {}

    public func contents(atPath path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    public func directoryExists(atPath path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}

import Foundation

/// Writes straight to stdout, unbuffered: a parent process reading the banner through a pipe
/// (`sightline run`, the benchmark) must see it at once.
enum Console {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

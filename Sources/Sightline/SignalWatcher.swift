import Dispatch
import Foundation

/// Delivers Unix signals as an async sequence (the default actions are turned off for those signals).
enum SignalWatcher {
    static func signals(_ numbers: [Int32]) -> AsyncStream<Int32> {
        AsyncStream { continuation in
            // Only touched here and in onTermination, which runs once after the stream ends.
            nonisolated(unsafe) let sources = numbers.map { number -> any DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { continuation.yield(number) }
                source.resume()
                return source
            }
            continuation.onTermination = { _ in sources.forEach { $0.cancel() } }
        }
    }
}

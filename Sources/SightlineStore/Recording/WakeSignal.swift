import Synchronization

/// Wakes a single waiting task early, or lets it sleep until a timeout: how the writer loop waits for
/// its next batch. A signal that arrives while nobody waits is kept, so none is lost.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Forgets a signal nobody has waited for yet: the writer calls it as it starts taking everything
    /// queued, which is what that signal asked for.
    func clearPending() {
        state.withLock { $0.pending = false }
    }

    /// Returns when signalled or after `timeout`, whichever comes first.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Signal only when the sleep ran its course; a cancelled sleep means we were woken.
                do {
                    try await Task.sleep(for: timeout)
                    self.signal()
                } catch {}
            }
            group.addTask { await self.waitForSignal() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Never cancelled while it waits: `wait(timeout:)` only cancels once this has returned or
    /// the sleeper has signalled it.
    private func waitForSignal() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}

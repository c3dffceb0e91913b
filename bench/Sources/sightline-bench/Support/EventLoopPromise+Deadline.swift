import NIOCore

extension EventLoopPromise {
    /// Fails this promise and closes `channel` if the promise is still pending after `timeout`:
    /// a stalled proxy must fail the run with a reason, not hang it.
    func fail(after timeout: TimeAmount, closing channel: any Channel, reason: String) {
        let deadline = channel.eventLoop.scheduleTask(in: timeout) {
            self.fail(BenchError("\(reason) (nothing after \(timeout))"))
            channel.close(promise: nil)
        }
        futureResult.whenComplete { _ in deadline.cancel() }
    }
}

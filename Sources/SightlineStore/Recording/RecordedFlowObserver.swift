/// Watches flows as they are stored: called on the recorder's writer task with each batch, in order, after
/// the store took it. It must return quickly and never wait (hand the work on), since the next batch
/// waits for it; it is never on the data path.
public protocol RecordedFlowObserver: Sendable {
    func recorded(_ records: [FlowRecord])
}

import NIOCore

/// What every scenario shares: the event loops of this process and the upstream on them.
struct BenchContext: Sendable {
    let group: any EventLoopGroup
    let upstream: BenchUpstream
}

/// CPU time of the proxy and of this process at one moment, to difference over a window.
struct CPUReadings {
    let at = MonotonicClock.now()
    let proxy: ProcessSnapshot?
    let bench: ProcessSnapshot?

    init(proxyPID: Int32?) {
        proxy = proxyPID.flatMap(ProcessSnapshot.read(pid:))
        bench = ProcessSnapshot.readSelf()
    }

    func proxyCPU(since earlier: CPUReadings) -> UInt64? {
        guard let now = proxy, let then = earlier.proxy else { return nil }
        return now.cpuNanoseconds - then.cpuNanoseconds
    }

    func benchCPU(since earlier: CPUReadings) -> UInt64? {
        guard let now = bench, let then = earlier.bench else { return nil }
        return now.cpuNanoseconds - then.cpuNanoseconds
    }
}

import Synchronization

/// Remembers which price a (provider, model) pair resolves to: resolving tries several spellings of the
/// name (`ModelNameResolver`), and the recorder asks the same few pairs for every flow (a profile showed
/// the lookups at about a twentieth of the recorder's CPU). Bounded: arbitrary model names cannot grow it.
final class PriceLookup: Sendable {
    static let capacity = 4096
    let table: PriceTable
    private let resolved = Mutex<[String: ModelPrice?]>([:])

    init(table: PriceTable) {
        self.table = table
    }

    func price(provider: String?, model: String) -> ModelPrice? {
        let key = (provider ?? "") + "\n" + model
        if let known = resolved.withLock({ $0[key] }) { return known }
        let price = table.price(provider: provider, model: model)
        resolved.withLock { memo in
            if memo.count >= Self.capacity { memo.removeAll(keepingCapacity: true) }
            memo[key] = .some(price)
        }
        return price
    }
}

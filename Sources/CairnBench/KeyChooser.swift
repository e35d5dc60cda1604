import CairnCore
import Foundation
import Synchronization

/// Picks key indices for a workload's operations: uniform, YCSB's scrambled zipfian, or zipfian over the
/// latest inserts (YCSB D). Seeded, so a run's key sequence replays exactly.
struct KeyChooser {
    private var random: SplitMix64
    private let zipfian: ZipfianGenerator?
    /// YCSB D reads the latest keys with a zipfian whatever the distribution; sized by the loaded key count.
    private let latestZipfian: ZipfianGenerator

    init(distribution: KeyDistribution, keys: Int, seed: UInt64) {
        random = SplitMix64(seed: seed)
        latestZipfian = ZipfianGenerator.shared(keys: keys)
        zipfian = distribution == .zipfian ? latestZipfian : nil
    }

    /// An index in `0..<count` by the configured distribution.
    mutating func existing(below count: Int) -> Int {
        guard let zipfian else { return random.next(below: count) }
        // Scramble so the hot keys are spread over the key space, as YCSB's ScrambledZipfianGenerator does.
        return Int(fnv1a(UInt64(zipfian.next(&random))) % UInt64(count))
    }

    /// An index skewed toward `latest` (the newest key), for YCSB D's read-latest.
    mutating func latest(_ latest: Int) -> Int {
        let back = latestZipfian.next(&random)
        return Swift.max(0, latest - back)
    }

    mutating func uniform(below count: Int) -> Int { random.next(below: count) }

    private func fnv1a(_ value: UInt64) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for shift in stride(from: 0, to: 64, by: 8) {
            hash ^= (value >> UInt64(shift)) & 0xFF
            hash = hash &* 0x100_0000_01B3
        }
        return hash
    }
}

/// YCSB's zipfian generator (Gray et al., "Quickly generating billion-record synthetic databases"), θ = 0.99.
final class ZipfianGenerator: Sendable {
    static let theta = 0.99
    let items: Int
    private let zetaN: Double
    private let alpha: Double
    private let eta: Double

    init(items: Int) {
        precondition(items > 0, "a zipfian needs at least one item")
        self.items = items
        var zeta = 0.0
        for index in 1...items { zeta += 1 / pow(Double(index), Self.theta) }
        zetaN = zeta
        let zeta2 = 1 + 1 / pow(2, Self.theta)
        alpha = 1 / (1 - Self.theta)
        eta = (1 - pow(2 / Double(items), 1 - Self.theta)) / (1 - zeta2 / zeta)
    }

    func next(_ random: inout SplitMix64) -> Int {
        let unit = random.nextUnit()
        let scaled = unit * zetaN
        if scaled < 1 { return 0 }
        if scaled < 1 + pow(0.5, Self.theta) { return Swift.min(1, items - 1) }
        return Swift.min(items - 1, Int(Double(items) * pow(eta * unit - eta + 1, alpha)))
    }

    private static let cache = Mutex<[Int: ZipfianGenerator]>([:])

    /// One generator per key-space size: computing ζ(n) walks all n items.
    static func shared(keys: Int) -> ZipfianGenerator {
        cache.withLock { cache in
            if let cached = cache[keys] { return cached }
            let generator = ZipfianGenerator(items: keys)
            cache[keys] = generator
            return generator
        }
    }
}

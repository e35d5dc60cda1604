#if canImport(Glibc)
import Glibc
#endif
import CairnStorage
import Testing

@testable import MemoryEngine

/// The pool of large-value mappings populated ahead of demand: its byte limit, reuse by the engine's puts, a
/// change of length, and a close that leaves no thread and no pooled bytes behind.
@Suite("Memory engine: prefault pool")
struct PrefaultPoolTests {
    /// Lengths no other test maps, so tests running alongside do not share mappings through `MappingCache`.
    static let length = 293 * LargeValueStorage.pageBytes
    static let otherLength = 297 * LargeValueStorage.pageBytes
    static let engineLength = 289 * LargeValueStorage.pageBytes
    static let budgetLength = 301 * LargeValueStorage.pageBytes
    static let budgetEngineLength = 307 * LargeValueStorage.pageBytes
    static let reservedLength = 283 * LargeValueStorage.pageBytes

    /// How many of the pages of `region` are resident (`mincore`).
    static func residentPages(_ region: UnsafeMutableRawPointer, length: Int) -> Int {
        var vector = [UInt8](repeating: 0, count: length / LargeValueStorage.pageBytes)
        let answered = mincore(region, length, &vector)
        #expect(answered == 0, "mincore answers for a mapping of ours")
        return vector.filter { $0 & 1 != 0 }.count
    }

    @Test("no thread until the first take; then the pool fills to prefaultedBytesMax and no further")
    func fillsWithinLimit() {
        let pool = PrefaultPool(prefaultedBytesMax: 3 * Self.length + Self.length / 2, budget: RefillerBudget(refillersMax: 1))
        defer { pool.stop() }
        #expect(!pool.isRefilling)
        #expect(pool.take(length: Self.length) == nil)
        #expect(pool.isRefilling)
        pool.waitUntilFilled()
        #expect(pool.pooledBytes == 3 * Self.length)
        #expect(pool.pooledRegions.count == 3)
        let next = pool.pooledRegions.last
        let taken = pool.take(length: Self.length)
        #expect(taken != nil && taken == next)
        if let taken {
            // Fresh from the kernel: zeroed and writable whole.
            let bytes = UnsafeMutableRawBufferPointer(start: taken, count: Self.length)
            #expect(bytes.allSatisfy { $0 == 0 })
            bytes.initializeMemory(as: UInt8.self, repeating: 0x5A)
            LargeValueStorage.deallocate(taken, byteCount: Self.length)
        }
        pool.waitUntilFilled()
        #expect(pool.pooledBytes == 3 * Self.length)
        #expect(pool.counts.taken == 1 && pool.counts.missed == 1)
    }

    @Test(
        "populate (a put's way) and touchPages (the refiller's) make every page of a fresh mapping resident, zeroed and writable",
        arguments: [true, false])
    func populatingMakesEveryPageResident(byMadvise: Bool) {
        let length = 64 * LargeValueStorage.pageBytes
        let region = LargeValueStorage.map(length, populated: false)
        defer { munmap(region, length) }
        #expect(Self.residentPages(region, length: length) == 0)
        if byMadvise {
            PrefaultPool.populate(region, length: length)
        } else {
            PrefaultPool.touchPages(region, length: length)
        }
        #expect(Self.residentPages(region, length: length) == 64)
        let bytes = UnsafeMutableRawBufferPointer(start: region, count: length)
        #expect(bytes.allSatisfy { $0 == 0 })
        bytes.initializeMemory(as: UInt8.self, repeating: 0xA5)
        #expect(bytes.allSatisfy { $0 == 0xA5 })
    }

    @Test("with no populated mapping ready, a take populates a reserved slice itself instead of missing")
    func takePopulatesAReservedSlice() {
        let pool = PrefaultPool(
            prefaultedBytesMax: 4 * Self.reservedLength, budget: RefillerBudget(refillersMax: 1), startsRefiller: false)
        defer { pool.stop() }
        #expect(pool.take(length: Self.reservedLength) == nil, "nothing reserved yet: a miss")
        pool.reserveSlices(length: Self.reservedLength)
        let slices = PrefaultPool.reservedBytes / Self.reservedLength
        #expect(pool.reservedCount == slices)
        let next = pool.take(length: Self.reservedLength)
        #expect(next != nil)
        #expect(pool.populatedByCaller == 1 && pool.reservedCount == slices - 1)
        #expect(pool.counts.taken == 1 && pool.counts.missed == 1)
        #expect(!pool.isRefilling)
        if let next {
            #expect(Self.residentPages(next, length: Self.reservedLength) == Self.reservedLength / LargeValueStorage.pageBytes)
            let bytes = UnsafeMutableRawBufferPointer(start: next, count: Self.reservedLength)
            #expect(bytes.allSatisfy { $0 == 0 })
            bytes.initializeMemory(as: UInt8.self, repeating: 0x3C)
            // A slice of a larger mapping is unmapped on its own, as a value's own mapping is.
            LargeValueStorage.deallocate(next, byteCount: Self.reservedLength)
        }
        pool.stop()
        #expect(pool.reservedCount == 0 && pool.take(length: Self.reservedLength) == nil)
    }

    @Test("a value longer than prefaultedBytesMax, or a pool with no room, is a miss and starts no thread")
    func tooLongIsMissed() {
        let pool = PrefaultPool(prefaultedBytesMax: Self.length - 1, budget: RefillerBudget(refillersMax: 1))
        defer { pool.stop() }
        #expect(pool.take(length: Self.length) == nil)
        #expect(!pool.isRefilling)
        #expect(pool.pooledBytes == 0)
        let empty = PrefaultPool(prefaultedBytesMax: 0, budget: RefillerBudget(refillersMax: 1))
        #expect(empty.take(length: Self.length) == nil)
        #expect(!empty.isRefilling)
    }

    @Test("a take of another length turns the pool over to that length, within the limit")
    func followsTheLengthAskedFor() {
        let pool = PrefaultPool(prefaultedBytesMax: 2 * Self.otherLength, budget: RefillerBudget(refillersMax: 1))
        defer { pool.stop() }
        _ = pool.take(length: Self.length)
        pool.waitUntilFilled()
        #expect(pool.pooledBytes == 2 * Self.length)
        #expect(pool.take(length: Self.otherLength) == nil)
        pool.waitUntilFilled()
        #expect(pool.pooledBytes == 2 * Self.otherLength)
        let taken = pool.take(length: Self.otherLength)
        #expect(taken != nil)
        if let taken { LargeValueStorage.deallocate(taken, byteCount: Self.otherLength) }
    }

    @Test("stop joins the refiller and releases every pooled byte; later takes miss and start nothing")
    func stopReleasesEverything() {
        let pool = PrefaultPool(prefaultedBytesMax: 4 * Self.length, budget: RefillerBudget(refillersMax: 1))
        _ = pool.take(length: Self.length)
        pool.waitUntilFilled()
        #expect(pool.pooledBytes == 4 * Self.length)
        pool.stop()
        #expect(!pool.isRefilling)
        #expect(pool.pooledBytes == 0)
        #expect(pool.take(length: Self.length) == nil)
        #expect(!pool.isRefilling)
        pool.stop()
        #expect(pool.pooledBytes == 0)
    }

    @Test("an engine's large put takes a prefaulted mapping; close stops the refiller and frees the pool")
    func engineUsesPoolAndCloseStopsIt() throws {
        let engine = MemoryEngine(options: MemoryOptions(), prefaultedBytesMax: 4 * Self.engineLength, budget: RefillerBudget(refillersMax: 1))
        let valueBytes = Self.engineLength - 100
        let first = Bytes((0..<valueBytes).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let second = Bytes((0..<valueBytes).map { UInt8(truncatingIfNeeded: $0 &* 11 &+ 3) })
        #expect(!engine.prefaultPool.isRefilling)
        try engine.put(Bytes("a".utf8), first)
        engine.prefaultPool.waitUntilFilled()
        #expect(engine.prefaultedBytes == 4 * Self.engineLength)
        let ready = engine.prefaultPool.pooledRegions.last.map { UnsafeRawPointer($0) }
        try engine.put(Bytes("b".utf8), second)
        let storedAt = try engine.withValue(forKey: Bytes("b".utf8)) { $0?.baseAddress }
        #expect(ready != nil && storedAt == ready)
        #expect(try engine.get(Bytes("b".utf8)) == second)
        #expect(try engine.get(Bytes("a".utf8)) == first)
        // The payload figure stays the keys' and values' bytes; the pool is reported apart.
        #expect(try engine.statistics().approximateBytes == 2 + 2 * valueBytes)
        try engine.close()
        #expect(!engine.prefaultPool.isRefilling)
        #expect(engine.prefaultedBytes == 0)
        #expect(throws: StorageError.self) { try engine.put(Bytes("c".utf8), first) }
        #expect(!engine.prefaultPool.isRefilling)
    }

    @Test("past refillersMax a pool gets no thread and its puts map for themselves; a stopped pool gives its thread back")
    func refillerBudgetCapsThreads() throws {
        let budget = RefillerBudget(refillersMax: 2)
        let pools = (0..<3).map { _ in PrefaultPool(prefaultedBytesMax: 2 * Self.budgetLength, budget: budget) }
        defer { pools.forEach { $0.stop() } }
        for pool in pools { _ = pool.take(length: Self.budgetLength) }
        #expect(pools.map(\.isRefilling) == [true, true, false])
        #expect(budget.runningCount == 2)
        #expect(pools[2].take(length: Self.budgetLength) == nil, "the pool past the budget stays empty")
        pools[0].stop()
        #expect(budget.runningCount == 1)
        let late = PrefaultPool(prefaultedBytesMax: 2 * Self.budgetLength, budget: budget)
        defer { late.stop() }
        _ = late.take(length: Self.budgetLength)
        #expect(late.isRefilling, "the thread given back is reused")
        #expect(budget.runningCount == 2)
        let engine = MemoryEngine(options: MemoryOptions(), prefaultedBytesMax: 2 * Self.budgetEngineLength, budget: budget)
        let value = Bytes(repeating: 9, count: Self.budgetEngineLength - 100)
        try engine.put(Bytes("k".utf8), value)
        #expect(try engine.get(Bytes("k".utf8)) == value, "a put without a pool maps for itself")
        #expect(!engine.prefaultPool.isRefilling)
        try engine.close()
    }
}

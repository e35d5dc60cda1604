#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Large-value mappings populated ahead of demand by one background thread, so a put of a value of
/// `LargeValueStorage.mappedBytesMin` and up copies into pages the kernel has already zeroed instead of waiting
/// for it to populate them (about 80 µs per 256 KiB value on the shared 2-core VM), as jemalloc's background
/// threads do.
///
/// One pool per engine, with a thread only while fewer than `RefillerBudget.refillersMax` pools of the process have
/// one (past it a pool stays empty). It holds mappings of one length only, the one asked for last (`take`), at most
/// `prefaultedBytesMax` bytes of them; when the length asked for changes, the refiller hands the old ones to
/// `MappingCache` (else unmaps them). The thread starts on the first `take` and ends in `stop` (the engine's
/// close), which joins it and unmaps whatever is pooled. An empty pool answers nil and the caller maps as before.
/// Pooled bytes are resident memory the engine holds beyond its payload, outside `bytesMax`: `pooledBytes`
/// reports them (`MemoryEngine.prefaultedBytes`).
///
/// Measured on the shared 2-core VM (2026-11-25, load 5.8–8, release, `bench engines --value-size 262144
/// --workloads fillrandom`, runs interleaved with the build before it, both engine orders): at 1,000 keys memory's
/// median went from 4.5k to 6.5k ops/s and its p50 from 98 to 85 µs (LMDB 5.7k–6.4k, 82 µs); at 4,000 keys from
/// 4.5k to 5.5k ops/s, p50 94 to 85 µs. The gain needs the second core: under load the refiller falls behind and
/// most puts map for themselves, as before.
final class PrefaultPool: @unchecked Sendable {
    /// Sixteen 256 KiB values: a fill that outruns the refiller finds this much ready, and no more is held.
    static let defaultPrefaultedBytesMax = 16 * (256 << 10)

    /// Most bytes of populated mappings held at once.
    let prefaultedBytesMax: Int
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when there is work for the refiller (a take, a new length, a stop) and when it has filled the pool.
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    /// Populated mappings of `regionLength` bytes, now the pool's.
    private var regions: [UnsafeMutableRawPointer] = []
    private var regionLength = 0
    /// The length the last `take` asked for; 0 before any.
    private var wantedLength = 0
    private var pooledBytesNow = 0
    private var takenCount = 0
    private var missedCount = 0
    #if os(Linux)
    private var refiller: pthread_t?
    #endif
    private var isStopped = false

    /// The process-wide cap on refiller threads this pool's thread counts against.
    let budget: RefillerBudget

    init(prefaultedBytesMax: Int = PrefaultPool.defaultPrefaultedBytesMax, budget: RefillerBudget = .shared) {
        precondition(prefaultedBytesMax >= 0, "prefaultedBytesMax is never negative")
        self.prefaultedBytesMax = prefaultedBytesMax
        self.budget = budget
        lock = .allocate(capacity: 1)
        let mutexMade = pthread_mutex_init(lock, nil)
        precondition(mutexMade == 0, "pthread_mutex_init failed with \(mutexMade)")
        changed = .allocate(capacity: 1)
        let conditionMade = pthread_cond_init(changed, nil)
        precondition(conditionMade == 0, "pthread_cond_init failed with \(conditionMade)")
    }

    deinit {
        // The refiller holds a reference while it runs, so none runs here.
        Self.unmap(regions, length: regionLength)
        pthread_cond_destroy(changed)
        changed.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Bytes of the populated mappings held now.
    var pooledBytes: Int { locked { pooledBytesNow } }

    /// Takes answered from the pool, and takes it could not answer (empty, another length, too long, stopped).
    var counts: (taken: Int, missed: Int) { locked { (takenCount, missedCount) } }

    /// Whether the refiller thread runs (started and not yet joined).
    var isRefilling: Bool {
        #if os(Linux)
        locked { refiller != nil }
        #else
        false
        #endif
    }

    /// The pooled mappings, next taken last; for tests.
    var pooledRegions: [UnsafeMutableRawPointer] { locked { regions } }

    /// A populated mapping of exactly `length` bytes, now the caller's, or nil when none is ready. Asks the refiller
    /// for more of `length` (starting it on the first call), unless the pool is stopped or `length` cannot fit.
    func take(length: Int) -> UnsafeMutableRawPointer? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard !isStopped, length <= prefaultedBytesMax else {
            missedCount += 1
            return nil
        }
        wantedLength = length
        startRefillerIfNeeded()
        pthread_cond_broadcast(changed)
        guard length == regionLength, let region = regions.popLast() else {
            missedCount += 1
            return nil
        }
        pooledBytesNow -= length
        assert(pooledBytesNow >= 0, "pooled bytes never go negative")
        takenCount += 1
        return region
    }

    /// Waits until the refiller has filled the pool for the length asked for last (or the pool is stopped, or
    /// nothing was asked for yet); for tests and benchmarks that want a known state.
    func waitUntilFilled() {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        while !isStopped, wantedLength > 0, !isFull { pthread_cond_wait(changed, lock) }
    }

    /// Ends the refiller, waiting for it, and unmaps every pooled mapping; later takes answer nil. Idempotent.
    func stop() {
        pthread_mutex_lock(lock)
        isStopped = true
        pthread_cond_broadcast(changed)
        #if os(Linux)
        let running = refiller
        refiller = nil
        #endif
        pthread_mutex_unlock(lock)
        #if os(Linux)
        if let running {
            let joined = pthread_join(running, nil)
            assert(joined == 0, "the refiller is joined exactly once")
            budget.release()
        }
        #endif
        let (released, length) = locked { () -> ([UnsafeMutableRawPointer], Int) in
            defer {
                regions = []
                pooledBytesNow = 0
            }
            return (regions, regionLength)
        }
        Self.unmap(released, length: length)
    }

    /// Whether the pool holds all the mappings of `wantedLength` it may. Call holding `lock`.
    private var isFull: Bool {
        regionLength == wantedLength && pooledBytesNow + wantedLength > prefaultedBytesMax
    }

    /// Call holding `lock`.
    private func startRefillerIfNeeded() {
        #if os(Linux)
        guard refiller == nil else { return }
        guard budget.reserve() else {
            // `RefillerBudget.refillersMax` pools already refill: this one stays empty and its puts map as before.
            isStopped = true
            return
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            Unmanaged<PrefaultPool>.fromOpaque(context!).takeRetainedValue().refill()
            return nil
        }, context)
        guard created == 0 else {
            // No thread (the process is at its limit): the pool stays empty and every put maps as before.
            Unmanaged<PrefaultPool>.fromOpaque(context).release()
            budget.release()
            isStopped = true
            return
        }
        refiller = thread
        #endif
    }

    /// The refiller's loop: keeps the pool full of mappings of `wantedLength` until stopped. Maps with no lock held.
    private func refill() {
        pthread_mutex_lock(lock)
        while !isStopped {
            if regionLength != wantedLength {
                let (old, oldLength) = (regions, regionLength)
                regions = []
                pooledBytesNow = 0
                regionLength = wantedLength
                pthread_mutex_unlock(lock)
                Self.release(old, length: oldLength)
                pthread_mutex_lock(lock)
            } else if !isFull {
                let length = wantedLength
                pthread_mutex_unlock(lock)
                let region = LargeValueStorage.map(length)
                pthread_mutex_lock(lock)
                if isStopped || length != regionLength || pooledBytesNow + length > prefaultedBytesMax {
                    pthread_mutex_unlock(lock)
                    Self.release([region], length: length)
                    pthread_mutex_lock(lock)
                } else {
                    regions.append(region)
                    pooledBytesNow += length
                    if isFull { pthread_cond_broadcast(changed) }
                }
            } else {
                pthread_cond_wait(changed, lock)
            }
        }
        pthread_mutex_unlock(lock)
    }

    /// Gives mappings no longer wanted to `MappingCache`, unmapping those it refuses.
    private static func release(_ mappings: [UnsafeMutableRawPointer], length: Int) {
        for mapping in mappings where !MappingCache.shared.keep(mapping, length: length) {
            unmap([mapping], length: length)
        }
    }

    private static func unmap(_ mappings: [UnsafeMutableRawPointer], length: Int) {
        for mapping in mappings {
            let unmapped = munmap(mapping, length)
            assert(unmapped == 0, "a pooled mapping is unmapped exactly once, whole")
        }
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }
}

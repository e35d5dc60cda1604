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
/// close), which joins it and unmaps whatever is pooled. A pool with nothing reserved yet answers nil and the caller
/// maps for itself. Pooled bytes are resident memory the engine holds beyond its payload, outside `bytesMax`:
/// `pooledBytes` reports them (`MemoryEngine.prefaultedBytes`); reserved slices are address space only.
///
/// A put does not wait for the refiller's work. Slices come from one unpopulated mapping of `reservedBytes` made at
/// a time (one `mmap` per 256 values of 256 KiB, ahead of need). The refiller populates a slice by writing to each
/// page (`touchPages`): page faults take only that mapping's lock, never the process's mmap lock, so the `mprotect`
/// and `mmap` of a put's own allocations never queue behind it (they did behind `MADV_POPULATE_WRITE`, which holds
/// the mmap lock shared, and on the 2-core VM a thread that sleeps on that lock wakes 1.5–2 ms later: 1–2 % of
/// 256 KiB puts stalled that long). When no populated slice is ready, a put takes an unpopulated one and populates
/// it itself (`populate`, `MADV_POPULATE_WRITE` a chunk at a time) instead of mapping. The refiller runs as
/// `SCHED_IDLE`, so a put ready to run never waits behind it on a shared core (perf showed a put runnable for
/// 1.3 ms while the refiller populated on its core).
///
/// Measured on the 2-core VM (2026-11-25, release, quiet, `bench engines --engines memory,lmdb --value-size 262144
/// --keys 1000 --workloads fillrandom`, runs alternating the engine order): a refiller that mapped each value with
/// `MAP_POPULATE`: memory 9.0k–11.1k ops/s against LMDB's 11.7k–12.3k, p99 1.5–2.0 ms; reserved slices populated
/// with `MADV_POPULATE_WRITE`: 10.1k–14.6k against 10.6k–12.5k, p99 still 1.6 ms; populated by page faults:
/// 16.3k–17.7k against 10.9k–12.4k, p99 142–246 µs. Under load the refiller falls behind and the puts populate for
/// themselves.
final class PrefaultPool: @unchecked Sendable {
    /// Sixteen 256 KiB values: a fill that outruns the refiller finds this much ready, and no more is held.
    static let defaultPrefaultedBytesMax = 16 * (256 << 10)
    /// Address space reserved by one `mmap` (no memory until populated), carved into slices of the length asked for.
    static let reservedBytes = 64 << 20
    /// Bytes a put populates per `MADV_POPULATE_WRITE` call, so the mmap lock is released between chunks.
    static let populateChunkBytes = 64 << 10
    /// The refiller reserves more address space when fewer unpopulated slices than this remain.
    static let reservedSlicesMin = 4
    #if os(Linux)
    /// `SCHED_IDLE` (Linux's `<sched.h>`, which Glibc's Swift module does not export).
    static let schedIdlePolicy: Int32 = 5
    #endif

    /// Most bytes of populated mappings held at once.
    let prefaultedBytesMax: Int
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Signalled when there is work for the refiller (a take, a new length, a stop) and when it has filled the pool.
    private let changed: UnsafeMutablePointer<pthread_cond_t>
    /// Populated mappings of `regionLength` bytes, now the pool's.
    private var regions: [UnsafeMutableRawPointer] = []
    /// Unpopulated slices of `regionLength` bytes of the reserved mapping, the next one taken last.
    private var reserved: [UnsafeMutableRawPointer] = []
    private var regionLength = 0
    /// The length the last `take` asked for; 0 before any.
    private var wantedLength = 0
    private var pooledBytesNow = 0
    private var takenCount = 0
    private var missedCount = 0
    private var populatedByCallerCount = 0
    #if os(Linux)
    private var refiller: pthread_t?
    #endif
    private var isStopped = false

    /// The process-wide cap on refiller threads this pool's thread counts against.
    let budget: RefillerBudget

    /// Whether a take starts the refiller thread; false only in tests that fill the pool by hand (`reserveSlices`).
    private let startsRefiller: Bool

    init(
        prefaultedBytesMax: Int = PrefaultPool.defaultPrefaultedBytesMax, budget: RefillerBudget = .shared,
        startsRefiller: Bool = true
    ) {
        precondition(prefaultedBytesMax >= 0, "prefaultedBytesMax is never negative")
        self.prefaultedBytesMax = prefaultedBytesMax
        self.budget = budget
        self.startsRefiller = startsRefiller
        lock = .allocate(capacity: 1)
        let mutexMade = pthread_mutex_init(lock, nil)
        precondition(mutexMade == 0, "pthread_mutex_init failed with \(mutexMade)")
        changed = .allocate(capacity: 1)
        let conditionMade = pthread_cond_init(changed, nil)
        precondition(conditionMade == 0, "pthread_cond_init failed with \(conditionMade)")
    }

    deinit {
        // The refiller holds a reference while it runs, so none runs here.
        Self.unmap(regions + reserved, length: regionLength)
        pthread_cond_destroy(changed)
        changed.deallocate()
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Bytes of the populated mappings held now.
    var pooledBytes: Int { locked { pooledBytesNow } }

    /// Takes answered from the pool (populated ahead or, when none was ready, by the caller), and takes it could not
    /// answer (nothing reserved, another length, too long, stopped).
    var counts: (taken: Int, missed: Int) { locked { (takenCount, missedCount) } }

    /// Takes the caller populated itself, from a reserved slice, because no populated one was ready.
    var populatedByCaller: Int { locked { populatedByCallerCount } }

    /// Unpopulated reserved slices held now; for tests.
    var reservedCount: Int { locked { reserved.count } }

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

    /// A populated mapping of exactly `length` bytes, now the caller's, or nil when the pool has none of that length.
    /// One populated ahead when ready, else a reserved slice the caller populates here (no `mmap`). Asks the
    /// refiller for more of `length` (starting it on the first call), unless the pool is stopped or `length` cannot fit.
    func take(length: Int) -> UnsafeMutableRawPointer? {
        pthread_mutex_lock(lock)
        guard !isStopped, length <= prefaultedBytesMax else {
            missedCount += 1
            pthread_mutex_unlock(lock)
            return nil
        }
        wantedLength = length
        startRefillerIfNeeded()
        pthread_cond_broadcast(changed)
        guard length == regionLength else {
            missedCount += 1
            pthread_mutex_unlock(lock)
            return nil
        }
        if let region = regions.popLast() {
            pooledBytesNow -= length
            assert(pooledBytesNow >= 0, "pooled bytes never go negative")
            takenCount += 1
            pthread_mutex_unlock(lock)
            return region
        }
        guard let slice = reserved.popLast() else {
            missedCount += 1
            pthread_mutex_unlock(lock)
            return nil
        }
        takenCount += 1
        populatedByCallerCount += 1
        pthread_mutex_unlock(lock)
        Self.populate(slice, length: length)
        return slice
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
                reserved = []
                pooledBytesNow = 0
            }
            return (regions + reserved, regionLength)
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
        guard startsRefiller, refiller == nil else { return }
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
        #if os(Linux)
        // Background work: a put that is ready to run always runs before it (the 2-core VM's scheduler put both
        // threads on one core, and a put waited 1.3 ms, runnable, behind a populate).
        var parameters = sched_param(sched_priority: 0)
        let demoted = pthread_setschedparam(pthread_self(), Self.schedIdlePolicy, &parameters)
        // Lowering one's own policy needs no privilege; a kernel without SCHED_IDLE refuses, and the refiller then
        // runs at normal priority, as it did before.
        assert(demoted == 0 || demoted == EINVAL, "pthread_setschedparam(SCHED_IDLE) failed with \(demoted)")
        #endif
        pthread_mutex_lock(lock)
        while !isStopped {
            if regionLength != wantedLength {
                let (old, oldReserved, oldLength) = (regions, reserved, regionLength)
                regions = []
                reserved = []
                pooledBytesNow = 0
                regionLength = wantedLength
                pthread_mutex_unlock(lock)
                Self.release(old, length: oldLength)
                Self.unmap(oldReserved, length: oldLength)
                pthread_mutex_lock(lock)
            } else if reserved.count < Self.reservedSlicesMin {
                // The next slices, reserved before the last is taken, so neither this thread nor a put maps per value.
                let length = wantedLength
                pthread_mutex_unlock(lock)
                reserveSlices(length: length)
                pthread_mutex_lock(lock)
            } else if !isFull {
                let length = wantedLength
                let region = reserved.removeLast()
                pthread_mutex_unlock(lock)
                Self.touchPages(region, length: length)
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

    /// Maps one unpopulated reservation and adds its slices of `length` bytes to the pool, if `length` is still the
    /// length it holds (else unmaps it). Call without `lock`; the refiller calls it, and tests that fill by hand.
    func reserveSlices(length: Int) {
        let slices = Self.reserve(length)
        pthread_mutex_lock(lock)
        // A pool that holds no length yet (no take has reached the refiller, or it never starts one) takes this one.
        if regionLength == 0, regions.isEmpty, reserved.isEmpty { regionLength = length }
        let kept = !isStopped && length == regionLength
        // The slices kept are taken before the new ones: both lists hold the next one taken last.
        if kept { reserved = slices + reserved }
        pthread_mutex_unlock(lock)
        if !kept { Self.unmap(slices, length: length) }
    }

    /// Slices of `length` bytes of one new unpopulated mapping of about `reservedBytes` (at least one slice), the
    /// lowest address last. Each slice is later unmapped on its own (`LargeValueStorage.deallocate`).
    private static func reserve(_ length: Int) -> [UnsafeMutableRawPointer] {
        precondition(length > 0 && length % LargeValueStorage.pageBytes == 0, "slices are whole pages")
        let count = max(1, reservedBytes / length)
        let base = LargeValueStorage.map(count * length, populated: false)
        return (0..<count).reversed().map { base + $0 * length }
    }

    /// Makes every page of `region` resident by writing a zero to each: page faults, which take only the mapping's
    /// own lock, so a `mmap` or `mprotect` of another thread never waits behind them (as it does behind
    /// `MADV_POPULATE_WRITE`, which holds the process's mmap lock).
    static func touchPages(_ region: UnsafeMutableRawPointer, length: Int) {
        for page in stride(from: 0, to: length, by: LargeValueStorage.pageBytes) {
            region.storeBytes(of: 0, toByteOffset: page, as: UInt8.self)
        }
    }

    /// Makes every page of `region` resident and written (zeroed by the kernel): `MADV_POPULATE_WRITE` a chunk at a
    /// time, or, where the kernel lacks it (before Linux 5.14), a write to each page.
    static func populate(_ region: UnsafeMutableRawPointer, length: Int) {
        var offset = 0
        #if os(Linux)
        while offset < length {
            let chunk = min(populateChunkBytes, length - offset)
            guard madvise(region + offset, chunk, ValueSlabs.madvisePopulateWrite) == 0 else { break }
            offset += chunk
        }
        #endif
        touchPages(region + offset, length: length - offset)
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

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// glibc malloc settings of the `cairn` process, set first thing in `Cairn.main`.
///
/// One arena (`M_ARENA_MAX` 1). glibc grows the heap of every arena but the main one a page at a time, one
/// `mprotect` per 4 KiB, and every thread but the main one (engine, worker, event-loop and benchmark threads)
/// allocates from such an arena; the main arena grows by `brk` in steps of at least 128 KiB. The memory engine
/// allocates an entry per key, so a fill paid for it: sync fillseq of 1,000,000 keys spent 10 % of its time in
/// `mprotect`, and `MALLOC_ARENA_MAX=1` took 200,000-key sync fillseq from 1.02–1.06M to 1.49–1.52M ops/s
/// (2026-11-25, 2-core VM; LMDB, which hardly allocates, unchanged at 1.16–1.29M). Threads keep caches of small
/// blocks of their own (tcache), so sharing one arena costs little. `MALLOC_ARENA_MAX` or a `GLIBC_TUNABLES`
/// naming `arena_max` in the environment wins over this.
enum MallocSettings {
    /// Arenas the process may have.
    static let arenasMax: Int32 = 1
    /// `M_ARENA_MAX` of `<malloc.h>`, which Glibc's Swift module does not export.
    static let arenaMaxOption: Int32 = -8

    /// Applies the settings unless the environment sets them; returns whether it did.
    @discardableResult
    static func apply(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard environment["MALLOC_ARENA_MAX"] == nil, environment["GLIBC_TUNABLES"]?.contains("arena_max") != true else {
            return false
        }
        #if canImport(Glibc)
        // Glibc's Swift module does not export <malloc.h>: mallopt is looked up (it answers 1 on success).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        return mallopt(arenaMaxOption, arenasMax) == 1
        #else
        return false
        #endif
    }
}

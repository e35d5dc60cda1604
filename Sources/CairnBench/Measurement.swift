#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Clock and memory readings for benchmarks (the only place the bench reads them).
enum Measurement {
    /// Monotonic nanoseconds.
    @inline(__always)
    static func nanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// CPU time used so far by every thread of the process, in nanoseconds.
    static func processCPUNanoseconds() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }

    /// Waits until the process's background threads (LevelDB's compaction) go quiet — under 10% of a core
    /// over 50 ms — or `secondsMax` passes. The main thread sleeps meanwhile, so only background work counts.
    static func waitForQuiet(secondsMax: Double) {
        let deadline = nanoseconds() + UInt64(secondsMax * 1e9)
        let window: UInt64 = 50_000_000
        while nanoseconds() < deadline {
            let before = processCPUNanoseconds()
            usleep(UInt32(window / 1_000))
            if processCPUNanoseconds() - before < window / 10 { return }
        }
    }

    /// Resets the process's peak resident set size to its current size (Linux `clear_refs` 5).
    static func resetPeakResidentBytes() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// The process's peak resident set size since the last reset (VmHWM), or 0 where unknown.
    static func peakResidentBytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return 0 }
        let kilobytes = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kilobytes * 1024
    }

    /// Writes every dirty page to disk (`sync(2)`; Glibc's module hides `syncfs`), so the next workload's
    /// writes dirty clean pages and count in `write_bytes` (a page already dirty is not counted twice).
    static func flushDirtyPages() {
        sync()
    }

    /// Bytes this process (every thread) has caused to be written to the storage layer (`write_bytes` of
    /// `/proc/self/io`), or nil where the kernel does not report it. The kernel counts a page cache folio each
    /// time it turns dirty, so on kernels with large folios a small write can count as many pages.
    static func deviceBytesWritten() -> Int? { ioCounter("write_bytes") }

    /// Bytes this process has passed to write calls (`wchar` of `/proc/self/io`: write, pwrite, writev, to any
    /// file), or nil where unknown. Writes through a shared memory map do not count here.
    static func syscallBytesWritten() -> Int? { ioCounter("wchar") }

    private static func ioCounter(_ name: String) -> Int? {
        guard let io = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
        return ioField(name, in: io)
    }

    /// The number after `name:` on its line of a `/proc/*/io` text.
    static func ioField(_ name: String, in text: String) -> Int? {
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + ":") }
        return line.flatMap { Int($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces)) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage
import Dispatch
import Foundation

/// Removes the fixtures' temporary directories when SIGINT (Ctrl-C) or SIGTERM stops the benchmark process, then
/// ends it by the same signal: the small equivalent of the CLI's `SignalCleanup`, which this package cannot import.
/// Only directories created through `createDirectory` are ever removed.
final class FixtureSignalCleanup: @unchecked Sendable {
    /// The one registry of the process: signal dispositions are process-wide.
    static let shared = FixtureSignalCleanup()
    /// Removal is retried this many times, in case a benchmark thread was still adding files.
    static let removalAttemptsMax = 10

    private let lock = NSLock()
    // Guarded by `lock`.
    private var directories: Set<String> = []
    private var stopping = false
    private var sources: [any DispatchSourceSignal] = []

    private init() {}

    /// Creates `path` as a new directory (refusing an existing one) and registers it for removal on a signal;
    /// the first call routes SIGINT and SIGTERM here. Creating and registering happen together.
    func createDirectory(_ path: String) throws {
        try lock.withLock {
            installLocked()
            guard !stopping else { throw FixtureStopped() }
            try DirectoryCheck.createFresh(path)
            directories.insert(path)
        }
    }

    /// Removes a directory `createDirectory` made, as the normal end of a benchmark.
    func removeDirectory(_ path: String) {
        lock.withLock {
            precondition(directories.contains(path), "only a directory the fixture created is removed")
            directories.remove(path)
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    private func installLocked() {
        guard sources.isEmpty else { return }
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { [self] in stop(by: signalNumber) }
            source.resume()
            sources.append(source)
        }
    }

    private func stop(by signalNumber: Int32) -> Never {
        lock.withLock {
            stopping = true
            for path in directories { Self.remove(path) }
            directories = []
            // Ends the process by the signal as if no handler were installed; Dispatch's threads block signals,
            // so this one unblocks it first, with `_exit` (128 + signal, as a shell reports) as the fallback.
            signal(signalNumber, SIG_DFL)
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, signalNumber)
            pthread_sigmask(SIG_UNBLOCK, &set, nil)
            raise(signalNumber)
            _exit(128 + signalNumber)
        }
    }

    /// Removes `path`, retrying while a benchmark thread that is still running may add files to it.
    private static func remove(_ path: String) {
        for _ in 0..<removalAttemptsMax {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
            usleep(20_000)
        }
    }
}

/// Refuses a new fixture directory once a signal is stopping the process.
struct FixtureStopped: Error, CustomStringConvertible {
    var description: String { "the benchmark is stopping on a signal; no new fixture directory is made" }
}

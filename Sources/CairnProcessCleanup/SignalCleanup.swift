#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage
import Dispatch
import Foundation

/// What a command must undo when SIGINT (Ctrl-C) or SIGTERM stops it, or its output is closed (`cairn … | head`):
/// the directories it created and the child processes it started. On such a signal it refuses to start anything
/// new, stops the children (SIGTERM, then SIGKILL after a grace time) and waits for them, removes the directories,
/// then ends by the same signal (SIGPIPE for closed output).
///
/// Shared by the `cairn` tool and the micro-benchmark package's fixtures (a target of its own, so the benchmark
/// package can depend on it without the tool).
public final class SignalCleanup: @unchecked Sendable {
    /// The one registry of the process: signal dispositions are process-wide.
    public static let shared = SignalCleanup()
    /// How long a child may take to end after SIGTERM before it gets SIGKILL.
    public static let childGraceSecondsMax = 3.0
    /// How long to wait for a child to vanish after SIGKILL.
    public static let childKillWaitSecondsMax = 2.0
    /// Removal is retried this many times, in case a running thread was still adding files.
    public static let removalAttemptsMax = 10

    private let lock = NSLock()
    private var directories: [String] = []
    private var children: [Process] = []
    private var stopping = false
    private var notice: String?
    private var sources: [any DispatchSourceSignal] = []

    private init() {}

    /// Routes SIGINT and SIGTERM to the cleanup. Call before creating anything; later calls do nothing.
    public func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for signalNumber in [SIGINT, SIGTERM] {
                signal(signalNumber, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
                source.setEventHandler { [self] in stop(by: signalNumber) }
                source.resume()
                sources.append(source)
            }
            // A write to a closed pipe fails with EPIPE instead of killing the process before its cleanup;
            // `writeLine` then calls `outputClosed`.
            signal(SIGPIPE, SIG_IGN)
        }
    }

    /// Standard output or error was closed by its reader: cleans up as for a signal, then ends by SIGPIPE.
    public func outputClosed() -> Never {
        stop(by: SIGPIPE)
    }

    /// Creates `path` as a new directory (its parent must exist; see `DirectoryCheck.createFresh`), to be removed
    /// if a signal arrives. Creating and registering happen together, so no signal falls between them.
    public func createDirectory(_ path: String) throws {
        try lock.withLock {
            guard !stopping else { throw SignalCleanupStopped() }
            try DirectoryCheck.createFresh(path)
            directories.append(path)
        }
    }

    /// Removes a directory `createDirectory` made, as the normal end of the command.
    public func removeDirectory(_ path: String) {
        lock.withLock {
            precondition(directories.contains(path), "only a directory created here is removed")
            directories.removeAll { $0 == path }
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// Starts `child`, registered so a signal stops it, unless a signal already arrived.
    public func launch(_ child: Process) throws {
        try lock.withLock {
            guard !stopping else { throw SignalCleanupStopped() }
            try child.run()
            children.append(child)
        }
    }

    /// A line written to standard error when a signal arrives, before the children are stopped (what is being
    /// stopped, where the data stays), so the user sees why the command is waiting.
    public func setStoppingNotice(_ line: String) {
        lock.withLock { notice = line }
    }

    /// Returns at once unless a signal's cleanup has begun; then it never returns (the cleanup ends the process by
    /// the signal). Call before the command ends by itself, so that a run which failed because the cleanup removed
    /// its data (or finished just as the signal came) does not exit with its own status first.
    public func parkIfStopping() {
        // `stop` holds the lock from setting `stopping` until it ends the process.
        lock.withLock { precondition(!stopping, "stop holds the lock until the process ends") }
    }

    /// Forgets a child that has ended.
    public func finished(_ child: Process) {
        lock.withLock { children.removeAll { $0 === child } }
    }

    private func stop(by signalNumber: Int32) -> Never {
        lock.withLock {
            stopping = true
            if let notice, signalNumber != SIGPIPE { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
            for child in children where child.isRunning { child.terminate() }
            for child in children where !Self.waitForExit(child, secondsMax: Self.childGraceSecondsMax) {
                kill(child.processIdentifier, SIGKILL)
                _ = Self.waitForExit(child, secondsMax: Self.childKillWaitSecondsMax)
            }
            children = []
            for path in directories { Self.remove(path) }
            directories = []
            // Still holding the lock, so the main thread cannot go on (and report the children's end as failures).
            Self.end(by: signalNumber)
        }
    }

    /// Ends the process by `signalNumber`, as if no handler had been installed. Dispatch's threads block signals,
    /// so this thread unblocks it first; `_exit` (status 128 + signal, as a shell reports) is the fallback.
    private static func end(by signalNumber: Int32) -> Never {
        signal(signalNumber, SIG_DFL)
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signalNumber)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(signalNumber)
        _exit(128 + signalNumber)
    }

    /// Whether `child` ended within `secondsMax`.
    private static func waitForExit(_ child: Process, secondsMax: Double) -> Bool {
        let deadline = Date().addingTimeInterval(secondsMax)
        while child.isRunning, Date() < deadline { usleep(10_000) }
        return !child.isRunning
    }

    /// Removes `path`, retrying while a thread of this process that is still running may add files to it.
    private static func remove(_ path: String) {
        for _ in 0..<removalAttemptsMax {
            try? FileManager.default.removeItem(atPath: path)
            if !FileManager.default.fileExists(atPath: path) { return }
            usleep(20_000)
        }
    }
}

/// Refuses to create a directory or start a child once a signal is stopping the process.
public struct SignalCleanupStopped: Error, CustomStringConvertible {
    public var description: String { "stopped by a signal" }
}

import CairnTestSupport
import Foundation
import Testing

/// The built `cairn` executable run as a child process, its output captured in files (so a chatty run never
/// blocks on a full pipe), with bounded waits: a test kills what it started.
final class CairnProcess: @unchecked Sendable {
    /// Longest a command may run before the test kills it and fails.
    static let runSecondsMax = 300.0

    let process = Process()
    private let outputDirectory = TemporaryDirectory("cairn-cli-output")

    /// Starts `cairn <arguments>` in `directory`, with `environment` added to the test's own; its standard
    /// output goes to `outputPipe` when one is given (`standardOutput` is then empty).
    init(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:], outputPipe: Pipe? = nil
    ) throws {
        process.executableURL = URL(fileURLWithPath: try BuiltExecutable.path())
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        try Data().write(to: URL(fileURLWithPath: outputDirectory.child("stdout")))
        try Data().write(to: URL(fileURLWithPath: outputDirectory.child("stderr")))
        process.standardOutput = try outputPipe ?? FileHandle(forWritingTo: URL(fileURLWithPath: outputDirectory.child("stdout")))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: outputDirectory.child("stderr")))
        try Self.withSignalsUnblocked { try process.run() }
    }

    /// Runs `body` with no signal blocked in this thread. Test threads block most signals and a spawned process
    /// inherits that mask; unblocked, `cairn` starts as it does from a shell, where Ctrl-C reaches it.
    private static func withSignalsUnblocked(_ body: () throws -> Void) rethrows {
        var none = sigset_t()
        var previous = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try body()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Runs `cairn <arguments>` to its end.
    static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]) throws -> CairnProcess {
        let run = try CairnProcess(arguments, in: directory, environment: environment)
        try run.waitForExit()
        return run
    }

    /// Waits for the process to end; after `secondsMax` it is killed and the wait throws.
    func waitForExit(secondsMax: Double = CairnProcess.runSecondsMax) throws {
        guard Self.poll(secondsMax: secondsMax, until: { !self.process.isRunning }) else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw TimedOut(what: "cairn \(process.arguments?.joined(separator: " ") ?? "") ended", seconds: secondsMax)
        }
        process.waitUntilExit()
    }

    var status: Int32 { process.terminationStatus }
    var endedBySignal: Bool { process.terminationReason == .uncaughtSignal }
    var standardOutput: String { (try? String(contentsOfFile: outputDirectory.child("stdout"), encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOfFile: outputDirectory.child("stderr"), encoding: .utf8)) ?? "" }

    /// Polls `condition` every 20 ms until it holds (true) or `secondsMax` passes (false).
    static func poll(secondsMax: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(secondsMax)
        while !condition() {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// The ids of live processes whose command line mentions `text`.
    static func processes(mentioning text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { id in
            guard let data = FileManager.default.contents(atPath: "/proc/\(id)/cmdline") else { return false }
            let line = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
            return line.contains(text)
        }
    }

    /// A bounded wait ran out.
    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        let seconds: Double
        var description: String { "waited \(seconds) s for: \(what)" }
    }
}

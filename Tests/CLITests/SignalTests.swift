import CairnTestSupport
import Foundation
import Testing

/// Ctrl-C (SIGINT) and SIGTERM: `cairn` removes the temporary directories it created and stops its children.
@Suite("cairn: signals")
struct SignalTests {
    /// Longest wait for a run to reach the point where it is interrupted.
    static let startSecondsMax = 120.0
    /// Longest wait for an interrupted run to end.
    static let stopSecondsMax = 30.0

    /// The entries of `directory` named with `prefix`.
    static func entries(_ directory: String, prefix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix(prefix) }
    }

    @Test(
        "a signal during bench engines removes its data and stops the engine's process",
        arguments: [(SIGINT, false), (SIGTERM, false), (SIGINT, true)])
    func benchEngines(signal: Int32, inProcess: Bool) throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess(
            ["bench", "engines", "--keys", "200000", "--engines", "lmdb,leveldb", "--workloads", "fillrandom,readrandom",
             "--chart", directory.child("c.svg")] + (inProcess ? ["--in-process"] : []),
            in: directory.path, environment: ["TMPDIR": directory.path])
        // The engine's child process has started once it made its first table directory.
        let started = CairnProcess.poll(secondsMax: Self.startSecondsMax) {
            Self.entries(directory.path, prefix: "cairn-bench-").contains {
                FileManager.default.fileExists(atPath: directory.child($0 + "/lmdb/fillrandom"))
            }
        }
        try #require(started && run.process.isRunning, "the run did not reach its first workload: \(run.standardError)")
        let children = CairnProcess.processes(mentioning: directory.path + "/cairn-bench-")
        #expect(children.isEmpty == inProcess, "a child process runs the engine unless --in-process")

        kill(run.process.processIdentifier, signal)
        try run.waitForExit(secondsMax: Self.stopSecondsMax)
        #expect(run.endedBySignal && run.status == signal, "ended by the signal, not \(run.status)")
        #expect(Self.entries(directory.path, prefix: "cairn-bench-").isEmpty, "the data directory is removed")
        let left = CairnProcess.processes(mentioning: directory.path)
        for id in left { kill(id, SIGKILL) }
        #expect(left.isEmpty, "no child process is left running")
    }

    @Test("an engine's child process stops soon after its parent is killed with SIGKILL")
    func orphanedChildStops() throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess(
            ["bench", "engines", "--keys", "20000", "--engines", "lmdb", "--workloads", "fillrandom,readrandom",
             "--duration", "100", "--ratio-slices", "0", "--chart", directory.child("c.svg")],
            in: directory.path, environment: ["TMPDIR": directory.path])
        let started = CairnProcess.poll(secondsMax: Self.startSecondsMax) {
            Self.entries(directory.path, prefix: "cairn-bench-").contains {
                FileManager.default.fileExists(atPath: directory.child($0 + "/lmdb/fillrandom"))
            }
        }
        try #require(started && run.process.isRunning, "the run did not reach its first workload: \(run.standardError)")
        try #require(!CairnProcess.processes(mentioning: directory.path + "/cairn-bench-").isEmpty, "a child runs the engine")
        // The child now runs a 100 s readrandom; only noticing its parent's end stops it within the wait below.

        kill(run.process.processIdentifier, SIGKILL)
        try run.waitForExit(secondsMax: Self.stopSecondsMax)
        let stopped = CairnProcess.poll(secondsMax: 10) { CairnProcess.processes(mentioning: directory.path).isEmpty }
        let left = CairnProcess.processes(mentioning: directory.path)
        for id in left { kill(id, SIGKILL) }
        #expect(stopped, "the orphaned child stopped by itself")
        #expect(run.standardError.contains("error: the parent `cairn bench engines`"), "\(run.standardError)")
    }

    @Test("closing the output (cairn bench engines | head -1) removes the run's data and ends by SIGPIPE")
    func closedOutput() throws {
        let directory = TemporaryDirectory()
        let pipe = Pipe()
        let run = try CairnProcess(
            ["bench", "engines", "--keys", "50000", "--engines", "lmdb,leveldb", "--workloads", "fillrandom",
             "--ratio-slices", "0", "--chart", directory.child("c.svg")],
            in: directory.path, environment: ["TMPDIR": directory.path], outputPipe: pipe)
        let first = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        #expect(first.hasPrefix("cairn bench engines:"), "\(first)")
        try pipe.fileHandleForReading.close()
        try pipe.fileHandleForWriting.close()

        try run.waitForExit(secondsMax: Self.startSecondsMax)
        #expect(run.endedBySignal && run.status == SIGPIPE, "ended by SIGPIPE, not \(run.status): \(run.standardError)")
        #expect(Self.entries(directory.path, prefix: "cairn-bench-").isEmpty, "the data directory is removed")
        #expect(!FileManager.default.fileExists(atPath: directory.child("c.svg")), "the run stopped")
        let left = CairnProcess.processes(mentioning: directory.path)
        for id in left { kill(id, SIGKILL) }
        #expect(left.isEmpty, "no child process is left running")
    }

    @Test("a signal during demo removes its temporary data directory", arguments: [SIGINT, SIGTERM])
    func demo(signal: Int32) throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess(["demo", "--keys", "1000000"], in: directory.path, environment: ["TMPDIR": directory.path])
        let started = CairnProcess.poll(secondsMax: Self.startSecondsMax) {
            Self.entries(directory.path, prefix: "cairn-demo-").contains {
                FileManager.default.fileExists(atPath: directory.child($0 + "/catalog.json"))
            }
        }
        try #require(started && run.process.isRunning, "the demo did not start its tables: \(run.standardError)")

        kill(run.process.processIdentifier, signal)
        try run.waitForExit(secondsMax: Self.stopSecondsMax)
        #expect(run.endedBySignal && run.status == signal, "ended by the signal, not \(run.status)")
        #expect(Self.entries(directory.path, prefix: "cairn-demo-").isEmpty, "the data directory is removed")
    }
}

import CairnTestSupport
import Foundation
import Testing

/// Exit statuses and messages: 64 with the usage for bad usage, 1 with one `error:` line for a failed run.
@Suite("cairn: usage and exit status")
struct UsageTests {
    @Test("--version prints the version and exits 0")
    func version() throws {
        let run = try CairnProcess.run(["--version"])
        #expect(run.status == 0)
        #expect(run.standardOutput.range(of: #"^\d+\.\d+\.\d+\n$"#, options: .regularExpression) != nil, "\(run.standardOutput)")
    }

    @Test("help exits 0, and bench engines --help says where the run writes and what it removes")
    func help() throws {
        for arguments in [["--help"], ["demo", "--help"], ["bench", "engines", "--help"]] {
            let run = try CairnProcess.run(arguments)
            #expect(run.status == 0, "\(arguments): \(run.standardError)")
            #expect(run.standardOutput.contains("USAGE:"), "\(arguments)")
        }
        let help = try CairnProcess.run(["bench", "engines", "--help"]).standardOutput
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("cairn-bench-<id>") && help.contains("never deletes anything it did not create"))
    }

    @Test(
        "an empty --engines or --workloads list is bad usage",
        arguments: [["--engines", ""], ["--engines", ","], ["--workloads", ""], ["--workloads", " , "]])
    func emptyList(arguments: [String]) throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess.run(
            ["bench", "engines", "--keys", "100", "--chart", directory.child("c.svg")] + arguments, in: directory.path,
            environment: ["TMPDIR": directory.path])
        #expect(run.status == 64)
        #expect(run.standardError.contains("\(arguments[0]) is empty"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("c.svg")), "nothing ran")
    }

    @Test("--engines takes the groups its help names (Benchmarks/compare-engines.sh uses them)")
    func engineGroups() throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess.run(
            ["bench", "engines", "--keys", "1000", "--engines", "persistent", "--workloads", "fillseq", "--ratio-slices", "0",
             "--chart", directory.child("c.svg")], in: directory.path, environment: ["TMPDIR": directory.path])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("cairn bench engines: lmdb, leveldb, rocksdb × 1 workloads"), "\(run.standardOutput)")
        let unknown = try CairnProcess.run(["bench", "engines", "--engines", "cairns", "--chart", directory.child("c.svg")])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("unknown 'cairns'") && unknown.standardError.contains("cairn, persistent, raw"))
    }

    @Test("bench report without --json, and a --ratio-slices past its limit, are bad usage naming the command")
    func reportWithoutRuns() throws {
        let report = try CairnProcess.run(["bench", "report"])
        #expect(report.status == 64)
        #expect(report.standardError.contains("give at least one --json file") && report.standardError.contains("cairn bench report"))
        let directory = TemporaryDirectory()
        let slices = try CairnProcess.run(
            ["bench", "engines", "--keys", "100", "--engines", "memory", "--workloads", "fillseq", "--ratio-slices", "1001",
             "--chart", directory.child("c.svg")], in: directory.path, environment: ["TMPDIR": directory.path])
        #expect(slices.status == 64)
        #expect(slices.standardError.contains("--ratio-slices must be between 0 and 1000"), "\(slices.standardError)")
    }

    @Test("bench gossip prints its table, and a cluster size past its limit is bad usage naming the range")
    func benchGossip() throws {
        let run = try CairnProcess.run(["bench", "gossip", "--nodes", "4", "--seeds", "1"])
        #expect(run.status == 0)
        #expect(run.standardOutput.contains("log2(n)") && run.standardOutput.contains("\n    4      2.0"), "\(run.standardOutput)")
        let tooMany = try CairnProcess.run(["bench", "gossip", "--nodes", "5,5000"])
        #expect(tooMany.status == 64)
        #expect(tooMany.standardError.contains("--nodes 5000 must be 2…1023"), "\(tooMany.standardError)")
    }

    @Test("--fill-batch with a raw baseline is bad usage, found before the --data-dir is created")
    func fillBatchWithRawBaseline() throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess.run(
            ["bench", "engines", "--keys", "1000", "--engines", "lmdb,raw-lmdb", "--workloads", "fillrandom", "--fill-batch", "10",
             "--data-dir", directory.child("new"), "--chart", directory.child("c.svg")], in: directory.path)
        #expect(run.status == 64)
        #expect(run.standardError.contains("raw-lmdb takes no batches") && run.standardError.contains("cairn bench engines"), "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("new")), "nothing was created")
    }

    @Test("a failure at run time prints one error line without the usage and exits 1")
    func runtimeFailure() throws {
        let directory = TemporaryDirectory()
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: directory.child("bad.json")))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: directory.child("empty.json")))
        let cases = [
            ("missing.json", "cannot read"), ("bad.json", "is not a `bench engines --json` file: not valid JSON"),
            ("empty.json", "is not a `bench engines --json` file: missing field 'command'"),
        ]
        for (name, problem) in cases {
            let run = try CairnProcess.run(["bench", "report", "--json", directory.child(name), "--chart", directory.child("c.svg")])
            #expect(run.status == 1, "\(name)")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains(problem), "\(run.standardError)")
            #expect(!run.standardError.contains("Usage:") && !run.standardError.contains("DecodingError"), "\(run.standardError)")
        }
    }

    @Test("engine group names (cairn, persistent, raw) pass the usage check and run", arguments: ["cairn", "persistent", "raw"])
    func engineGroups(group: String) throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess.run(
            [
                "bench", "engines", "--engines", group, "--workloads", "readrandom", "--keys", "50", "--ratio-slices", "0",
                "--chart", directory.child("c.svg"), "--data-dir", directory.path,
            ], in: directory.path, environment: ["TMPDIR": directory.path])
        #expect(run.status == 0, "\(group): \(run.standardError)")
        #expect(FileManager.default.fileExists(atPath: directory.child("c.svg")), "the run finished")
    }
}

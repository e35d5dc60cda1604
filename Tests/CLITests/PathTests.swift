import CairnTestSupport
import Foundation
import Testing

/// Paths given to `cairn`: the benchmark deletes only what it created, and an unusable path is one error line,
/// given before any work starts.
@Suite("cairn: paths")
struct PathTests {
    /// A small comparison: both kinds of child process (an engine's run and a side-by-side run) use the data dir.
    static let smallBench = [
        "bench", "engines", "--keys", "300", "--engines", "lmdb,raw-lmdb", "--workloads", "fillrandom,readrandom",
        "--ratio-slices", "1",
    ]

    @Test("bench engines --data-dir keeps what the user had there, and leaves nothing of its own")
    func dataDirectoryKept() throws {
        let directory = TemporaryDirectory()
        let data = directory.child("data")
        let userFiles = ["lmdb/notes.txt", "pair-lmdb/notes.txt", "notes.txt"]
        for file in userFiles {
            let path = data + "/" + file
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try Data("mine: \(file)".utf8).write(to: URL(fileURLWithPath: path))
        }
        let before = try FileManager.default.subpathsOfDirectory(atPath: data).sorted()
        let run = try CairnProcess.run(Self.smallBench + ["--data-dir", data, "--chart", directory.child("c.svg")])
        #expect(run.status == 0, "\(run.standardError)")
        for file in userFiles {
            #expect(try String(contentsOfFile: data + "/" + file, encoding: .utf8) == "mine: \(file)")
        }
        #expect(try FileManager.default.subpathsOfDirectory(atPath: data).sorted() == before, "the run removed its own directory")
        #expect(run.standardOutput.contains("data in \(data)/cairn-bench-"), "it ran inside a directory of its own")
    }

    @Test("bench engines writes no chart unless asked, and leaves a file of the default name alone")
    func noChartUnasked() throws {
        let directory = TemporaryDirectory()
        let mine = directory.child("cairn-bench-engines.svg")
        try Data("mine".utf8).write(to: URL(fileURLWithPath: mine))
        let run = try CairnProcess.run(
            ["bench", "engines", "--keys", "300", "--engines", "memory", "--workloads", "fillseq", "--ratio-slices", "0",
             "--data-dir", directory.child("data")], in: directory.path)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "mine")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["cairn-bench-engines.svg", "data"])
        #expect(!run.standardOutput.contains("wrote "), "\(run.standardOutput)")
    }

    /// Data dirs that cannot be used, each with the words its error must contain.
    static func unusableDataDirectories(in directory: TemporaryDirectory) throws -> [(path: String, problem: String)] {
        let file = directory.child("file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let loop = directory.child("loop")
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        return [
            ("", "--data-dir is empty"), ("   ", "--data-dir is blank"), (" \(directory.path)", "whitespace"),
            (file, "not a directory"), (file + "/below", "a parent is not a directory"), (loop, "symbolic links"),
        ]
    }

    @Test("an unusable --data-dir is one error line, for bench engines and demo", arguments: ["bench", "demo"])
    func unusableDataDirectory(command: String) throws {
        let directory = TemporaryDirectory()
        for (path, problem) in try Self.unusableDataDirectories(in: directory) {
            let arguments = command == "demo"
                ? ["demo", "--keys", "10", "--data-dir", path]
                : ["bench", "engines", "--keys", "100", "--engines", "memory", "--workloads", "fillseq",
                   "--chart", directory.child("c.svg"), "--data-dir", path]
            let run = try CairnProcess.run(arguments, in: directory.path)
            #expect(run.status == 1, "'\(path)': status \(run.status)")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains(problem), "'\(path)': \(run.standardError)")
            #expect(!FileManager.default.fileExists(atPath: directory.child("c.svg")), "'\(path)': nothing ran")
        }
    }

    @Test("--json, --chart and --markdown are checked before the run", arguments: ["--json", "--chart", "--markdown"])
    func outputPaths(option: String) throws {
        let directory = TemporaryDirectory()
        let file = directory.child("file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let cases = [
            (directory.child("missing/out"), "does not exist"), (directory.path, "is a directory"),
            (file + "/out", "is not a directory"), ("", "is empty"), 
            // Root passes the permission check on /proc; the probe file finds it unwritable before the run.
            ("/proc/cairn-out", geteuid() == 0 ? "cannot create files in /proc" : "/proc is not writable"),
        ]
        for (path, problem) in cases {
            var arguments = ["bench", "engines", "--keys", "100", "--engines", "memory", "--workloads", "fillseq"]
            if option != "--chart" { arguments += ["--chart", directory.child("c.svg")] }
            let run = try CairnProcess.run(arguments + [option, path], in: directory.path, environment: ["TMPDIR": directory.path])
            #expect(run.status == 1, "\(option) '\(path)': status \(run.status)")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: \(option)") && lines[0].contains(problem), "\(run.standardError)")
            #expect(!run.standardOutput.contains("cairn bench engines:"), "\(option) '\(path)': the run did not start")
        }
    }

    @Test("two outputs at one path, or an output over an input, are refused before anything is written")
    func outputsDistinct() throws {
        let directory = TemporaryDirectory()
        let bench = ["bench", "engines", "--keys", "100", "--engines", "memory", "--workloads", "fillseq"]
        let cases = [
            (["--json", "out", "--chart", "./out"], "--chart ./out is the same file as --json out"),
            (["--json", "r.json", "--markdown", directory.child("r.json")], "is the same file as --json r.json"),
        ]
        for (arguments, problem) in cases {
            let run = try CairnProcess.run(bench + arguments, in: directory.path, environment: ["TMPDIR": directory.path])
            #expect(run.status == 1, "\(arguments): status \(run.status)")
            let lines = run.standardError.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("error: ") && lines[0].contains(problem), "\(run.standardError)")
            #expect(!run.standardOutput.contains("cairn bench engines:"), "\(arguments): the run did not start")
        }

        let saved = directory.child("saved.json")
        let made = try CairnProcess.run(bench + ["--json", saved, "--chart", directory.child("c.svg")], in: directory.path,
            environment: ["TMPDIR": directory.path])
        try #require(made.status == 0, "\(made.standardError)")
        let before = try Data(contentsOf: URL(fileURLWithPath: saved))
        for output in [["--chart", saved], ["--chart", directory.child("c.svg"), "--markdown", directory.path + "/./saved.json"]] {
            let run = try CairnProcess.run(["bench", "report", "--json", saved] + output, in: directory.path)
            #expect(run.status == 1, "\(output): status \(run.status)")
            #expect(run.standardError.contains("is the same file as the input --json \(saved)"), "\(run.standardError)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: saved)) == before, "\(output): the saved run is untouched")
        }
    }
}

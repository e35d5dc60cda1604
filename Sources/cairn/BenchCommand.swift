import ArgumentParser
import CairnBench
import CairnProcessCleanup
import CairnStorage
import Foundation

/// `cairn bench …`: benchmarks.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks.",
        subcommands: [BenchEnginesCommand.self, BenchReportCommand.self, BenchRunEngineCommand.self, BenchRunPairCommand.self, BenchGossipCommand.self, BenchDetectionCommand.self, BenchTransferCommand.self, BenchTransportCommand.self]
    )
}

/// The workload options shared by `bench engines` and its per-engine child processes.
struct BenchOptions: ParsableArguments {
    @Option(help: "Keys loaded by the fills; the key space of every workload.")
    var keys: Int = 1_000_000
    @Option(help: "Bytes per key.")
    var keySize: Int = 16
    @Option(help: "Bytes per value.")
    var valueSize: Int = 100
    @Option(help: "Threads issuing operations.")
    var threads: Int = 1
    @Option(help: "sync (fsync per write) or buffered.")
    var durability: String = Durability.buffered.rawValue
    @Option(help: "Seconds per non-fill workload, instead of a fixed operation count.")
    var duration: Double?
    @Option(name: .customLong("ops"), help: "Operations per non-fill workload (default: as many as --keys).")
    var operations: Int?
    @Option(help: "Key choice: uniform or zipfian.")
    var distribution: String = KeyDistribution.uniform.rawValue
    @Option(help: "Seed of every random choice, so runs repeat.")
    var seed: UInt64 = 42
    @Option(help: "How far values compress, as db_bench's --compression_ratio: 0.5 halves them, 1 is incompressible.")
    var compressionRatio: Double = BenchSettings.defaultCompressionRatio
    @Option(help: "Puts per atomic batch (one commit, one fsync under sync) in the fills; Cairn engines only.")
    var fillBatch: Int = 1
    @Option(help: "Consecutive slices each workload runs in; their spread is the noise the advice allows for.")
    var workloadSlices: Int = BenchSettings.defaultSlices
    @Flag(help: "Before each non-fill workload, close the table, drop its files from the page cache and reopen it, so reads start from the disk.")
    var coldReads = false

    func validate() throws {
        _ = try settings()
    }

    func settings() throws -> BenchSettings {
        guard let durability = Durability(rawValue: durability) else {
            throw ValidationError("--durability must be sync or buffered, not '\(durability)'")
        }
        guard let distribution = KeyDistribution(rawValue: distribution) else {
            throw ValidationError("--distribution must be uniform or zipfian, not '\(distribution)'")
        }
        let settings = BenchSettings(
            keys: keys, keySize: keySize, valueSize: valueSize, threads: threads, durability: durability,
            durationSeconds: duration, operations: operations, distribution: distribution, seed: seed,
            compressionRatio: compressionRatio, fillBatch: fillBatch, slices: workloadSlices, coldReads: coldReads)
        if let problem = settings.problem { throw ValidationError(problem) }
        return settings
    }

    /// These options as command-line arguments, for a child process.
    var arguments: [String] {
        var list = [
            "--keys", "\(keys)", "--key-size", "\(keySize)", "--value-size", "\(valueSize)", "--threads", "\(threads)",
            "--durability", durability, "--distribution", distribution, "--seed", "\(seed)",
            "--compression-ratio", "\(compressionRatio)", "--fill-batch", "\(fillBatch)", "--workload-slices", "\(workloadSlices)",
        ]
        if let operations { list += ["--ops", "\(operations)"] }
        if coldReads { list.append("--cold-reads") }
        if let duration { list += ["--duration", "\(duration)"] }
        return list
    }
}

/// Parses a comma-separated list of names into values, naming the bad one and the choices on error; an empty
/// list is an error too.
func parseList<Value: RawRepresentable & CaseIterable>(_ text: String, option: String, groups: [String] = []) throws -> [Value]
where Value.RawValue == String {
    if text == "all" { return Array(Value.allCases) }
    let choices = (Value.allCases.map(\.rawValue) + groups).joined(separator: ", ")
    guard text.contains(where: { $0 != "," && !$0.isWhitespace }) else {
        throw ValidationError("\(option) is empty: name at least one of \(choices), or all")
    }
    return try text.split(separator: ",").map { name in
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard let value = Value(rawValue: trimmed) else {
            throw ValidationError(
                "\(option): unknown '\(trimmed)'; choose from \(choices) or all")
        }
        return value
    }
}

/// `cairn bench engines`: the engine comparison.
struct BenchEnginesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engines",
        abstract: "Run named workloads on every engine and on raw C; print tables, a chart and advice.",
        discussion: """
            Workloads: \(Workload.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; ")).
            Each engine runs in its own process. The run creates a new directory, cairn-bench-<id>, inside the \
            --data-dir (default: the system temporary directory), works only inside it, and removes it at the end, \
            on Ctrl-C and on SIGTERM: it never deletes anything it did not create. The --json, --chart and \
            --markdown paths are checked before the run starts. Build with -c release for real figures.
            """
    )

    @OptionGroup var options: BenchOptions
    @Option(help: "Engines, comma-separated (\(BenchEngine.allCases.map(\.rawValue).joined(separator: ", "))), all, cairn (the Cairn engines), persistent (those that persist) or raw (the C baselines).")
    var engines = "all"
    @Option(help: "Workloads, comma-separated, or all.")
    var workloads = "all"
    @Option(help: "Write every result as JSON to this file.")
    var json: String?
    @Option(help: "Write the SVG chart to this file (none when not given).")
    var chart: String?
    @Option(help: "Write a Markdown report (machine, command, tables, ratios, chart, advice) to this file.")
    var markdown: String?
    @Option(help: "Directory in which the run creates (and afterwards removes) its own cairn-bench-<id> directory for the engines' data; created when missing. Default: the system temporary directory.")
    var dataDir: String?
    @Flag(help: "Run every engine inside this process instead of one child process per engine.")
    var inProcess = false
    @Option(help: "Alternating slices of the side-by-side comparison with raw C (fillrandom, overwrite, readrandom); 0 skips it.")
    var ratioSlices = PairedRun.defaultSlices
    @Option(help: "Section of a combined report this run belongs to (e.g. \"Sync durability\"); runs sharing one are tabled together.")
    var section: String?
    @Option(help: "What sets this run apart within its section (e.g. \"16 KiB values\").")
    var variant: String?

    func validate() throws {
        if let problem = try options.settings().problem(engines: chosenEngines()) { throw ValidationError(problem) }
        let _: [Workload] = try parseList(workloads, option: "--workloads")
        guard (0...PairedRun.slicesMax).contains(ratioSlices) else {
            throw ValidationError("--ratio-slices must be between 0 and \(PairedRun.slicesMax)")
        }
    }

    func run() throws {
        let settings = try options.settings()
        let started = ContinuousClock.now
        let chosenEngines = try chosenEngines()
        let chosenWorkloads = Workload.canonicalOrder(Set(try parseList(workloads, option: "--workloads") as [Workload]))
        try checkOutputPaths()
        let parent = try dataDir.map { path throws(RuntimeError) in
            try PathArguments.prepareDirectory(path, option: "--data-dir")
            return path
        } ?? NSTemporaryDirectory()
        let machine = MachineInfo.current()
        let cleanup = SignalCleanup.shared
        cleanup.install()
        let root = (parent.hasSuffix("/") ? parent : parent + "/") + "cairn-bench-\(UUID().uuidString.prefix(8))"
        try cleanup.createDirectory(root)
        defer { cleanup.removeDirectory(root) }
        if machine.build == "debug" { printError("warning: this is a debug build; use `swift build -c release` for real figures") }
        say("cairn bench engines: \(chosenEngines.map(\.rawValue).joined(separator: ", ")) × \(chosenWorkloads.count) workloads")
        say("  \(settings.summary)")
        say("  \(machine.summary)\n  data in \(root)")

        var results: [WorkloadResult] = []
        var failed: [String] = []
        for engine in chosenEngines {
            say("[\(engine.rawValue)]")
            do {
                results += try runEngine(engine, chosenWorkloads, settings, directory: root + "/" + engine.rawValue)
            } catch {
                printError("error: \(engine.rawValue) failed: \(error)")
                failed.append(engine.rawValue)
            }
        }
        var ratios: [PairedRatio] = []
        let pairedWorkloads = PairedRun.workloads.filter(chosenWorkloads.contains)
        if ratioSlices > 0, !pairedWorkloads.isEmpty {
            for engine in chosenEngines where engine.rawBaseline.map(chosenEngines.contains) ?? false {
                say("[\(engine.rawValue) vs \(engine.rawBaseline!.rawValue), side by side in \(ratioSlices) slices]")
                do {
                    ratios += try runPair(engine, pairedWorkloads, settings, directory: root + "/pair-" + engine.rawValue)
                } catch {
                    printError("error: the side-by-side run of \(engine.rawValue) failed: \(error)")
                    failed.append(engine.rawValue + " (paired)")
                }
            }
        }
        var report = BenchReport(
            command: BenchOutput.commandLine(), machine: machine,
            settings: settings, engines: chosenEngines, workloads: chosenWorkloads, results: results, ratios: ratios)
        let (elapsed, attoseconds) = (ContinuousClock.now - started).components
        report.elapsedSeconds = Double(elapsed) + Double(attoseconds) / 1e18
        (report.section, report.variant, report.chartPath) = (section, variant, chart)
        try BenchOutput(
            runs: [(report, json)], writesJSON: true, chartPath: chart, markdownPath: markdown, command: report.command,
            printsSettings: false
        ).write()
        if !failed.isEmpty { throw RuntimeError("engines that failed: \(failed.joined(separator: ", "))") }
    }

    /// The engines `--engines` names: a group (`cairn`, `persistent`, `raw`), `all`, or a comma-separated list.
    private func chosenEngines() throws -> [BenchEngine] {
        if let group = BenchEngine.group(named: engines) { return group }
        return try parseList(engines, option: "--engines", groups: BenchEngine.groupNames)
    }

    /// The output files are checked before the run, so a bad path does not cost the results at its end.
    private func checkOutputPaths() throws(RuntimeError) {
        if let json { try PathArguments.checkOutputFile(json, option: "--json") }
        if let chart { try PathArguments.checkOutputFile(chart, option: "--chart") }
        if let markdown { try PathArguments.checkOutputFile(markdown, option: "--markdown") }
        let outputs = [("--json", json), ("--chart", chart), ("--markdown", markdown)].compactMap { option, path in
            path.map { (option: option, path: $0) }
        }
        try PathArguments.checkDistinct(outputs: outputs)
    }

    private func runEngine(
        _ engine: BenchEngine, _ workloads: [Workload], _ settings: BenchSettings, directory: String
    ) throws -> [WorkloadResult] {
        if inProcess {
            return try EngineRun(engine: engine, settings: settings, dataDirectory: directory) { say($0) }
                .run(Set(workloads))
        }
        return try runChild(["run-engine", "--engine", engine.rawValue, "--workloads", workloads.map(\.rawValue).joined(separator: ","), "--data-dir", directory])
    }

    private func runPair(
        _ engine: BenchEngine, _ workloads: [Workload], _ settings: BenchSettings, directory: String
    ) throws -> [PairedRatio] {
        if inProcess {
            return try PairedRun(engine: engine, settings: settings, dataDirectory: directory, slices: ratioSlices) { say($0) }
                .run(Set(workloads))
        }
        return try runChild(["run-pair", "--engine", engine.rawValue, "--workloads", workloads.map(\.rawValue).joined(separator: ","),
            "--data-dir", directory, "--slices", "\(ratioSlices)"])
    }

    /// Runs `cairn bench <arguments>` as a child process and decodes the JSON it prints.
    private func runChild<Output: Decodable>(_ arguments: [String]) throws -> Output {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["bench"] + arguments + options.arguments
        let output = Pipe()
        child.standardOutput = output
        try SignalCleanup.shared.launch(child)
        let data = output.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        SignalCleanup.shared.finished(child)
        guard child.terminationReason == .exit, child.terminationStatus == 0 else {
            throw RuntimeError("its process ended with status \(child.terminationStatus)")
        }
        return try JSONDecoder().decode(Output.self, from: data)
    }
}

/// `cairn bench report`: prints and re-renders saved comparisons (their JSON) without running anything; several
/// make one Markdown document, runs sharing a section tabled together.
struct BenchReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the settings, tables and advice of saved `bench engines --json` files, and render their chart and Markdown.",
        discussion: "Give --json once per run, in the order the Markdown shows them; the first run gives the summary and the chart.")

    @Option(help: "A JSON file written by `cairn bench engines --json`; repeat for several runs.")
    var json: [String] = []
    @Option(help: "Write the SVG chart of the first run to this file (none when not given).")
    var chart: String?
    @Option(help: "Write the Markdown report to this file.")
    var markdown: String?

    func validate() throws {
        guard !json.isEmpty else { throw ValidationError("give at least one --json file") }
    }

    func run() throws {
        for path in json { try PathArguments.checkText(path, option: "--json") }
        if let chart { try PathArguments.checkOutputFile(chart, option: "--chart") }
        if let markdown { try PathArguments.checkOutputFile(markdown, option: "--markdown") }
        try PathArguments.checkDistinct(
            outputs: [("--chart", chart), ("--markdown", markdown)].compactMap { option, path in path.map { (option: option, path: $0) } },
            inputs: json.map { (option: "--json", path: $0) })
        let runs = try json.map { path -> (report: BenchReport, jsonPath: String?) in
            let data: Data
            do {
                data = try Data(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw RuntimeError("cannot read \(path): \(error.localizedDescription)")
            }
            do {
                return (try JSONDecoder().decode(BenchReport.self, from: data), path)
            } catch {
                throw RuntimeError("\(path) is not a `bench engines --json` file: \(Self.describe(error))")
            }
        }
        try BenchOutput(
            runs: runs, writesJSON: false, chartPath: chart, markdownPath: markdown,
            command: BenchOutput.commandLine(), printsSettings: true
        ).write()
    }
}

extension BenchReportCommand {
    /// What is wrong with a saved run, in a few words and the field's path, rather than a `DecodingError` dump.
    static func describe(_ error: any Error) -> String {
        func field(_ path: [any CodingKey], _ last: (any CodingKey)? = nil) -> String {
            let names = (path + (last.map { [$0] } ?? [])).map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return "'" + names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let context)?: return "missing field \(field(context.codingPath, key))"
        case .typeMismatch(let type, let context)?: return "field \(field(context.codingPath)) is not \(type)"
        case .valueNotFound(let type, let context)?: return "field \(field(context.codingPath)) has no \(type)"
        case .dataCorrupted(let context)? where context.codingPath.isEmpty: return "not valid JSON"
        case .dataCorrupted(let context)?: return "field \(field(context.codingPath)) is invalid: \(context.debugDescription)"
        default: return "\(error)"
        }
    }
}

/// `cairn bench run-engine`: one engine's share of `bench engines`, run in a process of its own so its memory
/// figures are its own. Prints progress on stderr and the results as JSON on stdout.
struct BenchRunEngineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-engine", shouldDisplay: false)

    @OptionGroup var options: BenchOptions
    @Option var engine: String
    @Option var workloads: String
    @Option var dataDir: String

    func run() throws {
        guard let engine = BenchEngine(rawValue: engine) else { throw ValidationError("unknown engine '\(engine)'") }
        ParentWatch.start()
        let chosen: [Workload] = try parseList(workloads, option: "--workloads")
        let results = try EngineRun(engine: engine, settings: try options.settings(), dataDirectory: dataDir) {
            printError($0)
        }.run(Set(chosen))
        FileHandle.standardOutput.write(try JSONEncoder().encode(results))
    }
}

/// `cairn bench run-pair`: the side-by-side comparison of one engine with its raw C baseline, in a process of
/// its own. Prints progress on stderr and the ratios as JSON on stdout.
struct BenchRunPairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run-pair", shouldDisplay: false)

    @OptionGroup var options: BenchOptions
    @Option var engine: String
    @Option var workloads: String
    @Option var dataDir: String
    @Option var slices: Int = PairedRun.defaultSlices

    func run() throws {
        guard let engine = BenchEngine(rawValue: engine), engine.rawBaseline != nil else {
            throw ValidationError("'\(engine)' has no raw C baseline")
        }
        guard (1...PairedRun.slicesMax).contains(slices) else {
            throw ValidationError("--slices must be between 1 and \(PairedRun.slicesMax)")
        }
        let chosen: [Workload] = try parseList(workloads, option: "--workloads")
        ParentWatch.start()
        let ratios = try PairedRun(engine: engine, settings: try options.settings(), dataDirectory: dataDir, slices: slices) {
            printError($0)
        }.run(Set(chosen))
        FileHandle.standardOutput.write(try JSONEncoder().encode(ratios))
    }
}

/// Writes a line to standard output at once (print buffers when stdout is a pipe), so it stays in order
/// with the progress the child processes write to standard error.
func say(_ line: String) {
    writeLine(line, to: .standardOutput)
}

/// Writes a line to standard error.
func printError(_ line: String) {
    writeLine(line, to: .standardError)
}

/// Writes a line to `handle`; when its reader has gone (`cairn … | head`), cleans up and ends by SIGPIPE.
private func writeLine(_ line: String, to handle: FileHandle) {
    do {
        try handle.write(contentsOf: Data((line + "\n").utf8))
    } catch {
        SignalCleanup.shared.outputClosed()
    }
}

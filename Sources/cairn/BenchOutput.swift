import CairnBench
import Foundation

/// Prints finished comparisons and writes their JSON, chart and Markdown files.
struct BenchOutput {
    /// The runs, each with the JSON file it was read from or is written to.
    let runs: [(report: BenchReport, jsonPath: String?)]
    /// Whether to write the first run's JSON (a live run) rather than only link to it (a saved one).
    let writesJSON: Bool
    /// Where to write the first run's chart; none when the user did not ask for one.
    let chartPath: String?
    let markdownPath: String?
    /// The command that made the Markdown, named in it.
    let command: String
    /// Whether to print each run's command, settings and machine first (a saved run; a live one printed them).
    let printsSettings: Bool

    func write() throws {
        for (report, jsonPath) in runs {
            if printsSettings {
                say("\(report.section.map { "[\($0)\(report.variant.map { ", \($0)" } ?? "")] " } ?? "")\(jsonPath ?? ""): \(report.command)")
                say("  \(report.settings.summary)")
                say("  \(report.machine.summary)")
                say("  engines: \(report.engines.map(\.rawValue).joined(separator: ", "))"
                    + (report.elapsedSeconds.map { String(format: "; the run took %.0f s", $0) } ?? ""))
            }
            print(report.textTables())
            print(report.durabilityNote())
            print("Advice:")
            for line in report.advice() { print("  \(line)") }
            print("In ten seconds:")
            for line in report.adviceSummary() { print("  \(line)") }
            print("")
        }
        if writesJSON, let (report, jsonPath) = runs.first, let jsonPath {
            try save(jsonPath) { try report.json().write(to: URL(fileURLWithPath: jsonPath)) }
        }
        if let chartPath {
            try save(chartPath) { try runs[0].report.chartSVG().write(toFile: chartPath, atomically: true, encoding: .utf8) }
        }
        if let markdownPath {
            let linked = runs.map { run -> (BenchReport, String?) in
                var report = run.report
                // A run's own chart is shown in its section when the file is still there.
                report.chartPath = report.chartPath.flatMap { FileManager.default.fileExists(atPath: $0) ? relative($0, from: markdownPath) : nil }
                return (report, run.jsonPath.map { relative($0, from: markdownPath) })
            }
            try save(markdownPath) {
                try BenchReport.markdown(linked, chartPath: chartPath.map { relative($0, from: markdownPath) }, command: command)
                    .write(toFile: markdownPath, atomically: true, encoding: .utf8)
            }
        }
    }

    /// Runs `write`, then says it wrote `path`; a failure becomes one line naming the file.
    private func save(_ path: String, _ write: () throws -> Void) throws {
        do {
            try write()
        } catch {
            throw RuntimeError("cannot write \(path): \(error.localizedDescription)")
        }
        print("wrote \(path)")
    }

    /// This process's command line as `cairn …`, quoted so it can be pasted into a shell.
    static func commandLine() -> String {
        (["cairn"] + CommandLine.arguments.dropFirst().map(quoted)).joined(separator: " ")
    }

    /// `word` in single quotes when a shell would split or expand it.
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=,:+@%".contains($0) }
        return plain ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `path` as seen from the directory of `file`, when it lies below it.
    private func relative(_ path: String, from file: String) -> String {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path + "/"
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full
    }
}

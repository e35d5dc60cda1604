import CairnBench
import Foundation

/// Prints a finished comparison and writes its JSON, chart and Markdown files.
struct BenchOutput {
    let report: BenchReport
    let jsonPath: String?
    let chartPath: String
    let markdownPath: String?
    /// The JSON file the Markdown links to (written now or earlier).
    let jsonLink: String?

    func write() throws {
        print(report.textTables())
        print("Advice:")
        for line in report.advice() { print("  \(line)") }
        if let jsonPath {
            try save(jsonPath) { try report.json().write(to: URL(fileURLWithPath: jsonPath)) }
        }
        try save(chartPath) { try report.chartSVG().write(toFile: chartPath, atomically: true, encoding: .utf8) }
        if let markdownPath {
            let relativeChart = relative(chartPath, from: markdownPath)
            let relativeJSON = jsonLink.map { relative($0, from: markdownPath) }
            try save(markdownPath) {
                try report.markdown(chartPath: relativeChart, jsonPath: relativeJSON)
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

    /// `path` as seen from the directory of `file`, when it lies below it.
    private func relative(_ path: String, from file: String) -> String {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().standardizedFileURL.path + "/"
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : full
    }
}

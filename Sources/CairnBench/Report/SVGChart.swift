import Foundation

/// A self-contained SVG chart of the Cairn engines a chooser compares: per workload, throughput (ops/s, log
/// scale) beside p99.9 latency (µs, log scale) and bytes on disk. Raw C baselines are in the ratio section instead.
enum SVGChart {
    static let colors: [BenchEngine: String] = [
        .memory: "#8e6c8a", .lmdb: "#2f6f9f", .leveldb: "#d08c2f", .rocksdb: "#3f8f4f",
    ]
    /// Colors for engines without one above (engines added later).
    static let spareColors = ["#4f9a55", "#c0504d", "#7f7f7f"]
    static let labelWidth = 110
    static let panelWidth = 290
    static let panelGap = 40
    static let barHeight = 12
    static let groupGap = 14

    /// One panel: a figure per result, its axis and how to print it.
    struct Panel: Sendable {
        let title: String
        let logScale: Bool
        let value: @Sendable (WorkloadResult) -> Double?
        let label: @Sendable (Double) -> String
    }

    static let panels = [
        Panel(title: "throughput, ops/s (log; longer is better)", logScale: true, value: { $0.opsPerSecond }, label: { Formatting.compact($0) }),
        Panel(title: "p99.9 latency, µs (log; shorter is better)", logScale: true, value: { $0.p999Microseconds }, label: { Formatting.micros($0) }),
        Panel(
            title: "bytes on disk (shorter is better)", logScale: false,
            value: { $0.engine.persists ? Double($0.diskBytes) : nil }, label: { Formatting.bytes(Int($0)) }),
    ]

    static func color(_ engine: BenchEngine, _ index: Int) -> String { colors[engine] ?? spareColors[index % spareColors.count] }

    static func render(_ report: BenchReport, title: String) -> String {
        let engines = report.engines.filter { $0.cairnKind != nil }
        let workloads = report.workloads.filter { workload in engines.contains { report.result($0, workload) != nil } }
        let width = labelWidth + panels.count * (panelWidth + panelGap)
        let groupHeight = max(1, engines.count) * barHeight + groupGap
        let top = 76
        let unmeasured = workloads.contains { workload in engines.contains { report.result($0, workload)?.isMeasured == false } }
        let footnoteHeight = unmeasured ? 16 : 0
        let height = top + workloads.count * groupHeight + 20 + footnoteHeight
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(labelWidth)" y="18" font-size="14" font-weight="bold">\(escape(title))</text>\n
            """
        for (index, engine) in engines.enumerated() {
            let legendX = labelWidth + index * 170
            svg += "<rect x=\"\(legendX)\" y=\"28\" width=\"12\" height=\"12\" fill=\"\(color(engine, index))\"/>"
            svg += "<text x=\"\(legendX + 16)\" y=\"38\">\(engine.rawValue)\(engine.persists ? "" : " (not persistent)")</text>\n"
        }
        for (group, workload) in workloads.enumerated() {
            let groupY = top + group * groupHeight
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(groupY + groupHeight / 2 - 4)\" text-anchor=\"end\" font-weight=\"bold\">\(workload.rawValue)</text>\n"
        }
        for (index, panel) in panels.enumerated() {
            let left = labelWidth + index * (panelWidth + panelGap)
            svg += "<text x=\"\(left)\" y=\"\(top - 12)\" font-weight=\"bold\">\(escape(panel.title))</text>\n"
            svg += render(panel, report, engines: engines, workloads: workloads, left: left, top: top, groupHeight: groupHeight)
        }
        if unmeasured {
            svg += "<text x=\"\(labelWidth)\" y=\"\(height - 10)\" fill=\"#555\">\(escape(unmeasuredFootnote))</text>\n"
        }
        return svg + "</svg>\n"
    }

    /// Explains the pale bars marked (!), under a chart that has any.
    static let unmeasuredFootnote = "(!) pale bars: too short to measure (under \(WorkloadResult.measuredOperationsMin) operations or "
        + "\(WorkloadResult.measuredSecondsMin) s); left out of the advice"

    /// The bars of one panel, scaled to the largest figure in it.
    static func render(
        _ panel: Panel, _ report: BenchReport, engines: [BenchEngine], workloads: [Workload], left: Int, top: Int, groupHeight: Int
    ) -> String {
        let values = workloads.flatMap { workload in engines.compactMap { report.result($0, workload).flatMap(panel.value) } }
        let peak = max(values.max() ?? 1, 1)
        let floor = panel.logScale ? pow(10, (log10(max(values.filter { $0 > 0 }.min() ?? 1, 1e-3))).rounded(.down)) : 0
        let plotWidth = Double(panelWidth - 50)
        func length(_ value: Double) -> Double {
            guard panel.logScale else { return plotWidth * value / peak }
            let span = max(log10(peak) - log10(floor), 1e-9)
            return max(1, plotWidth * (log10(max(value, floor)) - log10(floor)) / span)
        }
        var svg = "<line x1=\"\(left)\" y1=\"\(top - 4)\" x2=\"\(left)\" y2=\"\(top + workloads.count * groupHeight - groupGap + 4)\" stroke=\"#999\"/>\n"
        for (group, workload) in workloads.enumerated() {
            for (row, engine) in engines.enumerated() {
                guard let result = report.result(engine, workload) else { continue }
                let barY = top + group * groupHeight + row * barHeight
                guard let value = panel.value(result) else {
                    svg += "<text x=\"\(left + 4)\" y=\"\(barY + barHeight - 3)\" font-size=\"9\" fill=\"#777\">no disk</text>\n"
                    continue
                }
                let bar = length(value)
                let warning = result.isMeasured ? "" : " (too short to measure)"
                svg += "<rect x=\"\(left)\" y=\"\(barY)\" width=\"\(String(format: "%.1f", bar))\" height=\"\(barHeight - 2)\" "
                svg += "fill=\"\(color(engine, row))\"\(result.isMeasured ? "" : " fill-opacity=\"0.35\"")><title>\(engine.rawValue) "
                svg += "\(workload.rawValue): \(escape(panel.label(value)))\(warning)</title></rect>"
                svg += "<text x=\"\(String(format: "%.1f", Double(left) + bar + 4))\" y=\"\(barY + barHeight - 3)\" font-size=\"9\">"
                svg += "\(escape(panel.label(value)))\(result.isMeasured ? "" : " (!)")</text>\n"
            }
        }
        return svg
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

import Foundation

/// A self-contained SVG bar chart: ops/s (log scale) per workload, one bar per engine.
enum SVGChart {
    static let colors: [BenchEngine: String] = [
        .memory: "#8e6c8a", .lmdb: "#2f6f9f", .leveldb: "#d08c2f", .rawLMDB: "#9fc3de", .rawLevelDB: "#f0c990",
        .rocksdb: "#3f8f4f", .rawRocksDB: "#a9d8b0",
    ]
    static let width = 960
    static let labelWidth = 110
    static let barHeight = 12
    static let groupGap = 14

    static func render(_ report: BenchReport, title: String) -> String {
        let workloads = report.workloads.filter { workload in report.engines.contains { report.result($0, workload) != nil } }
        let peak = max(report.results.map(\.opsPerSecond).max() ?? 1, 10)
        let floor = pow(10, max(0, (log10(peak) - 4).rounded(.down)))
        let span = log10(peak * 1.2) - log10(floor)
        let plotWidth = Double(width - labelWidth - 90)
        func x(_ value: Double) -> Double {
            Double(labelWidth) + plotWidth * max(0, log10(max(value, floor)) - log10(floor)) / span
        }
        let groupHeight = report.engines.count * barHeight + groupGap
        let top = 60
        let height = top + workloads.count * groupHeight + 40
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif" font-size="11">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(labelWidth)" y="18" font-size="14" font-weight="bold">\(escape(title))</text>\n
            """
        for (index, engine) in report.engines.enumerated() {
            let legendX = labelWidth + index * 150
            svg += "<rect x=\"\(legendX)\" y=\"28\" width=\"12\" height=\"12\" fill=\"\(colors[engine] ?? "#999")\"/>"
            svg += "<text x=\"\(legendX + 16)\" y=\"38\">\(engine.rawValue)</text>\n"
        }
        var exponent = log10(floor)
        while exponent <= log10(peak * 1.2) {
            let gridX = x(pow(10, exponent))
            svg += "<line x1=\"\(gridX)\" y1=\"\(top - 6)\" x2=\"\(gridX)\" y2=\"\(height - 34)\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(gridX)\" y=\"\(height - 20)\" text-anchor=\"middle\">\(Formatting.compact(pow(10, exponent)))</text>\n"
            exponent += 1
        }
        svg += "<text x=\"\(labelWidth + Int(plotWidth) / 2)\" y=\"\(height - 6)\" text-anchor=\"middle\">operations per second (log scale)</text>\n"
        for (group, workload) in workloads.enumerated() {
            let groupY = top + group * groupHeight
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(groupY + groupHeight / 2 - 4)\" text-anchor=\"end\" font-weight=\"bold\">\(workload.rawValue)</text>\n"
            for (row, engine) in report.engines.enumerated() {
                guard let result = report.result(engine, workload) else { continue }
                let barY = groupY + row * barHeight
                let barEnd = x(result.opsPerSecond)
                svg += "<rect x=\"\(labelWidth)\" y=\"\(barY)\" width=\"\(String(format: "%.1f", barEnd - Double(labelWidth)))\" "
                svg += "height=\"\(barHeight - 2)\" fill=\"\(colors[engine] ?? "#999")\"><title>\(engine.rawValue) "
                svg += "\(workload.rawValue): \(Formatting.count(result.opsPerSecond)) ops/s</title></rect>"
                svg += "<text x=\"\(String(format: "%.1f", barEnd + 4))\" y=\"\(barY + barHeight - 3)\" font-size=\"9\">"
                svg += "\(Formatting.compact(result.opsPerSecond))</text>\n"
            }
        }
        return svg + "</svg>\n"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

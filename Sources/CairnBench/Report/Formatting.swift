import Foundation

/// Number formats shared by the text table, the Markdown report and the chart.
enum Formatting {
    static func count(_ value: Double) -> String {
        let rounded = Int(value.rounded())
        var digits = String(rounded)
        var position = digits.count - 3
        while position > 0 {
            digits.insert(",", at: digits.index(digits.startIndex, offsetBy: position))
            position -= 3
        }
        return digits
    }

    static func compact(_ value: Double) -> String {
        switch value {
        case 1e6...: String(format: "%.2fM", value / 1e6)
        case 1e3...: String(format: "%.1fk", value / 1e3)
        default: String(format: "%.0f", value)
        }
    }

    static func micros(_ value: Double) -> String {
        value < 10 ? String(format: "%.2f", value) : (value < 1000 ? String(format: "%.1f", value) : String(format: "%.0f", value))
    }

    static func bytes(_ value: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var scaled = Double(value)
        var unit = 0
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : String(format: "%.1f %@", scaled, units[unit])
    }

    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }

    static func percent(_ share: Double) -> String { String(format: "%.0f%%", share * 100) }

    static func seconds(_ value: Double) -> String {
        value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.2f s", value)
    }

    static func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
        let gap = String(repeating: " ", count: max(0, width - text.count))
        return right ? gap + text : text + gap
    }
}

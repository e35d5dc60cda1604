import ArgumentParser
import CairnClient
import Foundation

/// How `get`, `put --returnbody` print values: text with escapes for bytes that are not printable UTF-8, or
/// base64 with `--base64`; each context on its own `context: <base64>` line, ready for the next `--context`.
struct ValueFormat: ParsableArguments {
    @Flag(help: "Print values as base64 instead of escaped text.")
    var base64 = false

    /// The lines printed for what a read found.
    func lines(_ result: ReadResult) -> [String] {
        switch result {
        case .value(let value, let context):
            return [show(value), "context: \(context)"]
        case .siblings(let values, let context):
            let list = values.enumerated().map { "  \($0.offset + 1): \(show($0.element))" }
            return ["\(values.count) siblings:"] + list + ["context: \(context)"]
        case .notFound(let context):
            return ["not found"] + (context.map { ["context: \($0)  (a tombstone's)"] } ?? [])
        }
    }

    func show(_ value: [UInt8]) -> String {
        base64 ? Data(value).base64EncodedString() : Self.escaped(value)
    }

    /// Printable UTF-8 as it is; `\n`, `\t`, `\r`, `\\` and other control characters and bytes that are not
    /// UTF-8 as escapes (`\x00`), so one value stays on one line.
    static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            let (scalar, length) = decodeScalar(bytes, at: index)
            defer { index += length }
            guard let scalar else {
                out += String(format: "\\x%02X", bytes[index])
                continue
            }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02X", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// The scalar starting at `index` and its length in bytes; nil (length 1) for a byte that starts no valid one.
    private static func decodeScalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar?, Int) {
        var decoder = UTF8()
        var iterator = bytes[index...].makeIterator()
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): return (scalar, UTF8.width(scalar))
        case .emptyInput, .error: return (nil, 1)
        }
    }
}

/// Aligned plain-text columns, two spaces apart, each line indented by `indent`.
enum TextColumns {
    static func render(_ header: [String], _ rows: [[String]], indent: String = "") -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { cells in
            indent
                + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingTrailingSpaces()
        }
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

import Foundation
import TOMLKit

/// A TOML config file read as the JSON object it stands for, so that one decoder (and one unknown-key check)
/// serves both formats: a TOML integer becomes a JSON number, a string a string, an array an array.
enum TOMLConfig {
    /// The JSON text of the TOML document `bytes`; a document that does not parse is an error naming its line
    /// and column.
    static func json(of bytes: Data, path: String) throws(RuntimeError) -> Data {
        guard let text = String(data: bytes, encoding: .utf8) else { throw RuntimeError("--config \(path) is not UTF-8 text") }
        do {
            return Data(try TOMLTable(string: text).convert(to: .json).utf8)
        } catch let error as TOMLParseError {
            throw RuntimeError("--config \(path) is not TOML: line \(error.source.begin.line), column \(error.source.begin.column): \(error.description.split(whereSeparator: \.isNewline).joined(separator: " "))")
        } catch {
            throw RuntimeError("--config \(path) is not TOML: \(error)")
        }
    }
}

import CairnCore
import CairnReplication
import CairnStorage
import Foundation

/// The JSON body of `PUT /tables/{table}`: `{"engine", "n", "r", "w", "policy", "durability"}`.
///
/// `engine` is required; `n`, `r`, `w` and `policy` default to `TableSettings()`'s (3, 2, 2, siblings) and
/// `durability` to `sync`. Unknown fields, wrong types and values out of range are 400s naming the field.
enum TableBody {
    static let fields = ["engine", "n", "r", "w", "policy", "durability"]

    static func definition(named name: String, json: [UInt8]) throws(APIError) -> TableDescription {
        guard let object = try? JSONDecoder().decode([String: JSONScalar].self, from: Data(json)) else {
            throw .badRequest("the body must be a JSON object with fields \(fields.joined(separator: ", "))")
        }
        if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
            throw .badRequest("unknown field '\(unknown)' (known: \(fields.joined(separator: ", ")))")
        }
        let defaults = TableSettings()
        guard let engineName = object["engine"] else { throw .badRequest("field 'engine' is required") }
        let settings = TableSettings(
            replicas: try integer(object, "n", default: defaults.replicas),
            readQuorum: try integer(object, "r", default: defaults.readQuorum),
            writeQuorum: try integer(object, "w", default: defaults.writeQuorum),
            policy: try choice(object["policy"], "policy", default: defaults.policy))
        do {
            try settings.check()
        } catch {
            throw .badRequest(error.description)
        }
        return TableDescription(
            name: name, engine: try choice(engineName, "engine", default: .lmdb), settings: settings,
            durability: try choice(object["durability"], "durability", default: .sync))
    }

    private static func integer(_ object: [String: JSONScalar], _ field: String, default value: Int) throws(APIError) -> Int {
        guard let raw = object[field] else { return value }
        guard case .integer(let number) = raw else { throw .badRequest("field '\(field)' must be an integer, got \(raw)") }
        return number
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ raw: JSONScalar?, _ field: String, default value: T)
        throws(APIError) -> T where T.RawValue == String
    {
        guard let raw else { return value }
        let known = T.allCases.map(\.rawValue).joined(separator: ", ")
        guard case .string(let text) = raw, let parsed = T(rawValue: text) else {
            throw .badRequest("field '\(field)' must be one of \(known), got \(raw)")
        }
        return parsed
    }
}

/// One field's value in a flat JSON object, kept as JSON typed it so a wrong type can be named.
enum JSONScalar: Decodable, CustomStringConvertible {
    case integer(Int)
    case string(String)
    case other(String)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = .other(String(flag))
        } else if let number = try? container.decode(Int.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .other(String(number))
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else {
            self = .other(container.decodeNil() ? "null" : "an array or object")
        }
    }

    var description: String {
        switch self {
        case .integer(let number): String(number)
        case .string(let text): "'\(text)'"
        case .other(let text): text
        }
    }
}

import CairnCore
import CairnReplication
import Hummingbird

/// The query parameters of key requests, parsed strictly: an unknown name or a bad value is a 400 naming it.
struct QueryOptions {
    var options = RequestOptions()
    var returnBody = false

    /// Parameters a write (PUT, DELETE) takes, and a read (GET) takes.
    static let writeParameters: Set<String> = ["w", "pw", "returnbody"]
    static let deleteParameters: Set<String> = ["w", "pw"]
    static let readParameters: Set<String> = ["r", "pr"]

    init(_ request: Request, allowed: Set<String>) throws(APIError) {
        var seen: Set<String> = []
        for (rawName, rawValue) in request.uri.queryParameters {
            let name = String(rawName)
            let value = String(rawValue)
            guard allowed.contains(name) else {
                throw .badRequest("unknown query parameter '\(name)' (known here: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard seen.insert(name).inserted else { throw .badRequest("query parameter '\(name)' is given twice") }
            switch name {
            case "w": options.writeQuorum = try Self.quorum(name, value, minimum: 1)
            case "pw": options.primaryWriteQuorum = try Self.quorum(name, value, minimum: 0)
            case "r": options.readQuorum = try Self.quorum(name, value, minimum: 1)
            case "pr": options.primaryReadQuorum = try Self.quorum(name, value, minimum: 0)
            default: returnBody = try Self.flag(name, value)
            }
        }
    }

    private static func quorum(_ name: String, _ value: String, minimum: Int) throws(APIError) -> Int {
        let range = minimum...ReplicationLimits.replicasMax
        guard let number = Int(value), range.contains(number) else {
            throw .badRequest("query parameter '\(name)' must be an integer \(range.lowerBound)…\(range.upperBound), got '\(value)'")
        }
        return number
    }

    private static func flag(_ name: String, _ value: String) throws(APIError) -> Bool {
        switch value {
        case "true": return true
        case "false": return false
        default: throw .badRequest("query parameter '\(name)' must be true or false, got '\(value)'")
        }
    }
}

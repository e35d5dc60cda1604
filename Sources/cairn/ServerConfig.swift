import CairnCore
import CairnHTTP
import CairnServer
import Foundation

/// `cairn server`'s settings: a JSON or TOML config file (`--config`), then the flags over it. Every key, its default and
/// its flag are in README.md ("Running a server").
struct ServerConfig: Codable, Equatable {
    /// Largest config file read, in bytes.
    static let fileBytesMax = 64 * 1_024

    var name: String?
    var clientListen: String?
    var peerListen: String?
    var dataDir: String?
    var seeds: [String]?
    var zone: String?
    var partitionCount: Int?
    var requestTimeoutMs: Int?
    var idleTimeoutSeconds: Int?
    var connectionsMax: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, seeds, zone
        case clientListen = "client_listen"
        case peerListen = "peer_listen"
        case dataDir = "data_dir"
        case partitionCount = "partition_count"
        case requestTimeoutMs = "request_timeout_ms"
        case idleTimeoutSeconds = "idle_timeout_seconds"
        case connectionsMax = "connections_max"
    }

    /// The HTTP server's settings: the file's, else the defaults; out of bounds is an error naming the key.
    func httpSettings() throws(RuntimeError) -> HTTPServerSettings {
        let settings = HTTPServerSettings(
            idleTimeoutSeconds: idleTimeoutSeconds ?? HTTPServerSettings.idleTimeoutSecondsDefault,
            connectionsMax: connectionsMax ?? HTTPServerSettings.connectionsMaxDefault)
        if let problem = settings.problem { throw RuntimeError(problem) }
        return settings
    }

    static let defaultClientListen = "127.0.0.1:8080"
    static let defaultPeerListen = "127.0.0.1:7070"

    /// Reads a config file, TOML when its name ends in `.toml`, JSON when it ends in `.json`; unknown keys are
    /// refused so a misspelt key is not silently ignored.
    static func load(_ path: String) throws(RuntimeError) -> ServerConfig {
        try PathArguments.checkText(path, option: "--config")
        let isTOML = path.lowercased().hasSuffix(".toml")
        guard isTOML || path.lowercased().hasSuffix(".json") else {
            throw RuntimeError("--config \(path): the file name must end in .json or .toml (it says which format it is)")
        }
        guard let bytes = FileManager.default.contents(atPath: path) else { throw RuntimeError("--config \(path) cannot be read") }
        guard bytes.count <= fileBytesMax else {
            throw RuntimeError("--config \(path) is \(bytes.count) bytes, over fileBytesMax (\(fileBytesMax) bytes)")
        }
        let data = isTOML ? try TOMLConfig.json(of: bytes, path: path) : bytes
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let known = Set(CodingKeys.allCases.map(\.rawValue))
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw RuntimeError("--config \(path): unknown key '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
        do {
            return try JSONDecoder().decode(ServerConfig.self, from: data)
        } catch {
            throw RuntimeError("--config \(path) is not \(isTOML ? "a TOML table" : "a JSON object") of the documented keys: \(error)")
        }
    }

    /// `host:port` split, with the port in 0…65535.
    static func hostAndPort(_ text: String, option: String) throws(RuntimeError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw RuntimeError("\(option) '\(text)' is not HOST:PORT with a port in 0…65535")
        }
        let host = String(text[..<colon])
        guard !host.isEmpty else { throw RuntimeError("\(option) '\(text)' has no host") }
        return (host, port)
    }

    /// A seed `NAME@HOST:PORT` (the seed's peer address).
    static func seed(_ text: String) throws(RuntimeError) -> NodeRuntimeSettings.Seed {
        guard let at = text.firstIndex(of: "@") else { throw RuntimeError("--seeds entry '\(text)' is not NAME@HOST:PORT") }
        let name = String(text[..<at])
        try checkName(name, option: "--seeds")
        let (host, port) = try hostAndPort(String(text[text.index(after: at)...]), option: "--seeds")
        return NodeRuntimeSettings.Seed(node: NodeID(name), host: host, port: port)
    }

    static func checkName(_ name: String, option: String) throws(RuntimeError) {
        guard !name.isEmpty, name.utf8.count <= ReplicationLimits.nodeNameBytesMax,
            name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.".unicodeScalars.contains($0)) })
        else {
            throw RuntimeError("\(option) '\(name)' is not a node name: 1…\(ReplicationLimits.nodeNameBytesMax) ASCII letters, digits, '-', '_' or '.'")
        }
    }
}

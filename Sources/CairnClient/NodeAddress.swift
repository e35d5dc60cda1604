import Foundation

/// Where a node serves its HTTP API: `http://HOST:PORT` (no path, no https).
public struct NodeAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `http://HOST[:PORT]` (port 80 when absent; a trailing `/` is fine); the error names the problem.
    public init(parsing text: String) throws(CairnClientError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw .invalidArgument("node address '\(text)' is not a URL like http://127.0.0.1:8080")
        }
        guard scheme == "http" else {
            throw .invalidArgument("node address '\(text)': only http:// is supported, not \(scheme)://")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidArgument("node address '\(text)' names no host (e.g. http://127.0.0.1:8080)")
        }
        guard components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil
        else {
            throw .invalidArgument("node address '\(text)' must have no path or query (e.g. http://127.0.0.1:8080)")
        }
        let port = components.port ?? 80
        guard (1...65_535).contains(port) else {
            throw .invalidArgument("node address '\(text)': port \(port) is not within 1…65535")
        }
        self.init(host: host, port: port)
    }

    public var description: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }
}

/// Path segments percent-encoded so that any bytes survive: everything but RFC 3986's unreserved characters.
enum PathSegment {
    static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var text = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return text
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

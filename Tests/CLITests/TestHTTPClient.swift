import Foundation

/// A tiny HTTP/1.1 client for the multi-process tests: one request per connection to 127.0.0.1
/// (`Connection: close`) over a `RawConnection` (10 s socket timeouts), the status, headers (lowercased names) and body returned.
enum TestHTTPClient {
    static let timeoutSeconds = RawConnection.readSecondsMax

    struct Response {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func send(
        port: Int, _ method: String, _ path: String, body: [UInt8] = [], headers: [String: String] = [:]
    ) throws -> Response {
        let connection = try RawConnection(port: port)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        guard connection.send(Array((head + "\r\n").utf8) + body) else { throw Failure(description: "send to 127.0.0.1:\(port) failed") }
        let (response, closed) = connection.readToEnd()
        guard closed else { throw Failure(description: "no whole answer from 127.0.0.1:\(port) within \(timeoutSeconds) s") }
        return try parse(response)
    }

    private static func parse(_ bytes: [UInt8]) throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            throw Failure(description: "malformed response")
        }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "malformed status line \(lines[0])") }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Response(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self), radix: 16), size > 0,
                lineEnd + 2 + size <= bytes.count
            else { break }
            out += bytes[(lineEnd + 2)..<(lineEnd + 2 + size)]
            index = lineEnd + 2 + size + 2
        }
        return out
    }
}

extension TestHTTPClient {
    /// `GET path` as a JSON object, or nil when the node does not answer 200 with one.
    static func json(port: Int, _ path: String) -> [String: Any]? {
        guard let response = try? send(port: port, "GET", path), response.status == 200 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
    }

    /// The values a read of `key` in table `default` shows (one for a 200, every sibling for a 300, none for a
    /// 404), or nil when the read failed.
    static func values(port: Int, key: String, r: Int) -> [String]? {
        guard let read = try? send(port: port, "GET", "/tables/default/keys/\(key)?r=\(r)") else { return nil }
        switch read.status {
        case 200: return [read.text]
        case 404: return []
        case 300:
            let json = (try? JSONSerialization.jsonObject(with: Data(read.body))) as? [String: Any]
            let siblings = (json?["siblings"] as? [[String: Any]]) ?? []
            return siblings.compactMap { ($0["value_base64"] as? String).flatMap { Data(base64Encoded: $0) } }
                .map { String(decoding: $0, as: UTF8.self) }
        default: return nil
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A minimal HTTP/1.1 client for `cairn dev-cluster` talking to its own nodes on 127.0.0.1: one request per
/// connection (`Connection: close`), bounded by a timeout and a response size limit.
enum LoopbackHTTP {
    /// Largest response read, in bytes.
    static let responseBytesMax = 4 << 20
    /// Socket send and receive timeout, in seconds.
    static let timeoutSeconds = 5

    struct Response {
        var status: Int
        var body: String
    }

    static func request(port: Int, method: String, path: String, body: String? = nil) throws(RuntimeError) -> Response {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RuntimeError("127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        let payload = Array((body ?? "").utf8)
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nContent-Length: \(payload.count)\r\n"
        if body != nil { head += "Content-Type: application/json\r\n" }
        let bytes = Array((head + "\r\n").utf8) + payload
        var sent = 0
        while sent < bytes.count {
            let wrote = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard wrote > 0 else { throw RuntimeError("127.0.0.1:\(port): send failed") }
            sent += wrote
        }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while response.count <= responseBytesMax {
            let read = recv(fd, &buffer, buffer.count, 0)
            if read == 0 { break }
            guard read > 0 else { throw RuntimeError("127.0.0.1:\(port): no answer within \(timeoutSeconds) s") }
            response += buffer[0..<read]
        }
        return try parse(response, port: port)
    }

    private static func parse(_ bytes: [UInt8], port: Int) throws(RuntimeError) -> Response {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { throw RuntimeError("127.0.0.1:\(port): malformed HTTP response") }
        let statusLine = text[..<headEnd.lowerBound].split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw RuntimeError("127.0.0.1:\(port): malformed status line") }
        return Response(status: status, body: String(text[headEnd.upperBound...]))
    }

    /// `preferred` when it is free on 127.0.0.1 a moment ago, else any free port (bound, then closed).
    static func freePort(preferring preferred: Int) throws(RuntimeError) -> Int {
        if let port = try? freePort(binding: preferred) { return port }
        return try freePort(binding: 0)
    }

    private static func freePort(binding port: Int) throws(RuntimeError) -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RuntimeError("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw RuntimeError("no free port on 127.0.0.1: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Prints `line` and flushes standard output at once, so a parent reading through a pipe sees it.
func printFlushed(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

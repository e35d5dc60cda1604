import Foundation

/// A raw TCP connection to 127.0.0.1 for the hostile-client tests: it sends arbitrary bytes (whole, in single
/// bytes with delays, or partly), tolerating a server that answers and closes early, and reads whatever comes
/// back until the server closes or `readSecondsMax` passes. Closed by `close()` or `deinit`.
final class RawConnection {
    /// Longest one read waits for more bytes.
    static let readSecondsMax = 10
    /// Most bytes kept of an answer.
    static let answerBytesMax = 4 << 20

    private var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestHTTPClient.Failure(description: "socket failed") }
        var timeout = timeval(tv_sec: Self.readSecondsMax, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Foundation.close(fd)
            throw TestHTTPClient.Failure(description: "connect to 127.0.0.1:\(port) failed")
        }
    }

    /// Makes each later read wait at most `seconds` for more bytes.
    func setReadTimeout(seconds: Int, microseconds: Int = 0) {
        var timeout = timeval(tv_sec: seconds, tv_usec: .init(microseconds))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends `bytes`; false when the server closed (or reset) the connection before all went out.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let wrote = bytes[sent...].withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard wrote > 0 else { return false }
            sent += wrote
        }
        return true
    }

    /// Sends `bytes` one at a time, `delayMicroseconds` apart; false when the server closed first.
    @discardableResult
    func sendSlowly(_ bytes: [UInt8], delayMicroseconds: UInt32) -> Bool {
        for byte in bytes {
            guard send([byte]) else { return false }
            usleep(delayMicroseconds)
        }
        return true
    }

    /// Everything the server sends until it closes the connection, a read fails (a reset) or times out;
    /// `closed` says whether the server closed (end of stream or reset) rather than went quiet.
    func readToEnd() -> (bytes: [UInt8], closed: Bool) {
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while answer.count < Self.answerBytesMax {
            let read = recv(fd, &buffer, buffer.count, 0)
            if read == 0 { return (answer, true) }
            if read < 0 { return (answer, errno != EAGAIN && errno != EWOULDBLOCK) }
            answer += buffer[0..<read]
        }
        return (answer, false)
    }

    /// The status code of the first response in `bytes`, if it starts with one.
    static func status(of bytes: [UInt8]) -> Int? {
        let line = String(decoding: bytes.prefix(64), as: UTF8.self)
        guard line.hasPrefix("HTTP/1.1 ") else { return nil }
        return Int(line.dropFirst("HTTP/1.1 ".count).prefix(3))
    }

    func close() {
        guard fd >= 0 else { return }
        Foundation.close(fd)
        fd = -1
    }

    deinit { close() }
}

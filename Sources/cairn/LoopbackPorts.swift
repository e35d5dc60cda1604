#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Ports on 127.0.0.1 for `cairn dev-cluster`'s nodes (their HTTP calls go through `CairnClient`).
enum LoopbackPorts {
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

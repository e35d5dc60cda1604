import Foundation
import Testing

/// The client and admin commands' usage errors (exit 64 with the usage) and a node that is not there (exit 1,
/// one `error:` line naming the address).
@Suite("cairn: client and admin commands")
struct ClientCommandTests {
    @Test(
        "bad usage exits 64 naming the problem",
        arguments: [
            (["get", "t"], "Missing expected argument '<key>'"),
            (["get", "t", ""], "KEY is empty"),
            (["get", "t", "k", "--r", "0"], "--r must be within 1…7, not 0"),
            (["put", "t", "k"], "give the VALUE or --file FILE"),
            (["put", "t", "k", "v", "--file", "/etc/hostname"], "give either the VALUE or --file FILE, not both"),
            (["put", "t", "k", "v", "--context", "not base64!"], "--context is not base64"),
            (["delete", "t", "k", "--w", "8"], "--w must be within 1…7, not 8"),
            (["table", "create", "x", "--engine", "paper"], "--engine must be one of memory, lmdb, leveldb, rocksdb, not 'paper'"),
            (["table", "create", "x", "--engine", "lmdb", "--policy", "newest"], "--policy must be one of siblings, lww"),
            (["table", "create", "x"], "Missing expected argument '--engine <engine>'"),
            (["admin", "join"], "Missing expected argument '<name>'"),
            (["admin", "status", "--node", "https://127.0.0.1:8080"], "only http:// is supported, not https://"),
            (["table", "list", "--node", "http://127.0.0.1:8080/x"], "must have no path or query"),
            (["admin", "ring", "--timeout-seconds", "0"], "--timeout-seconds must be within"),
        ])
    func badUsage(arguments: [String], message: String) throws {
        let run = try CairnProcess.run(arguments)
        #expect(run.status == 64, "\(arguments): \(run.standardError)")
        #expect(run.standardError.contains(message), "\(arguments): \(run.standardError)")
        #expect(run.standardError.contains("Usage:") || run.standardError.contains("USAGE:"), "\(arguments)")
    }

    @Test(
        "a node that is not listening: one error line naming the address, exit 1, no usage",
        arguments: [["get", "t", "k"], ["put", "t", "k", "v"], ["table", "list"], ["admin", "status"], ["admin", "transfers"]])
    func connectionRefused(arguments: [String]) throws {
        let address = "http://127.0.0.1:\(try Self.closedPort())"
        let run = try CairnProcess.run(arguments + ["--node", address])
        #expect(run.status == 1, "\(arguments): \(run.standardError)")
        #expect(run.standardError == "error: cannot connect to \(address): connection refused\n", "\(arguments)")
        #expect(run.standardOutput.isEmpty)
    }

    @Test("--file that cannot be read is a run-time error naming it, before any connection")
    func unreadableFile() throws {
        let run = try CairnProcess.run(["put", "t", "k", "--file", "/nonexistent/value", "--node", "http://127.0.0.1:1"])
        #expect(run.status == 1)
        #expect(run.standardError == "error: --file /nonexistent/value: cannot read it (missing, a directory or unreadable)\n")
    }

    /// A port on 127.0.0.1 where nothing listens: bound to an ephemeral port, then closed.
    static func closedPort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(socketFD, socketAddress, length) == 0 && getsockname(socketFD, socketAddress, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

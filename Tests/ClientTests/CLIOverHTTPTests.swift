import CairnClient
import CairnCore
import CairnReplication
import CairnTestSupport
import Foundation
import Hummingbird
import Testing

/// The built `cairn` client commands against a live API: what they print (as the README shows it), and the
/// one-line error of an admin route the node does not serve.
@Suite struct CLIOverHTTPTests {
    /// Runs `cairn <arguments> --node <client's node>` to its end (at most `secondsMax`); its status, stdout and stderr.
    static func cairn(_ arguments: [String], node: NodeAddress, secondsMax: Double = 60) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltExecutable.path())
        process.arguments = arguments + ["--node", node.description]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = ContinuousClock.now + .seconds(secondsMax)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (process.terminationStatus, stdout, stderr)
    }

    @Test("get prints each sibling and the context; put sends that context; delete and not found print their words")
    func keyCommands() async throws {
        let node = RecordingNode()
        await node.script { request in
            switch request.operation {
            case .get where request.key == Array("cart".utf8):
                .values(id: request.id, values: [Array("milk".utf8), [0x65, 0x67, 0x67, 0x0A, 0xFF]], context: Contexts.bytes(2))
            case .get: .values(id: request.id, values: [], context: Contexts.bytes(3))
            case .put, .delete: .written(id: request.id)
            }
        }
        let context = Contexts.base64(2)
        try await LiveServer.withAPI(node) { client, _ in
            let get = try await Self.cairn(["get", "default", "cart"], node: client.address)
            #expect(get.0 == 0, "\(get.2)")
            #expect(get.1 == "2 siblings:\n  1: milk\n  2: egg\\n\\xFF\ncontext: \(context)\n")
            let base64 = try await Self.cairn(["get", "default", "cart", "--base64"], node: client.address)
            #expect(base64.1 == "2 siblings:\n  1: bWlsaw==\n  2: ZWdnCv8=\ncontext: \(context)\n")
            let put = try await Self.cairn(["put", "default", "cart", "milk,eggs", "--context", context, "--w", "2"], node: client.address)
            #expect(put.0 == 0 && put.1 == "written\n", "\(put.2)")
            let gone = try await Self.cairn(["get", "default", "gone"], node: client.address)
            #expect(gone.1 == "not found\ncontext: \(Contexts.base64(3))  (a tombstone's)\n")
            let delete = try await Self.cairn(["delete", "default", "cart", "--context", context], node: client.address)
            #expect(delete.0 == 0 && delete.1 == "deleted\n", "\(delete.2)")
        }
        let writes = await node.requests.filter { $0.operation != .get }
        #expect(writes.map(\.operation) == [
            .put(value: Array("milk,eggs".utf8), context: Contexts.bytes(2)), .delete(context: Contexts.bytes(2)),
        ])
        #expect(writes.first?.options.writeQuorum == 2)
    }

    @Test("a server error and an admin refusal are each one error line and exit 1")
    func errors() async throws {
        let node = RecordingNode()
        await node.script { .failed(id: $0.id, error: .timeout(needed: 2, got: 1)) }
        try await LiveServer.withAPI(node) { client, _ in
            let get = try await Self.cairn(["get", "default", "k"], node: client.address)
            #expect(get.0 == 1 && get.1.isEmpty)
            #expect(get.2 == "error: server answered 503: quorum not reached in time: 1 of 2 replicas answered\n")
            let join = try await Self.cairn(["admin", "join", "n9"], node: client.address)
            #expect(join.0 == 1 && join.1.isEmpty)
            #expect(join.2 == "error: server answered 400: no node named 'n9' is known\n")
        }
    }

    @Test("table create, table list and admin status print readably")
    func tablesAndStatus() async throws {
        try await LiveServer.withAPI(RecordingNode()) { client, _ in
            let create = try await Self.cairn(["table", "create", "default", "--engine", "lmdb", "--n", "3"], node: client.address)
            #expect(create.1 == "table default: engine lmdb, n 3, r 2, w 2, policy siblings, durability sync\n", "\(create.2)")
            let list = try await Self.cairn(["table", "list"], node: client.address)
            #expect(list.1 == "no tables\n")
            let status = try await Self.cairn(["admin", "status"], node: client.address)
            #expect(status.1 == """
                node: n1
                ring: epoch 7, 4 partitions
                members:
                  name  zone  health
                  n1    a     alive
                  n2    -     suspect
                hints pending: 5
                storage errors: 1
                transfers:
                  table  partition  from  to  keys sent
                  t      2          n1    n2  40 of 100

                """, "\(status.2)")
        }
    }

    @Test("admin ring, plan, commit and transfers print the contract's answers as small tables")
    func adminCommands() async throws {
        try await LiveServer.with(ClientAdminTests.scriptedAdmin()) { client, _ in
            let ring = try await Self.cairn(["admin", "ring"], node: client.address)
            #expect(ring.1 == """
                epoch 3, 4 partitions
                node  status   zone  partitions
                n1    joined   a     3
                n2    joining  b     1

                """, "\(ring.2)")
            let join = try await Self.cairn(["admin", "join", "n4"], node: client.address)
            #expect(join.1 == "staged:\n  join n4\n")
            let plan = try await Self.cairn(["admin", "plan"], node: client.address)
            #expect(plan.1 == """
                staged:
                  join n4
                moves: 1 (partitions that change owner; their other replicas follow, and `cairn admin transfers` lists every transfer)
                  table    partition  from  to
                  default  5          n1    n4

                """, "\(plan.2)")
            let commit = try await Self.cairn(["admin", "commit"], node: client.address)
            #expect(commit.1 == "committed: epoch 4, 1 partition moves (owners; `cairn admin transfers` shows every replica transfer)\n")
            let transfers = try await Self.cairn(["admin", "transfers"], node: client.address)
            #expect(transfers.1 == """
                outgoing:
                  table    partition  from  to  state    keys sent  bytes sent
                  default  5          n1    n4  sending  120        4096
                incoming:
                  table    partition  from  to  state      keys received  bytes received
                  default  9          n2    n1  receiving  30             1024

                """, "\(transfers.2)")
        }
    }
}

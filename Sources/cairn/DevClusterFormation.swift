import CairnClient
import Foundation

/// Forms a dev cluster over HTTP once its nodes run: waits for every node to answer and for the first to have
/// heard of all through gossip, stages their joins, commits, waits for the ring everywhere, then creates the
/// table `default` and waits until every node serves it. Every wait is bounded by `deadline`.
struct DevClusterFormation {
    let members: [DevClusterMember]
    let deadline: Date

    /// Longest one call to a forming node may take.
    static let callTimeoutSeconds = 5.0

    private var first: Int { members[0].httpPort }

    /// Runs one call against the node serving HTTP on `port` (127.0.0.1).
    private func call<T: Sendable>(
        _ port: Int, _ body: @escaping @Sendable (CairnClient) async throws(CairnClientError) -> T
    ) throws -> T {
        let client = try CairnClient(
            address: NodeAddress(host: "127.0.0.1", port: port), limits: ClientLimits(requestTimeoutSeconds: Self.callTimeoutSeconds))
        return try ClientOptions.call(client, body)
    }

    func form() throws {
        for member in members {
            try wait("\(member.name) to answer") { (try? call(member.httpPort) { client throws(CairnClientError) in try await client.status() }) != nil }
        }
        try wait("\(members[0].name) to hear of every node") {
            ((try? call(first) { client throws(CairnClientError) in try await client.ring() })?.members.count ?? 0) >= members.count
        }
        // The first node founds the ring with itself; every other node gossiped in as `joining`.
        for member in members.dropFirst() {
            let name = member.name
            _ = try call(first) { client throws(CairnClientError) in try await client.join(name) }
        }
        guard members.count > 1 else { return try createTable() }
        let epoch = try call(first) { client throws(CairnClientError) in try await client.commit() }.epoch
        printFlushed("  ring committed at epoch \(epoch)")
        for member in members {
            try wait("\(member.name) to route by epoch \(epoch)") {
                ((try? call(member.httpPort) { client throws(CairnClientError) in try await client.ring() })?.epoch ?? 0) >= epoch
            }
        }
        try createTable()
    }

    /// Creates `default` on the first node and waits until every node serves it.
    private func createTable() throws {
        let replicas = min(3, members.count)
        let quorum = min(2, replicas)
        let table = TableSettingsRequest(engine: "lmdb", n: replicas, r: quorum, w: quorum, policy: "siblings", durability: "sync")
        _ = try call(first) { client throws(CairnClientError) in try await client.createTable("default", table) }
        for member in members {
            try wait("\(member.name) to serve table 'default'") {
                (try? call(member.httpPort) { client throws(CairnClientError) in try await client.tables() })?.contains { $0.name == "default" } == true
            }
        }
    }

    private func wait(_ what: String, until condition: () -> Bool) throws {
        while !condition() {
            guard Date() < deadline else { throw RuntimeError("timed out waiting for \(what); see the nodes' logs") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }
}

import Foundation

/// Forms a dev cluster over HTTP once its nodes run: waits for every node to answer and for the first to have
/// heard of all through gossip, stages their joins, commits, waits for the ring everywhere, then creates the
/// table `default` and waits until every node serves it. Every wait is bounded by `deadline`.
struct DevClusterFormation {
    let members: [DevClusterMember]
    let deadline: Date

    private var first: Int { members[0].httpPort }

    func form() throws {
        for member in members {
            try wait("\(member.name) to answer") { (try? LoopbackHTTP.request(port: member.httpPort, method: "GET", path: "/status"))?.status == 200 }
        }
        try wait("\(members[0].name) to hear of every node") {
            let ring = try? LoopbackHTTP.request(port: first, method: "GET", path: "/admin/ring")
            let known = (try? JSONSerialization.jsonObject(with: Data((ring?.body ?? "").utf8)) as? [String: Any])?["members"] as? [Any]
            return (known?.count ?? 0) >= members.count
        }
        // The first node founds the ring with itself; every other node gossiped in as `joining`.
        for member in members.dropFirst() {
            let staged = try LoopbackHTTP.request(port: first, method: "POST", path: "/admin/join", body: #"{"node": "\#(member.name)"}"#)
            guard staged.status == 200 else { throw RuntimeError("join of \(member.name) refused: \(staged.body)") }
        }
        let commit = members.count == 1 ? nil : try LoopbackHTTP.request(port: first, method: "POST", path: "/admin/commit")
        guard let commit else { return try createTable() }
        guard commit.status == 200, let epoch = Self.int("epoch", in: commit.body) else { throw RuntimeError("commit refused: \(commit.body)") }
        printFlushed("  ring committed at epoch \(epoch)")
        for member in members {
            try wait("\(member.name) to route by epoch \(epoch)") {
                let ring = try? LoopbackHTTP.request(port: member.httpPort, method: "GET", path: "/admin/ring")
                return (ring.flatMap { Self.int("epoch", in: $0.body) } ?? 0) >= epoch
            }
        }
        try createTable()
    }

    /// Creates `default` on the first node and waits until every node serves it.
    private func createTable() throws {
        let replicas = min(3, members.count)
        let quorum = min(2, replicas)
        let table = #"{"engine": "lmdb", "n": \#(replicas), "r": \#(quorum), "w": \#(quorum), "policy": "siblings", "durability": "sync"}"#
        let created = try LoopbackHTTP.request(port: first, method: "PUT", path: "/tables/default", body: table)
        guard created.status == 200 else { throw RuntimeError("table 'default' not created: \(created.body)") }
        for member in members {
            try wait("\(member.name) to serve table 'default'") {
                (try? LoopbackHTTP.request(port: member.httpPort, method: "GET", path: "/tables").body.contains(#""name":"default""#)) == true
            }
        }
    }

    private func wait(_ what: String, until condition: () -> Bool) throws {
        while !condition() {
            guard Date() < deadline else { throw RuntimeError("timed out waiting for \(what); see the nodes' logs") }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    static func int(_ key: String, in json: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?[key] as? Int
    }
}

import Foundation
import Testing

/// Three `cairn server` processes on 127.0.0.1 (through `cairn dev-cluster`), driven over HTTP.
@Suite("Cluster processes", .serialized)
struct ClusterProcessTests {
    static func put(_ port: Int, _ key: String, _ value: String, context: String? = nil) throws -> Int {
        try TestHTTPClient.send(
            port: port, "PUT", "/tables/default/keys/\(key)", body: Array(value.utf8),
            headers: context.map { ["X-Cairn-Context": $0] } ?? [:]
        ).status
    }

    @Test("a write on every node is read back on every node; concurrent writes give a 300 that a write with its context resolves; a table created on one node is usable on all")
    func writeReadAndSiblings() throws {
        let cluster = try DevClusterHarness()
        defer { cluster.stop() }
        for node in cluster.nodes {
            #expect(try Self.put(node.port, "key-\(node.name)", "value of \(node.name)") == 204)
        }
        for reader in cluster.nodes {
            for writer in cluster.nodes {
                let read = try TestHTTPClient.send(port: reader.port, "GET", "/tables/default/keys/key-\(writer.name)")
                #expect(read.status == 200)
                #expect(read.text == "value of \(writer.name)")
                #expect(read.headers["x-cairn-context"] != nil)
            }
        }
        #expect(try Self.put(cluster.nodes[0].port, "conflict", "left") == 204)
        #expect(try Self.put(cluster.nodes[1].port, "conflict", "right") == 204)
        let siblings = try TestHTTPClient.send(port: cluster.nodes[2].port, "GET", "/tables/default/keys/conflict")
        #expect(siblings.status == 300)
        let json = try JSONSerialization.jsonObject(with: Data(siblings.body)) as? [String: Any]
        let values = Set(((json?["siblings"] as? [[String: Any]]) ?? []).compactMap { $0["value_base64"] as? String })
        #expect(values == [Data("left".utf8).base64EncodedString(), Data("right".utf8).base64EncodedString()])
        let context = try #require(siblings.headers["x-cairn-context"])
        #expect(try Self.put(cluster.nodes[2].port, "conflict", "merged", context: context) == 204)
        for node in cluster.nodes {
            let read = try TestHTTPClient.send(port: node.port, "GET", "/tables/default/keys/conflict")
            #expect(read.status == 200)
            #expect(read.text == "merged")
        }
        // A table created on one node is usable on all of them, through the gossiped catalog.
        let created = try TestHTTPClient.send(
            port: cluster.nodes[1].port, "PUT", "/tables/carts", body: Array(#"{"engine": "memory", "n": 3, "r": 2, "w": 2}"#.utf8))
        #expect(created.status == 201 || created.status == 200 || created.status == 204, "\(created.status) \(created.text)")
        for node in cluster.nodes {
            let listed = CairnProcess.poll(secondsMax: 20) {
                ((TestHTTPClient.json(port: node.port, "/tables")?["tables"] as? [[String: Any]]) ?? []).contains { $0["name"] as? String == "carts" }
            }
            #expect(listed, "\(node.name) does not list the table carts")
        }
        let cartWrite = try TestHTTPClient.send(port: cluster.nodes[2].port, "PUT", "/tables/carts/keys/alice", body: Array("2 apples".utf8))
        #expect(cartWrite.status == 204, "\(cartWrite.text)")
        for node in cluster.nodes {
            let read = try TestHTTPClient.send(port: node.port, "GET", "/tables/carts/keys/alice")
            #expect(read.status == 200 && read.text == "2 apples", "\(node.name): \(read.status) \(read.text)")
        }
        cluster.stop()
        #expect(cluster.cluster.standardError.contains("cairn dev-cluster: stopping 3 node(s)"), "\(cluster.cluster.standardError)")
        for node in cluster.nodes {
            #expect(CairnProcess.processes(mentioning: "--name \(node.name) ").contains(node.pid) == false, "\(node.name) still runs")
        }
    }

    static func hintsPending(_ port: Int) -> Int? {
        let status = try? TestHTTPClient.send(port: port, "GET", "/status")
        return status.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] }?["hints_pending"] as? Int
    }

    /// Four nodes, so that with N=3 a fallback exists to hold the killed node's writes as hints.
    @Test("kill -9 one node under writes at W=2: writing goes on, the restarted node gets its hints, every acknowledged write is readable")
    func killOneNodeUnderLoad() throws {
        let cluster = try DevClusterHarness(nodes: 4)
        defer { cluster.stop() }
        let victim = cluster.nodes[2]
        let writers = cluster.nodes.filter { $0.name != victim.name }
        var acknowledged: [String] = []
        var hintsSeen = 0
        for index in 0..<150 {
            if index == 30 { kill(victim.pid, SIGKILL) }
            let key = "load-\(index)"
            if (try? Self.put(writers[index % writers.count].port, key, "v\(index)")) == 204 { acknowledged.append(key) }
            if index % 10 == 9 { hintsSeen = max(hintsSeen, writers.compactMap { Self.hintsPending($0.port) }.reduce(0, +)) }
        }
        #expect(acknowledged.count >= 120, "writes at W=2 go on while one of four nodes is down")
        #expect(hintsSeen > 0, "the killed node's writes are held as hints by fallbacks")
        try cluster.restart(victim)
        let answers = CairnProcess.poll(secondsMax: 30) { (try? TestHTTPClient.send(port: victim.port, "GET", "/status"))?.status == 200 }
        #expect(answers, "the restarted node serves")
        let drained = CairnProcess.poll(secondsMax: 60) { writers.allSatisfy { Self.hintsPending($0.port) == 0 } }
        #expect(drained, "every hint held for the killed node was delivered")
        for key in acknowledged {
            let read = try TestHTTPClient.send(port: victim.port, "GET", "/tables/default/keys/\(key)?r=3")
            #expect(read.status == 200, "\(key) after the restart, with every replica answering")
            #expect(read.text == "v\(key.dropFirst("load-".count))")
        }
    }
}

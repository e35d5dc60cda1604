import Foundation
import Testing

/// A cluster changing under load, in processes: a fourth `cairn server` joins a three-node dev cluster through
/// `cairn admin join|plan|commit` while writers write at W=2, and receives its partitions; then an original node
/// leaves the same way, hands its partitions off and is stopped. No acknowledged write is lost. Part of the
/// serialized `ClusterProcessTests` suite: two dev clusters starting at once would race for the same ports.
extension ClusterProcessTests {
    /// Longest the transfers of one membership change may take to finish.
    static let transfersSecondsMax = 90.0

    /// `cairn admin <arguments> --node http://127.0.0.1:port`, which must exit 0; its output.
    static func admin(_ arguments: [String], port: Int) throws -> String {
        let run = try CairnProcess.run(["admin"] + arguments + ["--node", "http://127.0.0.1:\(port)", "--timeout-seconds", "20"])
        guard run.status == 0 else {
            throw CairnProcess.TimedOut(what: "cairn admin \(arguments) to succeed: \(run.standardError)", seconds: 0)
        }
        return run.standardOutput
    }

    /// Every transfer listed by the nodes at `ports`, outgoing and incoming, or nil when one does not answer.
    static func transfers(_ ports: [Int]) -> (outgoing: [[String: Any]], incoming: [[String: Any]])? {
        var outgoing: [[String: Any]] = []
        var incoming: [[String: Any]] = []
        for port in ports {
            guard let json = TestHTTPClient.json(port: port, "/admin/transfers"),
                let sent = json["transfers"] as? [[String: Any]], let received = json["incoming"] as? [[String: Any]]
            else { return nil }
            outgoing += sent
            incoming += received
        }
        return (outgoing, incoming)
    }

    /// Whether every node at `ports` routes by `epoch` or later, and every transfer any of them lists is done on
    /// both sides, with more transfers than `before`.
    static func settled(_ ports: [Int], epoch: Int, before: Int) -> Bool {
        let epochs = ports.map { (TestHTTPClient.json(port: $0, "/status")?["ring"] as? [String: Any])?["epoch"] as? Int ?? -1 }
        guard epochs.allSatisfy({ $0 >= epoch }), let all = transfers(ports) else { return false }
        return all.outgoing.count > before && all.outgoing.count == all.incoming.count
            && (all.outgoing + all.incoming).allSatisfy { $0["state"] as? String == "done" }
    }

    /// The partitions `node` owns in the ring of the node serving HTTP on `port`, or nil.
    static func partitions(of node: String, atNodeOn port: Int) -> Int? {
        let members = TestHTTPClient.json(port: port, "/admin/ring")?["members"] as? [[String: Any]]
        return members?.first { $0["node"] as? String == node }?["partitions"] as? Int
    }

    /// The epoch in `committed: epoch E, M partition moves (…)`.
    static func committedEpoch(_ output: String) -> Int? {
        output.range(of: "committed: epoch ").flatMap { Int(output[$0.upperBound...].prefix { $0.isNumber }) }
    }

    @Test("a fourth node joins under load and receives its partitions; an original node leaves; every acknowledged write is readable at R=2")
    func joinAndLeaveUnderLoad() throws {
        let cluster = try DevClusterHarness()
        defer { cluster.stop() }
        let first = cluster.nodes[0]
        let peerPort = try #require(first.peerPort)
        let newcomer = try ServerProcess(
            name: "node-4", dataDirectory: cluster.directory.child("node-4"), arguments: ["--seeds", "node-1@127.0.0.1:\(peerPort)"])
        defer { newcomer.stop() }
        let load = WriteLoad(writers: 3, keysPerWriter: 60, ports: cluster.nodes.map(\.port))
        load.start()
        defer { load.stop() }
        #expect(CairnProcess.poll(secondsMax: 30) { load.counts.acknowledged >= 60 }, "the load writes before the join")

        // Join: node-1 must have heard of node-4 through gossip before it can stage it.
        let heard = CairnProcess.poll(secondsMax: 30) {
            ((TestHTTPClient.json(port: first.port, "/admin/ring")?["members"] as? [[String: Any]]) ?? []).contains { $0["node"] as? String == "node-4" }
        }
        try #require(heard, "node-1 hears of node-4")
        #expect(try Self.admin(["join", "node-4"], port: first.port).contains("join node-4"))
        let joinPlan = try Self.admin(["plan"], port: first.port)
        #expect(joinPlan.contains("moves: ") && !joinPlan.contains("moves: 0"), "\(joinPlan)")
        let joinEpoch = try #require(Self.committedEpoch(try Self.admin(["commit"], port: first.port)))
        let allPorts = cluster.nodes.map(\.port) + [newcomer.port]
        let joined = CairnProcess.poll(secondsMax: Self.transfersSecondsMax) { Self.settled(allPorts, epoch: joinEpoch, before: 0) }
        try #require(joined, "the join's transfers finish: \(String(describing: Self.transfers(allPorts)))")
        let afterJoin = try #require(Self.transfers(allPorts))
        let toNewcomer = afterJoin.outgoing.filter { $0["to"] as? String == "node-4" }
        let received = try #require(Self.transfers([newcomer.port])).incoming
        #expect(!toNewcomer.isEmpty && received.count == toNewcomer.count, "every transfer to node-4 is one node-4 received")
        let keysReceived = received.compactMap { $0["keys_received"] as? Int }.reduce(0, +)
        #expect(keysReceived > 0, "node-4 now holds data: it merged \(keysReceived) keys")
        #expect((Self.partitions(of: "node-4", atNodeOn: first.port) ?? 0) > 0, "node-4 owns partitions in the ring")
        load.route(to: allPorts)
        let acknowledgedAtJoin = load.counts.acknowledged
        #expect(CairnProcess.poll(secondsMax: 30) { load.counts.acknowledged >= acknowledgedAtJoin + 30 }, "writes go on after the join")

        // Leave: node-2 hands its partitions off, then stops.
        let leaver = cluster.nodes[1]
        #expect(try Self.admin(["leave", leaver.name], port: first.port).contains("leave \(leaver.name)"))
        let leavePlan = try Self.admin(["plan"], port: first.port)
        #expect(leavePlan.contains("leave \(leaver.name)") && !leavePlan.contains("moves: 0"), "\(leavePlan)")
        let leaveEpoch = try #require(Self.committedEpoch(try Self.admin(["commit"], port: first.port)))
        let left = CairnProcess.poll(secondsMax: Self.transfersSecondsMax) {
            Self.settled(allPorts, epoch: leaveEpoch, before: afterJoin.outgoing.count)
        }
        try #require(left, "the leave's transfers finish: \(String(describing: Self.transfers(allPorts)))")
        let fromLeaver = try #require(Self.transfers([leaver.port])).outgoing.filter { $0["from"] as? String == leaver.name }
        #expect(!fromLeaver.isEmpty, "\(leaver.name) sent its partitions off")
        #expect((Self.partitions(of: leaver.name, atNodeOn: first.port) ?? -1) == 0, "\(leaver.name) owns no partition any more")
        let remaining = allPorts.filter { $0 != leaver.port }
        load.route(to: remaining)
        usleep(300_000)
        kill(leaver.pid, SIGTERM)
        #expect(CairnProcess.poll(secondsMax: 15) { !CairnProcess.processes(mentioning: "--name \(leaver.name) ").contains(leaver.pid) })
        let acknowledgedAtLeave = load.counts.acknowledged
        #expect(CairnProcess.poll(secondsMax: 30) { load.counts.acknowledged >= acknowledgedAtLeave + 30 }, "writes go on after the leave")
        #expect(load.stop(), "the writers stop")

        let records = load.keyRecords.filter { $0.value.acknowledged != nil }
        #expect(records.count >= 60, "the first 60 acknowledged writes went to distinct keys")
        var lost: [String] = []
        for (index, (key, record)) in records.sorted(by: { $0.key < $1.key }).enumerated() {
            let values = TestHTTPClient.values(port: remaining[index % remaining.count], key: key, r: 2)
            if values.map({ Set($0).isDisjoint(with: record.acceptable) }) ?? true { lost.append("\(key): read \(values ?? ["(failed)"])") }
        }
        #expect(lost.isEmpty, "acknowledged writes lost: \(lost)")
        print("join and leave under load: \(load.counts.acknowledged) writes acknowledged, \(load.counts.failed) refused, \(records.count) keys checked, \(keysReceived) keys merged by node-4")
    }
}

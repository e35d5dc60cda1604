import CairnCore
import CairnReplication
import Testing

/// The coordinator as a pure state machine: feed it events, check the directives it returns.
@Suite("Coordinator directives")
struct CoordinatorTests {
    /// Stored copies for the node under test, written by applying its persist directives.
    final class Disk: ReplicaStorageView {
        var copies: [[UInt8]: [UInt8]] = [:]
        func load(table: String, key: [UInt8]) throws -> [UInt8]? { copies[key] }
        func apply(_ directives: [Directive]) {
            for case .persist(_, let key, let data) in directives { copies[key] = data }
        }
    }

    let ring = Ring(partitionCount: 64, members: ["n1", "n2", "n3", "n4", "n5"].map { RingMember(NodeID($0)) })
    let key = Array("cart".utf8)

    func node(_ id: NodeID, table: TableSettings = TableSettings(), disk: Disk = Disk()) -> ReplicaNode {
        var node = ReplicaNode(
            configuration: NodeConfiguration(id: id, ring: ring, tables: ["t": table]), storage: disk)
        _ = node.start(now: 1_000)
        return node
    }

    var primaries: [NodeID] { ring.preferenceList(for: key, count: 3) }

    func put(_ value: String, id: UInt64 = 1, options: RequestOptions = .defaults) -> ClientRequest {
        ClientRequest(id: id, table: "t", key: key, operation: .put(value: Array(value.utf8), context: nil), options: options)
    }

    func sends(_ directives: [Directive]) -> [(NodeID, Message)] {
        directives.compactMap { if case .send(let to, let message) = $0 { (to, message) } else { nil } }
    }

    @Test("a primary persists first, then sends the write to the other primaries, then arms its timers")
    func putAtPrimary() {
        let disk = Disk()
        var coordinator = node(primaries[0], disk: disk)
        let directives = coordinator.onClientRequest(put("milk"), now: 1_000)
        guard case .persist(let table, let stored, _) = directives.first else {
            Issue.record("first directive is \(String(describing: directives.first))")
            return
        }
        #expect(table == "t" && stored == key)
        #expect(sends(directives).map(\.0) == Array(primaries.dropFirst()))
        #expect(directives.contains(.startTimer(.coordinator(.requestTimeout(RequestID(coordinator: primaries[0], start: 1, sequence: 1))), afterMilliseconds: 1_000)))
        #expect(!directives.contains { if case .reply = $0 { true } else { false } }, "W=2 needs one more ack")
        disk.apply(directives)

        let requestID = RequestID(coordinator: primaries[0], start: 1, sequence: 1)
        let acked = coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: primaries[1], now: 1_005)
        #expect(acked == [.reply(.written(id: 1))])
        #expect(coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: primaries[1], now: 1_006) == [], "duplicates are ignored")
    }

    @Test("silent replicas are replaced by a fallback holding a hint; the write times out without its quorum")
    func sloppyQuorum() {
        var coordinator = node(primaries[0], table: TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 3))
        _ = coordinator.onClientRequest(put("milk"), now: 1_000)
        let requestID = RequestID(coordinator: primaries[0], start: 1, sequence: 1)
        let replaced = coordinator.onTimer(.coordinator(.replicaTimeout(requestID)), now: 1_100)
        let hinted = sends(replaced).compactMap { to, message -> NodeID? in
            if case .replica(.put(_, _, _, _, let owner?)) = message { return owner } else { return nil }
        }
        #expect(Set(hinted) == Set(primaries.dropFirst()))
        #expect(sends(replaced).allSatisfy { !primaries.contains($0.0) }, "hints go to fallbacks")
        #expect(coordinator.suspected == Set(primaries.dropFirst()))
        let failed = coordinator.onTimer(.coordinator(.requestTimeout(requestID)), now: 2_000)
        #expect(failed == [.reply(.failed(id: 1, error: .timeout(needed: 3, got: 1)))])
    }

    @Test("PW counts only primaries: acks from fallbacks do not satisfy it")
    func primaryWriteQuorum() {
        var coordinator = node(primaries[0])
        _ = coordinator.onClientRequest(put("milk", options: RequestOptions(primaryWriteQuorum: 2)), now: 1_000)
        let requestID = RequestID(coordinator: primaries[0], start: 1, sequence: 1)
        let replaced = sends(coordinator.onTimer(.coordinator(.replicaTimeout(requestID)), now: 1_100))
        let fallback = replaced[0].0
        #expect(coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: fallback, now: 1_110) == [])
        #expect(coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: primaries[2], now: 1_120) == [.reply(.written(id: 1))])
    }

    @Test("a primary and its stand-in are one copy: their two acks do not make two of W")
    func standInAndPrimaryCountOnce() {
        var coordinator = node(primaries[0], table: TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 3))
        _ = coordinator.onClientRequest(put("milk"), now: 1_000)
        let requestID = RequestID(coordinator: primaries[0], start: 1, sequence: 1)
        let standIns = sends(coordinator.onTimer(.coordinator(.replicaTimeout(requestID)), now: 1_100)).compactMap { to, message -> (NodeID, NodeID)? in
            if case .replica(.put(_, _, _, _, let owner?)) = message { (owner, to) } else { nil }
        }
        let standIn = Dictionary(uniqueKeysWithValues: standIns)
        guard let forFirst = standIn[primaries[1]], let forSecond = standIn[primaries[2]] else {
            Issue.record("both silent primaries get a stand-in: \(standIns)")
            return
        }
        // The late primary acknowledges, and so does its stand-in (which may hand its hint over and delete it):
        // still only two copies, the coordinator's and primaries[1]'s, of the three W asks for.
        #expect(coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: primaries[1], now: 1_110) == [])
        #expect(coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: forFirst, now: 1_120) == [], "not a third copy")
        #expect(coordinator.onMessage(.coordinator(.putAck(id: requestID)), from: forSecond, now: 1_130) == [.reply(.written(id: 1))])
    }

    /// Reads count answers, not replica positions (`QuorumCounting.answers`): a stand-in may hold hints its
    /// primary lacks. This pins the read side of the one `QuorumRequest` both coordinators share.
    @Test("a read counts a primary's and its stand-in's answers as two of R")
    func readCountsStandInAnswers() {
        var coordinator = node(primaries[0], table: TableSettings(replicas: 3, readQuorum: 3, writeQuorum: 2))
        let get = ClientRequest(id: 5, table: "t", key: key, operation: .get)
        _ = coordinator.onClientRequest(get, now: 1_000)
        let requestID = RequestID(coordinator: primaries[0], start: 1, sequence: 1)
        let asked = sends(coordinator.onTimer(.coordinator(.replicaTimeout(requestID)), now: 1_100)).map(\.0)
        guard asked.count == 2, let standIn = asked.first else {
            Issue.record("both silent primaries get a stand-in: \(asked)")
            return
        }
        #expect(coordinator.onMessage(.coordinator(.getReply(id: requestID, data: nil)), from: primaries[1], now: 1_110) == [])
        let answered = coordinator.onMessage(.coordinator(.getReply(id: requestID, data: nil)), from: standIn, now: 1_120)
        #expect(answered.first == .reply(.values(id: 5, values: [], context: CausalContext.encode(.empty))))
    }

    @Test("bad requests get a typed error naming the limit or the problem")
    func badRequests() {
        var coordinator = node(primaries[0])
        let unknown = ClientRequest(id: 7, table: "nope", key: key, operation: .get)
        #expect(coordinator.onClientRequest(unknown, now: 1_000) == [.reply(.failed(id: 7, error: .unknownTable("nope")))])
        let longKey = ClientRequest(id: 8, table: "t", key: Array(repeating: 1, count: 600), operation: .get)
        #expect(coordinator.onClientRequest(longKey, now: 1_000) == [.reply(.failed(id: 8, error: .keyInvalid(bytes: 600, limit: ReplicationLimits.keyBytesMax)))])
        let big = ClientRequest(id: 9, table: "t", key: key, operation: .put(value: Array(repeating: 0, count: ReplicationLimits.valueBytesMax + 1), context: nil))
        #expect(coordinator.onClientRequest(big, now: 1_000) == [.reply(.failed(id: 9, error: .valueTooLarge(bytes: ReplicationLimits.valueBytesMax + 1, limit: ReplicationLimits.valueBytesMax)))])
        let quorum = ClientRequest(id: 10, table: "t", key: key, operation: .get, options: RequestOptions(readQuorum: 4))
        #expect(coordinator.onClientRequest(quorum, now: 1_000) == [.reply(.failed(id: 10, error: .quorumInvalid("R is 4, must be 1…N (3)")))])
        let context = ClientRequest(id: 11, table: "t", key: key, operation: .delete(context: [0xFF, 0x00]))
        guard case .reply(.failed(11, .corruptReplicaData))? = coordinator.onClientRequest(context, now: 1_000).first else {
            Issue.record("a garbled context is refused")
            return
        }
    }

    @Test("a hint is dropped only when its owner acknowledges the very data held")
    func hintLifecycle() {
        var holder = node("n5")
        let write = Message.replica(.put(id: RequestID(coordinator: "n1", start: 1, sequence: 1), table: "t", key: key,
            data: SiblingSetCodec.encode(try! SiblingSet.empty.applying(write: [1], tombstone: false, dot: Dot("n1", 1),
                context: .empty, timestampMilliseconds: 1, policy: .siblings)), hintFor: "n2"))
        let stored = holder.onMessage(write, from: "n1", now: 1_000)
        guard case .persistHint(let hint) = stored.first else {
            Issue.record("the hint is persisted before the ack")
            return
        }
        #expect(stored.last == .send(to: "n1", .coordinator(.putAck(id: RequestID(coordinator: "n1", start: 1, sequence: 1)))))
        let offered = holder.onTimer(.hints(.delivery), now: 1_200)
        #expect(offered.first == .send(to: "n2", .hints(.delivery(table: "t", key: key, data: hint.data))))
        #expect(holder.onMessage(.hints(.ack(table: "t", key: key, data: [9])), from: "n2", now: 1_210) == [], "a stale ack keeps the hint")
        #expect(holder.onMessage(.hints(.ack(table: "t", key: key, data: hint.data)), from: "n2", now: 1_220) == [.removeHint(hint.slot)])
        #expect(holder.hints.isEmpty)
    }

    @Test("a node that is not a primary pings the primaries, forwards to the first that answers, once, and coordinates itself when none answers")
    func forwarding() {
        let outsider = ring.members.map(\.id).first { !primaries.contains($0) }!
        var node = node(outsider)
        let forwardID = RequestID(coordinator: outsider, start: 1, sequence: 1)
        let pinged = node.onClientRequest(put("milk", id: 42), now: 1_000)
        #expect(sends(pinged).map(\.0) == primaries && sends(pinged).allSatisfy { $0.1 == .coordinator(.ping(id: forwardID)) })
        #expect(!pinged.contains { if case .persist = $0 { true } else { false } }, "an outsider stores nothing")
        let taken = node.onMessage(.coordinator(.pong(id: forwardID)), from: primaries[1], now: 1_002)
        #expect(sends(taken).map(\.0) == [primaries[1]] && sends(taken).first?.1 == .coordinator(.coordinate(id: forwardID, request: put("milk", id: 42))))
        #expect(node.onMessage(.coordinator(.pong(id: forwardID)), from: primaries[0], now: 1_050) == [], "later answers are ignored")
        #expect(node.onTimer(.coordinator(.forwardTimeout(forwardID)), now: 1_100) == [] && node.suspected.isEmpty, "asked 98 ms ago")
        #expect(node.onTimer(.coordinator(.forwardTimeout(forwardID)), now: 1_102) == [], "no retry elsewhere: that could apply the write twice")
        #expect(node.suspected == [primaries[1]])

        // A primary heard from within replicaTimeout is sent the write at once.
        let direct = node.onClientRequest(put("more", id: 43), now: 1_110)
        #expect(sends(direct).map(\.0) == [primaries[0]])

        // None answers: all are suspected at once, and the node coordinates the write itself, with hints.
        let silent = node.onClientRequest(put("tea", id: 44), now: 1_300)
        let third = RequestID(coordinator: outsider, start: 1, sequence: 3)
        #expect(Set(sends(silent).map(\.0)) == Set([primaries[0], primaries[2]]))
        let itself = node.onTimer(.coordinator(.forwardTimeout(third)), now: 1_400)
        #expect(node.suspected == Set(primaries))
        let writers = sends(itself).compactMap { _, message -> String? in
            guard case .replica(.put(_, _, _, let data, let owner)) = message, owner != nil else { return nil }
            return try? SiblingSetCodec.decode(data).siblings.first?.dot.node.name
        }
        #expect(!writers.isEmpty && writers.allSatisfy { $0 == "\(outsider)/1/s1.1" }, "the one-shot actor, with hints: \(writers)")
        let expired = node.onTimer(.coordinator(.forwardExpired(forwardID)), now: 2_500)
        #expect(expired == [.reply(.failed(id: 42, error: .timeout(needed: 1, got: 0)))])

        var primary = self.node(primaries[0])
        let accepted = primary.onMessage(.coordinator(.coordinate(id: forwardID, request: put("milk", id: 42))), from: outsider, now: 1_000)
        #expect(accepted.first == .send(to: outsider, .coordinator(.coordinateAccepted(id: forwardID))))
        #expect(accepted.contains { if case .persist = $0 { true } else { false } })
        let again = primary.onMessage(.coordinator(.coordinate(id: forwardID, request: put("milk", id: 42))), from: outsider, now: 1_001)
        #expect(again == [.send(to: outsider, .coordinator(.coordinateAccepted(id: forwardID)))], "a duplicate is acknowledged, not applied")
        let answer = primary.onMessage(.coordinator(.putAck(id: RequestID(coordinator: primaries[0], start: 1, sequence: 1))), from: primaries[1], now: 1_010)
        #expect(answer == [.send(to: outsider, .coordinator(.coordinated(id: forwardID, reply: .written(id: 42))))])
    }
}

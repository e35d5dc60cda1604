import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import CairnWire
import Testing

/// Every `NodeMessage` case survives encode → decode; truncated, padded and random payloads get a `PayloadError`.
@Suite("NodeMessage codec")
struct NodeMessageCodecTests {
    let codec = NodeMessageCodec()

    static let id = RequestID(coordinator: "node-a", start: 3, sequence: 1 << 40)
    static let transfer = Transfer.ID(table: "default", partition: 63, from: "node-a", to: "node-b")
    static let request = ClientRequest(
        id: 9, table: "default", key: Array("k".utf8), operation: .put(value: [1, 2, 3], context: [7]),
        options: RequestOptions(readQuorum: 2, writeQuorum: nil, primaryReadQuorum: 1, primaryWriteQuorum: 0))

    static func clusterState() throws -> ClusterState {
        var state = try GossipNode(configuration: GossipNodeConfiguration(name: "node-a", zone: "z1", seeds: ["node-b"]), seed: 1).state
        try state.createTable(TableDefinition(name: "default", engine: "lmdb"))
        return state
    }

    static func everyMessage() throws -> [NodeMessage] {
        let errors: [ReplicationError] = [
            .tooManySiblings(count: 40, limit: 32), .versionVectorTooLong(entries: 200, limit: 128), .valueTooLarge(bytes: 5, limit: 4),
            .keyInvalid(bytes: 0, limit: 10), .unknownTable("t"), .quorumInvalid("r > n"), .overloaded(pending: 1, limit: 1),
            .corruptReplicaData("x"), .storageFailure("disk"), .timeout(needed: 2, got: 1),
        ]
        var coordinator: [Coordinator.Message] = [
            .putAck(id: id), .getReply(id: id, data: nil), .getReply(id: id, data: [0, 255]), .coordinate(id: id, request: request),
            .coordinate(id: id, request: ClientRequest(id: 1, table: "t", key: [0], operation: .get)),
            .coordinate(id: id, request: ClientRequest(id: 2, table: "t", key: [0], operation: .delete(context: nil))),
            .coordinateAccepted(id: id), .coordinated(id: id, reply: .written(id: 4)),
            .coordinated(id: id, reply: .values(id: 5, values: [[1], []], context: [9, 9])),
            .coordinated(id: id, reply: .values(id: 6, values: [[1], [2]], context: [9], modifiedMilliseconds: [1_795_570_000_123, 7])), .ping(id: id), .pong(id: id),
        ]
        coordinator += errors.map { .coordinated(id: id, reply: .failed(id: 6, error: $0)) }
        let replication: [Message] = coordinator.map(Message.coordinator) + [
            .replica(.put(id: id, table: "t", key: [1], data: [2], hintFor: nil)),
            .replica(.put(id: id, table: "t", key: [1], data: [], hintFor: "node-c")),
            .replica(.get(id: id, table: "t", key: [1])), .replica(.reap(table: "t", key: [1], history: [3, 4])), .replica(.prune(table: "t", key: [1], entries: [5, 6])),
            .hints(.delivery(table: "t", key: [1], data: [5])), .hints(.ack(table: "t", key: [1], data: [6])),
        ]
        let updates = [FailureDetector.MemberUpdate(node: "node-b", status: .suspect(7), origin: "node-c")]
        let detector: [FailureDetector.Message] = [
            .init(.ping(sequence: 1)), .init(.ack(sequence: 2, target: "node-b", incarnation: 3), updates: updates),
            .init(.pingRequest(sequence: 4, target: "node-c")), .init(.nack(sequence: 5, target: "node-c")),
            .init(.gossip, updates: updates + [.init(node: "node-d", status: .dead(0), origin: "node-d")]),
        ]
        let transfers: [Transfer.Message] = [
            .open(transfer, resumeAfter: nil), .open(transfer, resumeAfter: [1]), .opened(transfer, mergedThrough: [2]),
            .batch(transfer, sequence: 1 << 33, progress: .scanned(through: [9]), entries: [.init(key: [1], data: [2, 3]), .init(key: [9], data: [])]),
            .batch(transfer, sequence: 2, progress: .forwarded, entries: []), .ack(transfer, sequence: 2, progress: .forwarded),
            .finish(transfer), .finished(transfer),
        ]
        return replication.map(NodeMessage.replication) + [.gossip(.digest(.max)), .gossip(.state(try clusterState(), replyWanted: true))]
            + detector.map(NodeMessage.detector) + transfers.map(NodeMessage.transfer)
    }

    @Test("every message case round-trips")
    func roundTrip() throws {
        let messages = try Self.everyMessage()
        #expect(messages.count == 44, "22 coordinator (two value replies: without and with write times), 7 replica and hint, 2 gossip, 5 detector and 8 transfer messages")
        for message in messages {
            #expect(try codec.decode(try codec.encode(message)) == message, "\(message)")
        }
    }

    @Test("every strict prefix and every padded payload is refused")
    func truncatedAndPadded() throws {
        for message in try Self.everyMessage() {
            let bytes = try codec.encode(message)
            for length in 0..<bytes.count {
                #expect(throws: PayloadError.self) { try NodeMessageCodec.decodeMessage(Array(bytes.prefix(length))) }
            }
            #expect(throws: PayloadError.self) { try NodeMessageCodec.decodeMessage(bytes + [0]) }
        }
    }

    @Test("a key over keyBytesMax and a count past the bytes left are refused, naming the field")
    func limits() throws {
        let longKey = [UInt8](repeating: 1, count: ReplicationLimits.keyBytesMax + 1)
        let bytes = try codec.encode(.replication(.hints(.delivery(table: "t", key: longKey, data: []))))
        #expect(throws: PayloadError.self) { try NodeMessageCodec.decodeMessage(bytes) }
        do {
            _ = try NodeMessageCodec.decodeMessage(bytes)
        } catch {
            #expect(error.description.contains("key length"))
        }
        // A detector gossip message claiming 1,000 updates in no bytes.
        #expect(throws: PayloadError.self) { try NodeMessageCodec.decodeMessage([3, 5, 0xE8, 0x07]) }
        // A value reply with one write time for two values (the encoder writes what it is given; the decoder refuses).
        let mismatched = try codec.encode(.replication(.coordinator(.coordinated(
            id: Self.id, reply: .values(id: 6, values: [[1], [2]], context: [9], modifiedMilliseconds: [7])))))
        do {
            _ = try NodeMessageCodec.decodeMessage(mismatched)
            Issue.record("one write time for two values decoded")
        } catch {
            #expect(error.description.contains("modified times"), "\(error)")
        }
        // A varint of eleven bytes.
        #expect(throws: PayloadError.self) { try NodeMessageCodec.decodeMessage([2, 1] + [UInt8](repeating: 0xFF, count: 10) + [1]) }
    }

    @Test("seeded random bytes and mutated messages throw or decode, never crash")
    func randomBytes() throws {
        var random = SplitMix64(seed: 0xCA1F)
        let messages = try Self.everyMessage().map { try codec.encode($0) }
        var refused = 0
        for round in 0..<5_000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int(random.next() % 64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = messages[Int(random.next() % UInt64(messages.count))]
                guard !bytes.isEmpty else { continue }
                bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            }
            do {
                let decoded = try NodeMessageCodec.decodeMessage(bytes)
                #expect(try NodeMessageCodec.decodeMessage(try codec.encode(decoded)) == decoded)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 2_000)
    }
}

/// Address books round-trip and bad ones are refused.
@Suite("Peer address book")
struct PeerAddressBookTests {
    @Test("a book round-trips; a cut one, a port over 65535 and an empty host are refused")
    func roundTrip() throws {
        let book = PeerAddressBook(entries: [.init(node: "node-a", host: "127.0.0.1", port: 7001), .init(node: "node-b", host: "::1", port: 0)])
        let bytes = book.encode()
        #expect(PeerAddressBook.isAddressBook(bytes))
        #expect(try PeerAddressBook.decode(bytes) == book)
        #expect(throws: PayloadError.self) { try PeerAddressBook.decode(Array(bytes.dropLast())) }
        let badPort = PeerAddressBook(entries: [.init(node: "n", host: "h", port: 70_000)]).encode()
        #expect(throws: PayloadError.self) { try PeerAddressBook.decode(badPort) }
        let emptyHost = PeerAddressBook(entries: [.init(node: "n", host: "", port: 1)]).encode()
        #expect(throws: PayloadError.self) { try PeerAddressBook.decode(emptyHost) }
        #expect(!PeerAddressBook.isAddressBook(try NodeMessageCodec().encode(.gossip(.digest(1)))))
    }
}

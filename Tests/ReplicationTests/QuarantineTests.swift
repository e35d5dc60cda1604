import CairnCore
import CairnNode
import CairnReplication
import CairnStorage
import MemoryEngine
import Testing

/// Issue 8, bug 2 and the simulator's torn writes and corrupted copies: a stored copy that does not decode is
/// moved to the quarantine (its bytes kept), the key is written and read again, repaired from the other
/// replicas, and the node numbers the key's writes under a fresh actor, so no acknowledged write is lost.
@Suite("Quarantine of undecodable copies")
struct QuarantineTests {
    static let garbage: [UInt8] = [0xFF, 0x01, 0x02]

    @Test("a corrupted copy is quarantined with its bytes, the key is writable again, and no acknowledged write is lost")
    func corruptedCopy() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primaries = cluster.primaries(of: "cart")
        #expect(try cluster.put("a-old", key: "cart", at: primaries[0]).isWritten)
        #expect(try cluster.put("other", key: "shelf", at: primaries[0]).isWritten)
        try cluster.runFor(100)
        cluster.disk(primaries[0]).copies[Array("cart".utf8)] = Self.garbage

        // A blind put through the node: its dot must not cover a-old's, which the other primaries hold.
        #expect(try cluster.put("b-new", key: "cart", at: primaries[0]).isWritten, "the key is writable again")
        try cluster.runFor(100)
        let disk = cluster.disk(primaries[0])
        #expect(disk.quarantined.map(\.key) == [Array("cart".utf8)])
        #expect(disk.quarantined.map(\.data) == [Self.garbage], "the bytes are kept in the quarantine")
        #expect(cluster.cores[primaries[0]]!.quarantinedCopyCount == 1)
        for node in primaries {
            #expect(try cluster.get("cart", at: node, readQuorum: 3)?.values == ["a-old", "b-new"], "read at \(node)")
        }
        try cluster.runFor(100)
        let repaired = try SiblingSetCodec.decode(try #require(disk.copies[Array("cart".utf8)]))
        #expect(Set(repaired.values.map { String(decoding: $0, as: UTF8.self) }) == ["a-old", "b-new"], "read repair refilled it")
        #expect(try cluster.get("shelf", at: primaries[0], readQuorum: 3)?.values == ["other"])
    }

    @Test("a replica's corrupted copy is quarantined by a replica put and a read, and repaired")
    func corruptedReplicaCopy() throws {
        let cluster = TestCluster(nodeCount: 5)
        let primaries = cluster.primaries(of: "cart")
        #expect(try cluster.put("a-old", key: "cart", at: primaries[0]).isWritten)
        try cluster.runFor(100)
        cluster.disk(primaries[1]).copies[Array("cart".utf8)] = Self.garbage
        #expect(try cluster.get("cart", at: primaries[2], readQuorum: 3)?.values == ["a-old"], "an R=3 read still answers")
        try cluster.runFor(100)
        #expect(cluster.disk(primaries[1]).quarantined.map(\.data) == [Self.garbage])
        let repaired = try SiblingSetCodec.decode(try #require(cluster.disk(primaries[1]).copies[Array("cart".utf8)]))
        #expect(repaired.values == [Array("a-old".utf8)], "read repair refilled the quarantined replica")
    }

    @Test("the engine store keeps quarantined bytes readable, never overwrites them, and the next start is a new incarnation")
    func engineQuarantine() throws {
        let tables = MemoryEngine()
        let hints = MemoryEngine()
        let store = EngineReplicaStore(
            partitionCount: 64, tables: ["t": tables], hints: hints)
        let first = try store.beginStart(wallClockMilliseconds: 1_000, bufferedTables: [], freshCounter: 7)
        try store.perform(.persist(table: "t", key: Array("cart".utf8), data: Self.garbage))
        try store.perform(.quarantine(table: "t", key: Array("cart".utf8), data: Self.garbage))
        try store.perform(.persist(table: "t", key: Array("cart".utf8), data: [9]))
        try store.perform(.quarantine(table: "t", key: Array("cart".utf8), data: [9]))
        let kept = try store.quarantinedCopies()
        #expect(kept.map(\.sequence) == [1, 2])
        #expect(kept.map(\.data) == [Self.garbage, [9]], "a second quarantine of the key does not overwrite the first")
        #expect(kept.allSatisfy { $0.table == "t" && $0.key == Array("cart".utf8) })
        #expect(try store.load(table: "t", key: Array("cart".utf8)) == nil, "the key is removed from its table")
        #expect(try store.storedHints().isEmpty, "quarantined copies are not hints")
        let next = try store.beginStart(wallClockMilliseconds: 2_000, bufferedTables: [])
        #expect(next.incarnation == first.incarnation + 1)
        #expect(next.newIncarnationReason == .quarantinedCopy)
        let after = try store.beginStart(wallClockMilliseconds: 3_000, bufferedTables: [])
        #expect(after.newIncarnationReason == nil, "one new incarnation per quarantine, not one per start")
    }
}

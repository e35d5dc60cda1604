import CairnStorage
import Testing

/// Atomic batches of puts and deletes, on every engine.
@Suite("Conformance: batches")
struct BatchTests {
    @Test("a batch applies its operations in order", arguments: allEngines)
    func appliesInOrder(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        try store.put(bytes("old"), bytes("1"))
        var batch = WriteBatch()
        batch.put(bytes("a"), bytes("1"))
        batch.delete(bytes("a"))
        batch.delete(bytes("b"))
        batch.put(bytes("b"), bytes("2"))
        batch.put(bytes("c"), bytes("3"))
        batch.put(bytes("c"), bytes("4"))
        batch.delete(bytes("old"))
        try store.apply(batch)
        #expect(try store.entries().map { $0.value } == [bytes("2"), bytes("4")])
        #expect(try store.get(bytes("a")) == nil)
        #expect(try store.get(bytes("old")) == nil)
    }

    @Test("a batch with one bad operation changes nothing", arguments: allEngines)
    func refusedBatchChangesNothing(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        try store.put(bytes("keep"), bytes("v"))
        var batch = WriteBatch()
        batch.put(bytes("new"), bytes("1"))
        batch.delete(bytes("keep"))
        batch.put(Bytes(repeating: 1, count: StorageLimits.keyBytesMax + 1), bytes("too long a key"))
        #expect(throws: StorageError.keyTooLarge(bytes: 512, limit: 511)) { try store.apply(batch) }
        #expect(try store.get(bytes("new")) == nil)
        #expect(try store.get(bytes("keep")) == bytes("v"))
    }

    @Test("an empty batch is a no-op", arguments: allEngines)
    func emptyBatch(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        try store.apply(WriteBatch())
        #expect(try store.entries().isEmpty)
    }
}

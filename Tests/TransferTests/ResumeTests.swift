import CairnCore
import CairnNode
import CairnReplication
import Testing

/// After a crash of either side a transfer goes on from the last acknowledged key, not from the start.
@Suite struct ResumeTests {
    /// The first key of each scanned batch sent from event `index` on.
    static func scannedBatchStarts(_ harness: TransferHarness, from index: Int) -> [[UInt8]] {
        harness.sentBatches.dropFirst(index).compactMap { batch in
            guard case .scanned = batch.progress else { return nil }
            return batch.entries.first?.key
        }
    }

    /// A harness whose sender holds `count` keys of `partition`, with the transfer of that partition planned.
    static func planned(_ engine: HarnessEngine, partition: Int, count: Int) throws -> (TransferHarness, [[UInt8]]) {
        let harness = try TransferHarness(sender: engine, receiver: engine, limits: .init(batchKeysMax: 25, bytesPerSecondMax: nil))
        let keys = harness.keys(inPartition: partition, count: count)
        for key in keys { try harness.store(TransferHarness.copy("v"), key: key, on: harness.senderStore) }
        try harness.plan([partition])
        return (harness, keys)
    }

    @Test("a restarted sender resumes after its recorded last acknowledged key", arguments: HarnessEngine.allCases)
    func senderCrash(engine: HarnessEngine) throws {
        let (harness, keys) = try Self.planned(engine, partition: 11, count: 400)
        #expect(harness.run(until: { (harness.senderProgress.first?.keys ?? 0) >= 150 }))

        let record = try #require(try harness.senderStore.storedTransferRecords().first { $0.role == .sender })
        let acked = try #require(record.lastKey)
        #expect(record.lastKey == harness.senderProgress.first?.lastKey)
        try harness.crashSender()
        #expect(harness.sender.transfers.first?.lastKey == acked, "the new sender took the recorded position")
        let batchesBefore = harness.sentBatches.count
        #expect(harness.run(until: { harness.allDone }))

        let starts = Self.scannedBatchStarts(harness, from: batchesBefore)
        #expect(!starts.isEmpty)
        #expect(starts.allSatisfy { Transfer.precedes(acked, $0) }, "no batch after the restart starts at or before the acked key")
        #expect(!starts.contains(keys[0]), "the scan did not start over")
        let resentKeys = harness.sentBatches.dropFirst(batchesBefore).reduce(0) { $0 + $1.entries.count }
        let ackedCount = keys.filter { !Transfer.precedes(acked, $0) }.count
        #expect(resentKeys <= keys.count - ackedCount + 25, "only what was not acknowledged (plus one batch in flight) went again")
        #expect(try harness.copies(on: harness.receiverStore).count == keys.count)
    }

    @Test("after the receiver restarts, the sender goes on from its last acknowledged key", arguments: HarnessEngine.allCases)
    func receiverCrash(engine: HarnessEngine) throws {
        let (harness, keys) = try Self.planned(engine, partition: 12, count: 300)
        #expect(harness.run(until: { (harness.receiver.transfers.first?.keys ?? 0) >= 100 }))
        let sentSoFar = harness.sentBatches.count
        #expect(harness.run(until: { harness.sentBatches.count > sentSoFar }), "crash with a batch on its way to the receiver")

        let merged = try #require(harness.receiver.transfers.first?.lastKey)
        try harness.crashReceiver()
        #expect(harness.receiver.transfers.first?.lastKey == merged, "the receiver's record survived its crash")
        let acked = try #require(harness.senderProgress.first?.lastKey)
        let batchesBefore = harness.sentBatches.count
        #expect(harness.run(until: { harness.allDone }))

        let starts = Self.scannedBatchStarts(harness, from: batchesBefore)
        #expect(starts.allSatisfy { Transfer.precedes(acked, $0) }, "the lost batch went again from the acked key, not from the start")
        #expect((harness.senderProgress.first?.batchesResent ?? 0) >= 1)
        let received = try harness.copies(on: harness.receiverStore)
        #expect(Set(received.keys) == Set(keys))
    }

    @Test("after the receiver's disk is wiped mid-transfer, the sender starts over: every key reaches it before the old copy is dropped", arguments: HarnessEngine.allCases)
    func receiverWiped(engine: HarnessEngine) throws {
        let (harness, keys) = try Self.planned(engine, partition: 13, count: 300)
        #expect(harness.run(until: { (harness.receiver.transfers.first?.keys ?? 0) >= 100 }))
        // The wipe: the receiver's copies of the partition and its progress record are gone, then it restarts.
        let id = Transfer.ID(table: TransferHarness.table, partition: 13, from: "a", to: "b")
        try harness.receiverStore.perform(Transfer.Directive.dropPartition(table: TransferHarness.table, partition: 13))
        try harness.receiverStore.perform(Transfer.Directive.removeProgress(id, role: .receiver))
        try harness.crashReceiver()
        #expect(harness.receiver.transfers.isEmpty, "the wiped receiver knows no transfer")
        #expect(harness.run(until: { harness.allDone }))
        #expect(harness.drops == [13], "the old copy is dropped once, at the end")
        #expect(Set(try harness.copies(on: harness.receiverStore).keys) == Set(keys), "every key reached the wiped receiver")
    }

    @Test("a key written behind the scan is forwarded even when the sender crashes before forwarding it")
    func dirtyKeySurvivesSenderCrash() throws {
        let harness = try TransferHarness(sender: .lmdb, receiver: .lmdb, limits: .init(batchKeysMax: 20, bytesPerSecondMax: nil))
        let keys = harness.keys(inPartition: 13, count: 200)
        for key in keys { try harness.store(TransferHarness.copy("old"), key: key, on: harness.senderStore) }
        try harness.plan([13])
        #expect(harness.run(until: { (harness.senderProgress.first?.keys ?? 0) >= 60 }))
        let rewritten = TransferHarness.copy("new", writer: "a", counter: 2)
        try harness.write(rewritten, key: keys[0])
        #expect(try harness.senderStore.storedDirtyKeys().values.first == [keys[0]])
        try harness.crashSender()
        #expect(harness.run(until: { harness.allDone }))
        #expect(try harness.copies(on: harness.receiverStore)[keys[0]] == rewritten)
        #expect(try harness.senderStore.storedDirtyKeys().isEmpty)
    }
}

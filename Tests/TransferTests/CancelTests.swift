import CairnCore
import CairnNode
import CairnReplication
import Testing

/// `Sender.cancel`: a newer ring made a transfer pointless (its receiver no longer holds the partition).
@Suite struct CancelTests {
    @Test("a cancelled transfer, running or queued, sends nothing more, drops nothing and forgets its records; the others go on")
    func cancelStopsWithoutDropping() throws {
        let harness = try TransferHarness(limits: .init(batchKeysMax: 5, bytesPerSecondMax: nil, concurrentTransfersMax: 1))
        for partition in [10, 20, 30] {
            for key in harness.keys(inPartition: partition, count: 30) { try harness.store(TransferHarness.copy("v"), key: key, on: harness.senderStore) }
        }
        try harness.plan([10, 20, 30])
        #expect(harness.run(until: { (harness.senderProgress.first?.keys ?? 0) >= 10 }), "the first transfer is under way")
        let running = Transfer.ID(table: TransferHarness.table, partition: 10, from: "a", to: "b")
        let queued = Transfer.ID(table: TransferHarness.table, partition: 30, from: "a", to: "b")
        harness.perform(harness.sender.cancel([running, queued], nowMilliseconds: harness.now), on: "a")
        let batchesAtCancel = harness.sentBatches.count
        #expect(harness.run(until: { harness.allDone }))
        #expect(harness.drops == [20], "only the transfer that finished drops its partition")
        #expect(harness.sentBatches.count > batchesAtCancel, "the remaining transfer went on")
        #expect(harness.logs.filter { $0.contains("cancelled") }.count == 2)
        let left = try harness.senderStore.storedTransferRecords()
        #expect(left.isEmpty, "no record is left: \(left.map(\.id))")
        let kept = try harness.copies(on: harness.senderStore).keys.filter {
            Ring.partition(for: $0, partitionCount: harness.ring.partitionCount) != 20
        }
        #expect(kept.count == 60, "the cancelled partitions' copies stay on the sender")
        #expect(harness.sender.cancel([running], nowMilliseconds: harness.now).isEmpty, "cancelling again does nothing")
    }
}

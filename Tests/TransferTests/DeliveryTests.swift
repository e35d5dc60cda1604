import CairnCore
import CairnNode
import CairnReplication
import Testing

/// A transfer delivers every key of its partition, and only those, merging with what the receiver holds.
@Suite struct DeliveryTests {
    static let enginePairs: [(HarnessEngine, HarnessEngine)] = [(.memory, .lmdb), (.lmdb, .memory)]

    @Test("every key arrives over a network that loses a third of the messages", arguments: enginePairs)
    func lossyNetworkDeliversEveryKey(pair: (HarnessEngine, HarnessEngine)) throws {
        let harness = try TransferHarness(sender: pair.0, receiver: pair.1, limits: .init(batchKeysMax: 40, bytesPerSecondMax: nil))
        let moving = harness.keys(inPartition: 7, count: 600)
        let staying = harness.keys(inPartition: 8, count: 50)
        for (index, key) in (moving + staying).enumerated() {
            try harness.store(TransferHarness.copy("v\(index)"), key: key, on: harness.senderStore)
        }
        var random = SplitMix64(seed: 9)
        harness.drop = { _ in random.nextUnit() < 0.33 }
        try harness.plan([7])
        #expect(harness.run(until: { harness.allDone }))
        #expect(harness.failures.isEmpty)

        let received = try harness.copies(on: harness.receiverStore)
        let sent = moving.enumerated().map { TransferHarness.copy("v\($0.offset)") }
        #expect(received.count == moving.count, "only the moving partition's keys arrive")
        for (key, copy) in zip(moving, sent) { #expect(received[key] == copy) }
        #expect(harness.sentBatches.count > moving.count / 40, "lost batches were sent again")

        let left = try harness.copies(on: harness.senderStore)
        #expect(Set(left.keys) == Set(staying), "the old owner dropped the moved partition and kept the rest")
        #expect(try harness.senderStore.storedTransferRecords().isEmpty, "both sides forgot their records")
        #expect(try harness.receiverStore.storedTransferRecords().isEmpty)
        let progress = try #require(harness.senderProgress.first)
        #expect(progress.keys >= moving.count && progress.lastKey == moving.last)
        #expect(harness.receiver.transfers.map(\.status) == [.done])
    }

    @Test("an arriving copy merges with the stored one: concurrent writes stay siblings, nothing is overwritten")
    func mergeKeepsConcurrentSiblings() throws {
        let harness = try TransferHarness(limits: .init(batchKeysMax: 10, bytesPerSecondMax: nil))
        let keys = harness.keys(inPartition: 3, count: 3)
        let senders = TransferHarness.copy("from a", writer: "a")
        try harness.store(senders, key: keys[0], on: harness.senderStore)
        try harness.store(TransferHarness.copy("from b", writer: "b"), key: keys[0], on: harness.receiverStore)
        // The receiver's copy of keys[1] has seen a:1 and superseded it: the older arrival must not revive it.
        let newer = SiblingSet(
            history: VersionVector(["a": 1, "b": 2]),
            siblings: [Sibling(dot: Dot("b", 2), value: Array("newer".utf8), timestampMilliseconds: 5)])
        try harness.store(senders, key: keys[1], on: harness.senderStore)
        try harness.store(newer, key: keys[1], on: harness.receiverStore)
        try harness.store(senders, key: keys[2], on: harness.senderStore)
        try harness.plan([3])
        #expect(harness.run(until: { harness.allDone }))

        let received = try harness.copies(on: harness.receiverStore)
        #expect(Set(received[keys[0]]?.values ?? []) == [Array("from a".utf8), Array("from b".utf8)])
        #expect(received[keys[1]] == newer)
        #expect(received[keys[2]] == senders)
    }

    @Test("an undecodable stored copy at the receiver is left as it is, and the batch is not acknowledged")
    func undecodableLocalCopyIsNotOverwritten() throws {
        let harness = try TransferHarness(limits: .init(batchKeysMax: 10, bytesPerSecondMax: nil))
        let key = try #require(harness.keys(inPartition: 5, count: 1).first)
        try harness.store(TransferHarness.copy("good"), key: key, on: harness.senderStore)
        let garbage: [UInt8] = [0xEE, 1, 2, 3]
        try harness.receiverStore.perform(Directive.persist(table: TransferHarness.table, key: key, data: garbage))
        try harness.plan([5])
        harness.run(eventsMax: 50)

        #expect(try harness.receiverStore.load(table: TransferHarness.table, key: key) == garbage)
        #expect(harness.failures.contains { $0.contains("cannot be decoded") })
        #expect(!harness.allDone && harness.drops.isEmpty, "the old copy stays while the batch is unacknowledged")
        #expect(try harness.senderStore.load(table: TransferHarness.table, key: key) != nil)
    }

    @Test("no more than concurrentTransfersMax transfers run at once, and every one finishes")
    func concurrencyLimit() throws {
        let harness = try TransferHarness(limits: .init(batchKeysMax: 5, bytesPerSecondMax: nil, concurrentTransfersMax: 2))
        let partitions = [1, 2, 3, 4, 5]
        for partition in partitions {
            for key in harness.keys(inPartition: partition, count: 20) {
                try harness.store(TransferHarness.copy("x"), key: key, on: harness.senderStore)
            }
        }
        var activeMax = 0
        harness.afterEvent = { [unowned harness] in
            let active = harness.sender.transfers.filter { ![.queued, .done].contains($0.status) }.count
            activeMax = max(activeMax, active)
        }
        try harness.plan(partitions)
        #expect(harness.sender.transfers.filter { $0.status == .queued }.count == 3)
        #expect(harness.run(until: { harness.allDone }))
        #expect(activeMax == 2)
        #expect(try harness.copies(on: harness.receiverStore).count == 100)
        #expect(Set(harness.drops) == Set(partitions))
    }
}

import CairnCore
import CairnNode
import CairnReplication
import Testing

/// Transfer settings, plans and durable records refuse bad input with a clear error.
@Suite struct RecordAndLimitTests {
    @Test("limits outside their bounds are refused, naming the limit")
    func badLimits() throws {
        #expect(throws: TransferError.limitInvalid("batchKeysMax is 0, must be 1…10000")) { try Transfer.Limits(batchKeysMax: 0).check() }
        #expect(throws: TransferError.limitInvalid("bytesPerSecondMax is 0, must be at least 1 (or nil)")) {
            try Transfer.Limits(bytesPerSecondMax: 0).check()
        }
        let error = TransferError.limitInvalid("concurrentTransfersMax is 65, must be 1…64")
        #expect(error.description == "invalid transfer limits: concurrentTransfersMax is 65, must be 1…64")
    }

    @Test("a plan for another node's partition, or one planned twice, is refused whole")
    func badPlans() throws {
        let harness = try TransferHarness(limits: .init())
        let foreign = Transfer.ID(table: TransferHarness.table, partition: 1, from: "b", to: "a")
        #expect(throws: TransferError.notTheOldOwner(foreign, node: "a")) {
            _ = try harness.sender.plan([foreign], nowMilliseconds: 0)
        }
        try harness.plan([2])
        #expect(throws: TransferError.duplicateTransfer(Transfer.ID(table: TransferHarness.table, partition: 2, from: "a", to: "b"))) {
            try harness.plan([2])
        }
        #expect(harness.sender.transfers.count == 1)
    }

    @Test("a record that does not decode is an error, not a missing transfer")
    func corruptRecord() throws {
        let harness = try TransferHarness(limits: .init())
        try harness.plan([4])
        #expect(try harness.senderStore.storedTransferRecords().map(\.id.partition) == [4])
        let id = Transfer.ID(table: TransferHarness.table, partition: 4, from: "a", to: "b")
        let bad = Transfer.ProgressRecord(id: id, role: .sender, lastKey: [1, 2, 3])
        try harness.senderStore.perform(.recordProgress(bad))
        #expect(try harness.senderStore.storedTransferRecords() == [bad])
        #expect(try harness.senderStore.storedHints().isEmpty, "transfer records are not hints")
        #expect(throws: TransferError.self) {
            try harness.senderStore.perform(.mergeCopies(table: "missing", partition: 4, entries: [], policy: .siblings))
        }
        #expect(throws: TransferError.partitionOutOfRange(partition: 64, partitionCount: 64)) {
            _ = try harness.senderStore.scanPartition(table: TransferHarness.table, partition: 64, after: nil, keysMax: 1, bytesMax: 1)
        }
    }

    @Test("a key of another partition arriving in a transfer is refused")
    func keyOutsidePartition() throws {
        let harness = try TransferHarness(limits: .init())
        let key = try #require(harness.keys(inPartition: 9, count: 1).first)
        let entry = Transfer.Entry(key: key, data: SiblingSetCodec.encode(TransferHarness.copy("v")))
        #expect(throws: TransferError.keyOutsidePartition(keyPartition: 9, transferPartition: 10)) {
            try harness.receiverStore.perform(.mergeCopies(table: TransferHarness.table, partition: 10, entries: [entry], policy: .siblings))
        }
        #expect(try harness.copies(on: harness.receiverStore).isEmpty)
    }

    @Test("hints for a node that left go to the partition's new owner")
    func newOwner() {
        let plan = Transfer.Plan(moves: [
            Transfer.ID(table: "t", partition: 3, from: "gone", to: "c"), Transfer.ID(table: "u", partition: 3, from: "gone", to: "c"),
        ])
        #expect(plan.newOwner(ofPartition: 3) == "c")
        #expect(plan.newOwner(ofPartition: 4) == nil)
    }
}

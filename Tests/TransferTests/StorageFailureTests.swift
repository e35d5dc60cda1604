import CairnCore
import CairnNode
import CairnReplication
import CairnStorage
import Testing

/// The sender's reads through a view that fails on demand, as a dying disk's would.
final class FailingView: Transfer.StorageView, @unchecked Sendable {
    let inner: EngineReplicaStore
    var failing = false

    init(_ inner: EngineReplicaStore) { self.inner = inner }

    func scanPartition(table: String, partition: Int, after: [UInt8]?, keysMax: Int, bytesMax: Int) throws -> [Transfer.Entry] {
        if failing { throw StorageError.io(operation: "scan", path: "failing-view", reason: "injected failure") }
        return try inner.scanPartition(table: table, partition: partition, after: after, keysMax: keysMax, bytesMax: bytesMax)
    }

    func load(table: String, key: [UInt8]) throws -> [UInt8]? {
        if failing { throw StorageError.io(operation: "read", path: "failing-view", reason: "injected failure") }
        return try inner.load(table: table, key: key)
    }
}

/// A storage error at the sender is an error: the transfer stalls and retries, it never reads as an empty partition.
@Suite struct StorageFailureTests {
    @Test("a failing scan stalls the transfer (listed with its error) instead of finishing it and dropping the copy")
    func failingScanStalls() throws {
        let harness = try TransferHarness(limits: .init(batchKeysMax: 10, bytesPerSecondMax: nil))
        let view = FailingView(harness.senderStore)
        harness.sender = try Transfer.Sender(node: "a", limits: harness.limits, storage: view, run: 1, nowMilliseconds: 0)
        let keys = harness.keys(inPartition: 40, count: 50)
        for key in keys { try harness.store(TransferHarness.copy("v"), key: key, on: harness.senderStore) }
        try harness.plan([40])
        #expect(harness.run(until: { (harness.senderProgress.first?.keys ?? 0) >= 20 }))
        view.failing = true
        harness.run(until: { harness.now > 10_000 })

        guard case .stalled(let reason)? = harness.senderProgress.first?.status else {
            Issue.record("expected a stalled transfer, got \(String(describing: harness.senderProgress.first?.status))")
            return
        }
        #expect(reason.contains("injected failure"))
        #expect(harness.drops.isEmpty && !harness.allDone)
        #expect(try harness.copies(on: harness.senderStore).count == keys.count, "the old copy is kept")
        #expect(harness.logs.contains { $0.contains("storage failed, retrying") })

        view.failing = false
        #expect(harness.run(until: { harness.allDone }), "the retry timer takes the transfer up again")
        #expect(try harness.copies(on: harness.receiverStore).count == keys.count)
    }
}

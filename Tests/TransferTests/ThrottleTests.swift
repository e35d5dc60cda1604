import CairnCore
import CairnReplication
import Testing

/// The throttle holds a node's transfers to bytesPerSecondMax, in virtual time.
@Suite struct ThrottleTests {
    @Test("bytes sent by any moment stay within the rate plus one second's burst and one batch")
    func bytesPerSecond() throws {
        let rate = 20_000
        let batchBytesMax = 4_000
        let harness = try TransferHarness(limits: .init(batchKeysMax: 1_000, batchBytesMax: batchBytesMax, bytesPerSecondMax: rate))
        let value = String(repeating: "x", count: 180)
        let keys = harness.keys(inPartition: 30, count: 600)
        for key in keys { try harness.store(TransferHarness.copy(value), key: key, on: harness.senderStore) }
        try harness.plan([30])
        #expect(harness.run(until: { harness.allDone }))

        var sent = 0
        var overruns: [String] = []
        for batch in harness.sentBatches {
            sent += batch.entries.reduce(0) { $0 + $1.bytes }
            let allowed = Double(rate) * Double(batch.milliseconds) / 1_000 + Double(rate + batchBytesMax)
            if Double(sent) > allowed { overruns.append("\(sent) bytes by \(batch.milliseconds) ms, allowed \(allowed)") }
        }
        #expect(overruns.isEmpty)
        let total = Double(sent)
        #expect(total > 100_000)
        let lastMilliseconds = Double(harness.sentBatches.last?.milliseconds ?? 0)
        #expect(lastMilliseconds >= (total - Double(rate + batchBytesMax)) / Double(rate) * 1_000, "the run was actually held back")
    }

    @Test("unthrottled, the same transfer takes a fraction of the virtual time")
    func unthrottledIsFaster() throws {
        let harness = try TransferHarness(limits: .init(batchKeysMax: 1_000, batchBytesMax: 4_000, bytesPerSecondMax: nil))
        for key in harness.keys(inPartition: 30, count: 600) {
            try harness.store(TransferHarness.copy(String(repeating: "x", count: 180)), key: key, on: harness.senderStore)
        }
        try harness.plan([30])
        #expect(harness.run(until: { harness.allDone }))
        #expect((harness.sentBatches.last?.milliseconds ?? .max) < 1_000)
    }
}

@testable import CairnBench
import CairnReplication
import CairnStorage
import CairnTestSupport
import Testing

/// The transfer benchmark's driver moves a whole partition and counts what it moved; bad settings get one line.
@Suite("Bench: partition transfer run")
struct TransferRunTests {
    @Test("a small run moves every key, in as many batches as the batch limit makes")
    func smallRun() throws {
        let directory = TemporaryDirectory()
        let settings = TransferRun.Settings(
            keys: 300, valueBytes: 20, sender: .memory, receiver: .lmdb, limits: Transfer.Limits(batchKeysMax: 100, bytesPerSecondMax: nil))
        var lines: [String] = []
        let result = try TransferRun(settings: settings, directory: directory.path).run { lines.append($0) }
        #expect(result.keys == 300)
        #expect(result.batches == 3)
        #expect(result.bytes > 300 * 20)
        #expect(result.seconds > 0 && result.keysPerSecond > 0)
        #expect(lines.contains { $0.contains("filled 300 keys") })
    }

    @Test("settings past their limits name the option")
    func badSettings() {
        let limits = Transfer.Limits()
        #expect(TransferRun.Settings(keys: 0, valueBytes: 1, sender: .memory, receiver: .memory, limits: limits).problem()
            == "--keys is 0, must be 1…10000000")
        #expect(TransferRun.Settings(keys: 1, valueBytes: 0, sender: .memory, receiver: .memory, limits: limits).problem()
            == "--value-bytes is 0, must be 1…1048576")
        #expect(TransferRun.Settings(keys: 1, valueBytes: 1, sender: .memory, receiver: .memory, limits: Transfer.Limits(batchBytesMax: 0)).problem()
            == "invalid transfer limits: batchBytesMax is 0, must be 1…67108864")
    }
}

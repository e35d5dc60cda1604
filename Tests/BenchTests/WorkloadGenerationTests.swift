@testable import CairnBench
import CairnCore
import CairnStorage
import Foundation
import Testing

/// Keys, key choice and workload mixes of the engine benchmark.
@Suite("Bench: workload generation")
struct WorkloadGenerationTests {
    @Test("keys are zero-padded decimals in index order; missing keys are never real keys")
    func keyFormat() {
        let format = KeyFormat(size: 8)
        var key = Bytes()
        var previous = Bytes()
        for index in [0, 1, 9, 10, 99, 100, 12_345] {
            format.write(index, into: &key)
            #expect(key.count == 8)
            #expect(compareBytes(previous, key) < 0)
            previous = key
        }
        format.write(42, into: &key)
        #expect(String(decoding: key, as: UTF8.self) == "00000042")
        var missing = Bytes()
        format.write(42, into: &missing, missing: true)
        #expect(String(decoding: missing, as: UTF8.self) == "0000004.")
        #expect(missing != key)
    }

    @Test("the zipfian choice is skewed, in range, and repeats for a seed")
    func zipfianSkew() {
        var chooser = KeyChooser(distribution: .zipfian, keys: 10_000, seed: 7)
        var counts = [Int: Int]()
        let draws = 100_000
        for _ in 0..<draws {
            let index = chooser.existing(below: 10_000)
            #expect((0..<10_000).contains(index))
            counts[index, default: 0] += 1
        }
        let hottest = counts.values.sorted(by: >).prefix(100).reduce(0, +)
        #expect(hottest > draws / 4, "the 1% hottest keys draw over a quarter of the operations")
        var uniform = KeyChooser(distribution: .uniform, keys: 10_000, seed: 7)
        var uniformCounts = [Int: Int]()
        for _ in 0..<draws { uniformCounts[uniform.existing(below: 10_000), default: 0] += 1 }
        #expect(uniformCounts.values.sorted(by: >).prefix(100).reduce(0, +) < draws / 20)

        var first = KeyChooser(distribution: .zipfian, keys: 10_000, seed: 99)
        var second = KeyChooser(distribution: .zipfian, keys: 10_000, seed: 99)
        #expect((0..<100).map { _ in first.existing(below: 10_000) } == (0..<100).map { _ in second.existing(below: 10_000) })
    }

    @Test("read-latest favours the newest keys")
    func latestSkew() {
        var chooser = KeyChooser(distribution: .uniform, keys: 10_000, seed: 3)
        let picks = (0..<10_000).map { _ in chooser.latest(19_999) }
        #expect(picks.allSatisfy { (0...19_999).contains($0) })
        #expect(picks.filter { $0 >= 19_900 }.count > 5_000)
    }

    @Test("every workload's mix adds up to 100%")
    func mixes() {
        for workload in Workload.allCases {
            #expect(workload.mix.map(\.percent).reduce(0, +) == 100, "\(workload)")
        }
        #expect(Workload.canonicalOrder([.deleterandom, .readrandom, .fillseq]) == [.fillseq, .readrandom, .deleterandom])
    }

    @Test("settings outside their limits are refused with the option's name")
    func settingsProblems() {
        #expect(BenchSettings().problem == nil)
        #expect(BenchSettings(keySize: 4).problem?.contains("--key-size") == true)
        #expect(BenchSettings(keys: 0).problem?.contains("--keys") == true)
        #expect(BenchSettings(threads: 0).problem?.contains("--threads") == true)
        #expect(BenchSettings(durationSeconds: 1, operations: 5).problem?.contains("not both") == true)
        #expect(BenchSettings(valueSize: 2).problem?.contains("--value-size") == true)
    }
}

/// Saved runs from before random values, slices and batches still load, and say what they were.
@Suite("Bench: saved settings")
struct SavedSettingsTests {
    @Test("settings saved without the newer fields decode, and their summary names the old value pattern")
    func legacySettings() throws {
        let json = """
            {"keys": 1000, "keySize": 16, "valueSize": 100, "threads": 1, "durability": "buffered",
             "distribution": "uniform", "seed": 42}
            """
        let settings = try JSONDecoder().decode(BenchSettings.self, from: Data(json.utf8))
        #expect(settings.slices == 1 && settings.fillBatch == 1)
        #expect(settings.summary.contains("one repeated value pattern") && settings.summary.contains("in 1 slice"))
        let current = BenchSettings(keys: 1000)
        #expect(try JSONDecoder().decode(BenchSettings.self, from: JSONEncoder().encode(current)) == current)
        #expect(current.summary.contains("compression ratio 0.5") && current.summary.contains("in 5 slices"))
        #expect(BenchSettings(compressionRatio: 0).problem?.contains("--compression-ratio") == true)
        #expect(BenchSettings(fillBatch: 0).problem?.contains("--fill-batch") == true)
        #expect(BenchSettings(slices: 0).problem?.contains("--workload-slices") == true)
    }
}

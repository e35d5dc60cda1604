@testable import CairnBench
import CairnTestSupport
import Foundation
import Testing

/// Reads that miss the page cache: eviction of an engine's files, and cold-read runs.
@Suite("Bench: cold reads")
struct ColdReadTests {
    @Test("evicting a directory drops its files' pages and leaves the files as they were")
    func evict() throws {
        let directory = TemporaryDirectory()
        let path = directory.child("data")
        let bytes = Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bytes.write(to: URL(fileURLWithPath: path))
        _ = try Data(contentsOf: URL(fileURLWithPath: path))
        let before = try #require(PageCache.residentPages(path))
        #expect(before > 0, "a file just written and read is cached")
        #expect(PageCache.evict(directory: directory.path) == 1)
        let after = try #require(PageCache.residentPages(path))
        #expect(after < before / 4, "\(before) pages before, \(after) after")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes, "eviction never changes a file")
    }

    @Test("a cold-read run reopens the table before each read workload and still finds every key", arguments: [BenchEngine.lmdb, .leveldb])
    func coldRun(engine: BenchEngine) throws {
        let directory = TemporaryDirectory()
        let settings = BenchSettings(keys: 3_000, keySize: 12, valueSize: 100, operations: 2_000, slices: 2, coldReads: true)
        let results = try EngineRun(engine: engine, settings: settings, dataDirectory: directory.child("run")) { _ in }
            .run([.fillrandom, .readrandom, .readmissing])
        #expect(results.map(\.workload) == [.fillrandom, .readrandom, .readmissing])
        #expect(results.allSatisfy { $0.unexpectedResults == 0 })
        #expect(settings.summary.contains("page cache dropped"))
    }
}

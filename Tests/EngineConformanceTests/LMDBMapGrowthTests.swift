import CairnStorage
import CairnTestSupport
import LMDBEngine
import Testing

/// LMDB's memory map grows on MDB_MAP_FULL instead of failing, up to its named maximum.
@Suite("LMDB map growth")
struct LMDBMapGrowthTests {
    @Test("writes past the initial map size grow the map")
    func growsOnMapFull() throws {
        let directory = TemporaryDirectory()
        let engine = try LMDBEngine(
            directory: directory.path, durability: .buffered,
            options: LMDBOptions(mapSizeBytesInitial: 1 << 20, mapSizeBytesMax: 1 << 30))
        defer { try? engine.close() }
        let value = Bytes(repeating: 0x5A, count: 4096)
        for index in 0..<2_000 { try engine.put(bytes("grow-\(index)"), value) }
        var batch = WriteBatch()
        for index in 0..<1_000 { batch.put(bytes("batch-\(index)"), value) }
        try engine.apply(batch)
        #expect(engine.currentMapSizeBytes > 8 << 20)
        #expect(try engine.statistics().entryCount == 3_000)
        #expect(try engine.get(bytes("grow-1999")) == value)
    }

    @Test("a full map at mapSizeBytesMax is refused by name and keeps earlier data")
    func stopsAtMaximum() throws {
        let directory = TemporaryDirectory()
        let engine = try LMDBEngine(
            directory: directory.path, durability: .buffered,
            options: LMDBOptions(mapSizeBytesInitial: 1 << 20, mapSizeBytesMax: 2 << 20))
        defer { try? engine.close() }
        let value = Bytes(repeating: 1, count: 64 << 10)
        var written = 0
        #expect(throws: StorageError.engineFull(engine: .lmdb, limitName: "mapSizeBytesMax", limit: 2 << 20)) {
            for index in 0..<1_000 {
                try engine.put(bytes("big-\(index)"), value)
                written += 1
            }
        }
        #expect(written > 0)
        #expect(try engine.get(bytes("big-0")) == value)
    }
}

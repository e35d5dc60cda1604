import CairnEngines
import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// Bad input gets a typed error naming the problem or the limit, on every engine.
@Suite("Conformance: bad input")
struct BadInputTests {
    @Test("keys and values outside the limits are refused by name", arguments: allEngines)
    func sizeLimits(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        let longest = Bytes(repeating: 0xAB, count: StorageLimits.keyBytesMax)
        try store.put(longest, bytes("fits"))
        #expect(try store.get(longest) == bytes("fits"))

        let tooLong = Bytes(repeating: 0xAB, count: StorageLimits.keyBytesMax + 1)
        let keyError = StorageError.keyTooLarge(bytes: 512, limit: 511)
        #expect(throws: keyError) { try store.put(tooLong, []) }
        #expect(throws: keyError) { try store.get(tooLong) }
        #expect(throws: keyError) { try store.delete(tooLong) }
        #expect(throws: StorageError.keyEmpty) { try store.put([], bytes("v")) }
        #expect(keyError.description.contains("keyBytesMax"))

        let hugeValue = Bytes(repeating: 0, count: StorageLimits.valueBytesMax + 1)
        #expect(throws: StorageError.valueTooLarge(bytes: hugeValue.count, limit: StorageLimits.valueBytesMax)) {
            try store.put(bytes("k"), hugeValue)
        }
        #expect(try store.get(bytes("k")) == nil)
    }

    @Test("too many operations in one batch are refused", arguments: allEngines)
    func batchLimit(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        defer { try? store.close() }
        let batch = WriteBatch(Array(repeating: .delete(key: bytes("k")), count: StorageLimits.batchOperationsMax + 1))
        #expect(throws: StorageError.batchTooLarge(operations: batch.count, limit: StorageLimits.batchOperationsMax)) {
            try store.apply(batch)
        }
    }

    @Test("a data dir that is a file is refused", arguments: allEngines)
    func dataDirectoryIsAFile(engine: EngineKind) throws {
        let directory = TemporaryDirectory()
        let file = directory.child("plain-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: StorageError.dataDirectoryNotADirectory(path: file)) {
            try TableConfiguration(engine: engine).openEngine(in: file)
        }
    }

    @Test("a data dir that cannot be read is refused", arguments: allEngines)
    func dataDirectoryUnreadable(engine: EngineKind) throws {
        let directory = TemporaryDirectory()
        let loop = directory.child("loop")
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        do {
            _ = try TableConfiguration(engine: engine).openEngine(in: loop)
            Issue.record("opening a symlink loop succeeded")
        } catch let error as StorageError {
            guard case .dataDirectoryUnusable(let path, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == loop)
            #expect(reason.contains("symbolic links"))
        }
    }

    @Test("a directory holding another engine's files is refused", arguments: persistentEngines)
    func otherEnginesFiles(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        try fixture.open().close()
        for other in EngineKind.allCases where other != engine {
            #expect(throws: StorageError.engineMismatch(path: fixture.tablePath, configured: other, found: engine)) {
                try TableConfiguration(engine: other).openEngine(in: fixture.tablePath)
            }
        }
        // The refused open left the original data intact.
        try fixture.open().close()
    }
}

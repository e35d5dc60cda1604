import CairnStorage
import MemoryEngine

/// A memory engine whose reads fail on demand, as a dying disk's would.
final class FailingEngine: StorageEngine, @unchecked Sendable {
    let inner = MemoryEngine()
    /// While set, every read throws an I/O error.
    var readsFail = false
    /// Puts performed so far.
    private(set) var putCount = 0

    var kind: EngineKind { inner.kind }

    func withValue<Result>(forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result) throws -> Result {
        if readsFail { throw StorageError.io(operation: "read", path: "failing-engine", reason: "injected failure") }
        return try inner.withValue(forKey: key, body)
    }

    func put(_ key: Bytes, _ value: Bytes) throws {
        putCount += 1
        try inner.put(key, value)
    }

    func delete(_ key: Bytes) throws { try inner.delete(key) }
    func apply(_ batch: WriteBatch) throws { try inner.apply(batch) }

    func scan(_ range: KeyRange, _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision) throws {
        if readsFail { throw StorageError.io(operation: "scan", path: "failing-engine", reason: "injected failure") }
        try inner.scan(range, visit)
    }

    func statistics() throws -> EngineStatistics { try inner.statistics() }
    func sync() throws { try inner.sync() }
    func close() throws { try inner.close() }
}

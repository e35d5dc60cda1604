/// The limits every engine enforces, the same for all of them, so a table can move between engines.
///
/// Each is checked before any engine is touched, and breaking one throws a `StorageError` naming it.
public enum StorageLimits {
    /// Longest key: LMDB's compiled-in maximum (`mdb_env_get_maxkeysize`, 511 bytes), applied to every engine.
    public static let keyBytesMax = 511
    /// Shortest key: LMDB rejects empty keys, so every engine does.
    public static let keyBytesMin = 1
    /// Largest value: 64 MiB. Replication stores whole sibling sets as one value, so this stays generous.
    public static let valueBytesMax = 64 << 20
    /// Most operations in one atomic batch.
    public static let batchOperationsMax = 100_000
    /// Most key and value bytes in one atomic batch: 256 MiB.
    public static let batchPayloadBytesMax = 256 << 20

    /// Throws unless `key` is a storable key.
    @inlinable
    public static func check(key: Bytes) throws(StorageError) {
        if key.count < keyBytesMin { throw .keyEmpty }
        if key.count > keyBytesMax { throw .keyTooLarge(bytes: key.count, limit: keyBytesMax) }
    }

    /// Throws unless `value` is a storable value.
    @inlinable
    public static func check(value: Bytes) throws(StorageError) {
        if value.count > valueBytesMax { throw .valueTooLarge(bytes: value.count, limit: valueBytesMax) }
    }

    /// Throws unless every operation of `batch` and the batch as a whole are within limits.
    public static func check(batch: WriteBatch) throws(StorageError) {
        if batch.count > batchOperationsMax {
            throw .batchTooLarge(operations: batch.count, limit: batchOperationsMax)
        }
        if batch.payloadBytes > batchPayloadBytesMax {
            throw .batchPayloadTooLarge(bytes: batch.payloadBytes, limit: batchPayloadBytesMax)
        }
        for operation in batch.operations {
            switch operation {
            case .put(let key, let value):
                try check(key: key)
                try check(value: value)
            case .delete(let key):
                try check(key: key)
            }
        }
    }
}

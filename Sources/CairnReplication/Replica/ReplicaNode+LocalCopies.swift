import CairnCore

/// Reading this node's stored copies, and counting (and logging) those that could not be read or merged.
extension ReplicaNode {
    /// The stored copy of a key, or empty when absent. Throws `storageFailure` when the engine fails and
    /// `corruptReplicaData` when the bytes do not decode: an unreadable copy is never taken for an absent one.
    func localCopy(table: String, key: [UInt8]) throws(ReplicationError) -> SiblingSet {
        try storedCopy(table: table, key: key)?.copy ?? .empty
    }

    /// The stored copy of a key, decoded and as stored; nil when absent. Throws as `localCopy` does.
    func storedCopy(table: String, key: [UInt8]) throws(ReplicationError) -> (copy: SiblingSet, data: [UInt8])? {
        guard let data = try storedBytes(table: table, key: key) else { return nil }
        return (try SiblingSetCodec.decode(data), data)
    }

    /// The stored bytes of a key, undecoded; nil when absent. Throws `storageFailure` when the engine fails.
    func storedBytes(table: String, key: [UInt8]) throws(ReplicationError) -> [UInt8]? {
        do {
            return try storage.load(table: table, key: key)
        } catch {
            throw .storageFailure("table '\(table)', key of \(key.count) bytes: \(error)")
        }
    }

    /// Counts a stored copy (or held hint) that could not be read and says so in the log.
    mutating func unreadable(_ error: ReplicationError, table: String, key: [UInt8], doing what: String) -> Directive {
        unreadableCopyCount += 1
        return .log("\(id): unreadable copy of a key of \(key.count) bytes in '\(table)' while \(what), left as it is: \(error)")
    }

    /// Counts a merge refused at a limit and says so in the log.
    mutating func refusedMerge(_ error: ReplicationError, table: String, key: [UInt8], doing what: String) -> Directive {
        refusedMergeCount += 1
        return .log("\(id): refused \(what) of a key of \(key.count) bytes in '\(table)': \(error)")
    }

    func policy(of table: String) -> ConflictPolicy {
        configuration.tables[table]?.policy ?? .siblings
    }
}

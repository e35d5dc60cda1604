import CairnStorage

/// One stored entry, shared by the hash map (point operations) and the sorted index (scans), so an
/// overwrite changes the value in place without searching the index.
final class MemoryEntry {
    let key: Bytes
    var value: Bytes

    init(key: Bytes, value: Bytes) {
        self.key = key
        self.value = value
    }
}

/// The entries of the memory engine in byte-wise key order, kept as a list of sorted chunks.
///
/// Each chunk holds at most `chunkKeysMax` keys; a lookup binary-searches the chunks' first keys and then one
/// chunk, so an insert moves at most one chunk's worth of references. This is the layout of Python's
/// sortedcontainers, chosen over a balanced tree for its small code and cache-friendly scans.
struct SortedKeyIndex {
    /// Keys per chunk before it splits in two.
    static let chunkKeysMax = 512

    private(set) var chunks: [[MemoryEntry]] = []

    /// Index of the chunk that holds or would hold `key`: the last chunk whose first key is ≤ key, or 0.
    private func chunkIndex(for key: UnsafeRawBufferPointer) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if compareBytes(key, chunks[middle][0].key) >= 0 { low = middle + 1 } else { high = middle }
        }
        return Swift.max(low - 1, 0)
    }

    /// Position of the first key ≥ `key` inside `chunk`, and whether it equals `key`.
    private static func position(of key: UnsafeRawBufferPointer, in chunk: [MemoryEntry]) -> (index: Int, found: Bool) {
        var low = 0
        var high = chunk.count
        while low < high {
            let middle = (low + high) / 2
            let order = compareBytes(key, chunk[middle].key)
            if order == 0 { return (middle, true) }
            if order > 0 { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }

    /// Adds an entry whose key is not in the index yet.
    mutating func insert(_ entry: MemoryEntry) {
        guard !chunks.isEmpty else {
            chunks.append([entry])
            return
        }
        entry.key.withUnsafeBytes { rawKey in
            let chunkAt = chunkIndex(for: rawKey)
            let (index, found) = Self.position(of: rawKey, in: chunks[chunkAt])
            assert(!found, "insert takes only new keys")
            chunks[chunkAt].insert(entry, at: index)
            if chunks[chunkAt].count > Self.chunkKeysMax { split(chunkAt) }
        }
    }

    /// Removes a key that is in the index.
    mutating func remove(_ key: Bytes) {
        key.withUnsafeBytes { rawKey in
            let chunkAt = chunkIndex(for: rawKey)
            let (index, found) = Self.position(of: rawKey, in: chunks[chunkAt])
            assert(found, "remove takes only present keys")
            guard found else { return }
            chunks[chunkAt].remove(at: index)
            if chunks[chunkAt].isEmpty { chunks.remove(at: chunkAt) }
        }
    }

    /// Visits the entries of `range` in ascending key order until `visit` says stop.
    func scan(_ range: KeyRange, _ visit: (MemoryEntry) throws -> ScanDecision) rethrows {
        guard !chunks.isEmpty, !range.isEmpty else { return }
        var chunkAt = 0
        var index = 0
        if let lowerBound = range.lowerBound {
            lowerBound.withUnsafeBytes { rawLower in
                chunkAt = chunkIndex(for: rawLower)
                index = Self.position(of: rawLower, in: chunks[chunkAt]).index
            }
        }
        while chunkAt < chunks.count {
            let chunk = chunks[chunkAt]
            while index < chunk.count {
                let entry = chunk[index]
                if entry.key.withUnsafeBytes({ range.isPastEnd($0) }) { return }
                if try visit(entry) == .stop { return }
                index += 1
            }
            chunkAt += 1
            index = 0
        }
    }

    private mutating func split(_ chunkAt: Int) {
        let half = chunks[chunkAt].count / 2
        let upper = Array(chunks[chunkAt][half...])
        chunks[chunkAt].removeSubrange(half...)
        chunks.insert(upper, at: chunkAt + 1)
        assert(chunks[chunkAt].count <= Self.chunkKeysMax && upper.count <= Self.chunkKeysMax)
    }
}

/// A byte key hashed as one block of bytes (faster than hashing an array element by element).
struct HashedKey: Hashable {
    let bytes: Bytes

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

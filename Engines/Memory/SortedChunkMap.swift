import CairnStorage

/// An ordered map from byte keys to byte values, kept as a list of sorted chunks.
///
/// Each chunk holds at most `chunkEntriesMax` entries; a lookup binary-searches the chunks' first keys and
/// then one chunk, so inserts move at most one chunk's worth of references. This is the layout of Python's
/// sortedcontainers, chosen over a balanced tree for its small code and cache-friendly scans.
struct SortedChunkMap {
    /// Entries per chunk before it splits in two.
    static let chunkEntriesMax = 512

    struct Chunk {
        var keys: [Bytes]
        var values: [Bytes]
    }

    private(set) var chunks: [Chunk] = []
    private(set) var count = 0

    /// Index of the chunk that holds or would hold `key`.
    private func chunkIndex(for key: UnsafeRawBufferPointer) -> Int {
        // The last chunk whose first key is ≤ key, or 0.
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if compareBytes(key, chunks[middle].keys[0]) >= 0 { low = middle + 1 } else { high = middle }
        }
        return Swift.max(low - 1, 0)
    }

    /// Position of the first key ≥ `key` inside `chunk`, and whether it equals `key`.
    private static func position(of key: UnsafeRawBufferPointer, in chunk: Chunk) -> (index: Int, found: Bool) {
        var low = 0
        var high = chunk.keys.count
        while low < high {
            let middle = (low + high) / 2
            let order = compareBytes(key, chunk.keys[middle])
            if order == 0 { return (middle, true) }
            if order > 0 { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }

    func withValue<Result>(forKey key: Bytes, _ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
        guard !chunks.isEmpty else { return try body(nil) }
        return try key.withUnsafeBytes { rawKey in
            let chunk = chunks[chunkIndex(for: rawKey)]
            let (index, found) = Self.position(of: rawKey, in: chunk)
            guard found else { return try body(nil) }
            return try chunk.values[index].withUnsafeBytes { try body($0) }
        }
    }

    /// Stores `value`; returns the replaced value's size, or nil when the key was new.
    @discardableResult
    mutating func put(_ key: Bytes, _ value: Bytes) -> Int? {
        guard !chunks.isEmpty else {
            chunks.append(Chunk(keys: [key], values: [value]))
            count = 1
            return nil
        }
        return key.withUnsafeBytes { rawKey -> Int? in
            let chunkAt = chunkIndex(for: rawKey)
            let (index, found) = Self.position(of: rawKey, in: chunks[chunkAt])
            if found {
                let replaced = chunks[chunkAt].values[index].count
                chunks[chunkAt].values[index] = value
                return replaced
            }
            chunks[chunkAt].keys.insert(key, at: index)
            chunks[chunkAt].values.insert(value, at: index)
            count += 1
            if chunks[chunkAt].keys.count > Self.chunkEntriesMax { split(chunkAt) }
            return nil
        }
    }

    /// Removes `key`; returns the removed entry's key and value sizes, or nil when it was absent.
    @discardableResult
    mutating func remove(_ key: Bytes) -> Int? {
        guard !chunks.isEmpty else { return nil }
        return key.withUnsafeBytes { rawKey -> Int? in
            let chunkAt = chunkIndex(for: rawKey)
            let (index, found) = Self.position(of: rawKey, in: chunks[chunkAt])
            guard found else { return nil }
            let removedBytes = chunks[chunkAt].keys[index].count + chunks[chunkAt].values[index].count
            chunks[chunkAt].keys.remove(at: index)
            chunks[chunkAt].values.remove(at: index)
            count -= 1
            if chunks[chunkAt].keys.isEmpty { chunks.remove(at: chunkAt) }
            return removedBytes
        }
    }

    /// Visits entries of `range` in ascending order until `visit` says stop.
    func scan(
        _ range: KeyRange,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) rethrows {
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
            while index < chunk.keys.count {
                let decision = try chunk.keys[index].withUnsafeBytes { rawKey -> ScanDecision in
                    if range.isPastEnd(rawKey) { return .stop }
                    return try chunk.values[index].withUnsafeBytes { try visit(rawKey, $0) }
                }
                if decision == .stop { return }
                index += 1
            }
            chunkAt += 1
            index = 0
        }
    }

    private mutating func split(_ chunkAt: Int) {
        let half = chunks[chunkAt].keys.count / 2
        let upper = Chunk(
            keys: Array(chunks[chunkAt].keys[half...]), values: Array(chunks[chunkAt].values[half...]))
        chunks[chunkAt].keys.removeSubrange(half...)
        chunks[chunkAt].values.removeSubrange(half...)
        chunks.insert(upper, at: chunkAt + 1)
        assert(chunks[chunkAt].keys.count <= Self.chunkEntriesMax && upper.keys.count <= Self.chunkEntriesMax)
    }
}

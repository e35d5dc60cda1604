import CairnStorage
import CMemoryPrefetch

/// A run of entries in key order with their key heads beside them, so a search inside it reads contiguous heads.
struct SortedChunk {
    var heads: [KeyHead]
    var entries: [MemoryEntry]
}

/// The entries of the memory engine in byte-wise key order, kept as a list of sorted chunks.
///
/// Each chunk holds at most `chunkKeysMax` entries; a search binary-searches the chunks' first key heads, then
/// one chunk's heads, and reads a full key only when two heads tie. An insert moves at most one chunk's worth
/// of references and a split copies half a chunk, so no operation rebuilds the whole index.
struct SortedKeyIndex {
    /// Entries per chunk before it splits in two.
    static let chunkKeysMax = 256
    /// How many entries ahead a scan asks the processor to fetch.
    static let prefetchDistance = 8

    private(set) var chunks: [SortedChunk] = []
    /// `firstHeads[i]` is `chunks[i].heads[0]`, kept apart so the outer search reads one small array.
    private var firstHeads: [KeyHead] = []

    /// -1, 0 or 1 as `key` (with head `head`) sorts before, equal to or after the first key of chunk `chunkAt`.
    /// The chunk's first entry is read only when the heads tie, so most steps of a search touch no entry.
    @inline(__always)
    private func orderToFirst(_ key: UnsafeRawBufferPointer, _ head: KeyHead, chunkAt: Int) -> Int {
        let byHead = head.order(firstHeads[chunkAt])
        if byHead != 0 { return byHead }
        return chunks[chunkAt].entries[0].withKey { compareBytes(key, $0) }
    }

    /// Index of the chunk that holds or would hold `key`: the last chunk whose first key is ≤ key, or 0.
    private func chunkIndex(for key: UnsafeRawBufferPointer, _ head: KeyHead) -> Int {
        var low = 0
        var high = chunks.count
        while low < high {
            let middle = (low + high) / 2
            if orderToFirst(key, head, chunkAt: middle) >= 0 {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return Swift.max(low - 1, 0)
    }

    /// Position of the first key ≥ `key` inside chunk `chunkAt`, and whether it equals `key`.
    private func position(of key: UnsafeRawBufferPointer, _ head: KeyHead, inChunk chunkAt: Int) -> (index: Int, found: Bool) {
        chunks[chunkAt].heads.withUnsafeBufferPointer { heads in
            var low = 0
            var high = heads.count
            while low < high {
                let middle = (low + high) / 2
                var order = head.order(heads[middle])
                if order == 0 { order = chunks[chunkAt].entries[middle].withKey { compareBytes(key, $0) } }
                if order == 0 { return (middle, true) }
                if order > 0 { low = middle + 1 } else { high = middle }
            }
            return (low, false)
        }
    }

    /// Where `key` is or would be: its chunk, its position there, and whether it is present.
    private func locate(_ key: UnsafeRawBufferPointer) -> (chunkAt: Int, index: Int, found: Bool) {
        let head = KeyHead(key)
        let chunkAt = chunkIndex(for: key, head)
        let (index, found) = position(of: key, head, inChunk: chunkAt)
        return (chunkAt, index, found)
    }

    /// Adds an entry whose key is not in the index yet.
    mutating func insert(_ entry: MemoryEntry) {
        let head = entry.withKey { KeyHead($0) }
        guard !chunks.isEmpty else {
            chunks.append(SortedChunk(heads: [head], entries: [entry]))
            firstHeads.append(head)
            return
        }
        let (chunkAt, index, found) = entry.withKey { locate($0) }
        assert(!found, "insert takes only new keys")
        chunks[chunkAt].heads.insert(head, at: index)
        chunks[chunkAt].entries.insert(entry, at: index)
        if index == 0 { firstHeads[chunkAt] = head }
        if chunks[chunkAt].entries.count > Self.chunkKeysMax { split(chunkAt) }
    }

    /// Puts `entry` in the place of the entry with the same key, which is in the index.
    mutating func replace(with entry: MemoryEntry) {
        let (chunkAt, index, found) = entry.withKey { locate($0) }
        assert(found, "replace takes only present keys")
        guard found else { return }
        chunks[chunkAt].entries[index] = entry
    }

    /// Removes a key that is in the index.
    mutating func remove(_ key: Bytes) {
        let (chunkAt, index, found) = key.withUnsafeBytes { locate($0) }
        assert(found, "remove takes only present keys")
        guard found else { return }
        chunks[chunkAt].heads.remove(at: index)
        chunks[chunkAt].entries.remove(at: index)
        if chunks[chunkAt].entries.isEmpty {
            chunks.remove(at: chunkAt)
            firstHeads.remove(at: chunkAt)
        } else if index == 0 {
            firstHeads[chunkAt] = chunks[chunkAt].heads[0]
        }
    }

    /// Visits the entries of `range` in ascending key order until `visit` says stop.
    func scan(_ range: KeyRange, _ visit: (MemoryEntry) throws -> ScanDecision) rethrows {
        guard !chunks.isEmpty, !range.isEmpty else { return }
        var chunkAt = 0
        var index = 0
        if let lowerBound = range.lowerBound {
            (chunkAt, index, _) = lowerBound.withUnsafeBytes { locate($0) }
        }
        let firstChunk = chunkAt
        while chunkAt < chunks.count {
            let stop = try chunks[chunkAt].entries.withUnsafeBufferPointer { entries -> Bool in
                // The first entries are fetched together, so a short scan does not wait on them one by one.
                if chunkAt == firstChunk {
                    for ahead in index..<Swift.min(index + Self.prefetchDistance, entries.count) { prefetch(entries[ahead]) }
                }
                while index < entries.count {
                    let ahead = index + Self.prefetchDistance
                    if ahead < entries.count { prefetch(entries[ahead]) }
                    // The array keeps the entry alive; borrowing it spares an atomic retain and release per entry.
                    let decision = try Unmanaged.passUnretained(entries[index])._withUnsafeGuaranteedRef { entry -> ScanDecision? in
                        if range.upperBound != nil, entry.withKey({ range.isPastEnd($0) }) { return nil }
                        return try visit(entry)
                    }
                    if decision != .next { return true }
                    index += 1
                }
                return false
            }
            if stop { return }
            chunkAt += 1
            index = 0
        }
    }

    private mutating func split(_ chunkAt: Int) {
        let half = chunks[chunkAt].entries.count / 2
        let upper = SortedChunk(
            heads: Array(chunks[chunkAt].heads[half...]), entries: Array(chunks[chunkAt].entries[half...]))
        chunks[chunkAt].heads.removeSubrange(half...)
        chunks[chunkAt].entries.removeSubrange(half...)
        chunks.insert(upper, at: chunkAt + 1)
        firstHeads.insert(upper.heads[0], at: chunkAt + 1)
        assert(chunks[chunkAt].entries.count <= Self.chunkKeysMax && upper.entries.count <= Self.chunkKeysMax)
    }
}

/// Asks the processor to start loading `entry` (its header and key), so a scan does not wait on each entry in turn.
@inline(__always)
private func prefetch(_ entry: MemoryEntry) {
    cairn_prefetch(UnsafeRawPointer(Unmanaged.passUnretained(entry).toOpaque()))
}

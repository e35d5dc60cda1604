import CairnStorage
import CMemoryPrefetch

/// A run of entries in key order with their key heads beside them, so a search inside it reads contiguous heads.
struct SortedChunk {
    var heads: [KeyHead]
    var entries: [MemoryEntry]
}

/// Consecutive chunks with their first key heads, so a search reads one small array per level.
struct ChunkGroup {
    var chunks: [SortedChunk]
    /// `firstHeads[i]` is `chunks[i].heads[0]`.
    var firstHeads: [KeyHead]
}

/// The entries of the memory engine in byte-wise key order, kept as groups of sorted chunks.
///
/// Each chunk holds at most `chunkKeysMax` entries and each group at most `groupChunksMax` chunks; a search
/// binary-searches the groups' first key heads, one group's chunk heads, then one chunk's heads, and reads a full
/// key only when two heads tie. An insert moves at most one chunk's worth of references, so no operation rebuilds
/// the whole index.
///
/// It is a value: every level is a copy-on-write array, so a copy is a snapshot that later changes never reach.
/// A change made while a snapshot shares the index copies only the path it changes (the group list, one group's
/// chunk list, one chunk: a few hundred references), never the whole index; with no snapshot alive it changes
/// the arrays in place.
struct SortedKeyIndex {
    /// Entries per chunk before it splits in two.
    static let chunkKeysMax = 256
    /// Chunks per group before it splits in two.
    static let groupChunksMax = 64
    /// How many entries ahead a scan asks the processor to fetch.
    static let prefetchDistance = 8

    private(set) var groups: [ChunkGroup] = []
    /// `groupFirstHeads[i]` is `groups[i].firstHeads[0]`.
    private var groupFirstHeads: [KeyHead] = []

    /// Where a key is or would be: its group, its chunk in the group, and its position in the chunk.
    struct Position {
        var group: Int
        var chunk: Int
        var index: Int
    }

    /// Index of the last of `heads` (the first heads of `count` runs) whose run's first key is ≤ `key`, or 0.
    /// `firstKey(i)` reads run `i`'s first entry, only when the heads tie.
    @inline(__always)
    private static func lastRun(
        atOrBefore key: UnsafeRawBufferPointer, _ head: KeyHead, heads: [KeyHead], firstEntry: (Int) -> MemoryEntry
    ) -> Int {
        heads.withUnsafeBufferPointer { heads in
            var low = 0
            var high = heads.count
            while low < high {
                let middle = (low + high) / 2
                var order = head.order(heads[middle])
                if order == 0 { order = firstEntry(middle).withKey { compareBytes(key, $0) } }
                if order >= 0 { low = middle + 1 } else { high = middle }
            }
            return Swift.max(low - 1, 0)
        }
    }

    /// Position of the first key ≥ `key` inside `chunk`, and whether it equals `key`.
    @inline(__always)
    private static func position(
        of key: UnsafeRawBufferPointer, _ head: KeyHead, in chunk: SortedChunk
    ) -> (index: Int, found: Bool) {
        chunk.heads.withUnsafeBufferPointer { heads in
            var low = 0
            var high = heads.count
            while low < high {
                let middle = (low + high) / 2
                var order = head.order(heads[middle])
                if order == 0 { order = chunk.entries[middle].withKey { compareBytes(key, $0) } }
                if order == 0 { return (middle, true) }
                if order > 0 { low = middle + 1 } else { high = middle }
            }
            return (low, false)
        }
    }

    /// Where `key` is or would be, and whether it is present. The index is not empty.
    private func locate(_ key: UnsafeRawBufferPointer) -> (Position, found: Bool) {
        assert(!groups.isEmpty, "locate searches a non-empty index")
        let head = KeyHead(key)
        let group = Self.lastRun(atOrBefore: key, head, heads: groupFirstHeads) { groups[$0].chunks[0].entries[0] }
        let chunk = Self.lastRun(atOrBefore: key, head, heads: groups[group].firstHeads) {
            groups[group].chunks[$0].entries[0]
        }
        let (index, found) = Self.position(of: key, head, in: groups[group].chunks[chunk])
        return (Position(group: group, chunk: chunk, index: index), found)
    }

    /// Adds an entry whose key is not in the index yet.
    mutating func insert(_ entry: MemoryEntry) {
        let head = entry.withKey { KeyHead($0) }
        guard !groups.isEmpty else {
            groups.append(ChunkGroup(chunks: [SortedChunk(heads: [head], entries: [entry])], firstHeads: [head]))
            groupFirstHeads.append(head)
            return
        }
        let (at, found) = entry.withKey { locate($0) }
        assert(!found, "insert takes only new keys")
        groups[at.group].chunks[at.chunk].heads.insert(head, at: at.index)
        groups[at.group].chunks[at.chunk].entries.insert(entry, at: at.index)
        if at.index == 0 { firstHeadChanged(at) }
        if groups[at.group].chunks[at.chunk].entries.count > Self.chunkKeysMax { splitChunk(at) }
    }

    /// Puts `entry` in the place of the entry with the same key, which is in the index.
    mutating func replace(with entry: MemoryEntry) {
        guard !groups.isEmpty else {
            assertionFailure("replace takes only present keys")
            return
        }
        let (at, found) = entry.withKey { locate($0) }
        assert(found, "replace takes only present keys")
        guard found else { return }
        groups[at.group].chunks[at.chunk].entries[at.index] = entry
    }

    /// Removes a key that is in the index.
    mutating func remove(_ key: Bytes) {
        guard !groups.isEmpty else {
            assertionFailure("remove takes only present keys")
            return
        }
        let (at, found) = key.withUnsafeBytes { locate($0) }
        assert(found, "remove takes only present keys")
        guard found else { return }
        groups[at.group].chunks[at.chunk].heads.remove(at: at.index)
        groups[at.group].chunks[at.chunk].entries.remove(at: at.index)
        if !groups[at.group].chunks[at.chunk].entries.isEmpty {
            if at.index == 0 { firstHeadChanged(at) }
            return
        }
        groups[at.group].chunks.remove(at: at.chunk)
        groups[at.group].firstHeads.remove(at: at.chunk)
        if groups[at.group].chunks.isEmpty {
            groups.remove(at: at.group)
            groupFirstHeads.remove(at: at.group)
        } else if at.chunk == 0 {
            groupFirstHeads[at.group] = groups[at.group].firstHeads[0]
        }
    }

    /// Copies the new first head of the chunk at `at` (whose first entry changed) up to the levels above.
    private mutating func firstHeadChanged(_ at: Position) {
        let head = groups[at.group].chunks[at.chunk].heads[0]
        groups[at.group].firstHeads[at.chunk] = head
        if at.chunk == 0 { groupFirstHeads[at.group] = head }
    }

    /// Visits the entries of `range` in ascending key order until `visit` says stop.
    func scan(_ range: KeyRange, _ visit: (MemoryEntry) throws -> ScanDecision) rethrows {
        guard !groups.isEmpty, !range.isEmpty else { return }
        var at = Position(group: 0, chunk: 0, index: 0)
        if let lowerBound = range.lowerBound {
            (at, _) = lowerBound.withUnsafeBytes { locate($0) }
        }
        var first = true
        while at.group < groups.count {
            let chunks = groups[at.group].chunks
            while at.chunk < chunks.count {
                if try Self.scan(chunks[at.chunk].entries, from: at.index, range, prefetchFirst: first, visit) { return }
                first = false
                at.chunk += 1
                at.index = 0
            }
            at.group += 1
            at.chunk = 0
        }
    }

    /// Visits `entries` from `index` while they lie in `range`; returns true when the scan must stop (the range
    /// ended or `visit` said stop).
    @inline(__always)
    private static func scan(
        _ entries: [MemoryEntry], from start: Int, _ range: KeyRange, prefetchFirst: Bool,
        _ visit: (MemoryEntry) throws -> ScanDecision
    ) rethrows -> Bool {
        try entries.withUnsafeBufferPointer { entries -> Bool in
            // The first entries are fetched together, so a short scan does not wait on them one by one.
            if prefetchFirst {
                for ahead in start..<Swift.min(start + prefetchDistance, entries.count) { prefetch(entries[ahead]) }
            }
            var index = start
            while index < entries.count {
                let ahead = index + prefetchDistance
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
    }

    /// Splits the chunk at `at` in two halves, and its group too when that passes `groupChunksMax`.
    private mutating func splitChunk(_ at: Position) {
        // Read through the arrays, never through a local copy: a copy would share them and turn the changes
        // below into whole copies.
        let half = groups[at.group].chunks[at.chunk].entries.count / 2
        let upper = SortedChunk(
            heads: Array(groups[at.group].chunks[at.chunk].heads[half...]),
            entries: Array(groups[at.group].chunks[at.chunk].entries[half...]))
        groups[at.group].chunks[at.chunk].heads.removeSubrange(half...)
        groups[at.group].chunks[at.chunk].entries.removeSubrange(half...)
        groups[at.group].chunks.insert(upper, at: at.chunk + 1)
        groups[at.group].firstHeads.insert(upper.heads[0], at: at.chunk + 1)
        assert(groups[at.group].chunks[at.chunk].entries.count <= Self.chunkKeysMax && upper.entries.count <= Self.chunkKeysMax)
        guard groups[at.group].chunks.count > Self.groupChunksMax else { return }
        let groupHalf = groups[at.group].chunks.count / 2
        let upperGroup = ChunkGroup(
            chunks: Array(groups[at.group].chunks[groupHalf...]), firstHeads: Array(groups[at.group].firstHeads[groupHalf...]))
        groups[at.group].chunks.removeSubrange(groupHalf...)
        groups[at.group].firstHeads.removeSubrange(groupHalf...)
        groups.insert(upperGroup, at: at.group + 1)
        groupFirstHeads.insert(upperGroup.firstHeads[0], at: at.group + 1)
    }

    /// Checks every invariant of the index (sorted keys, heads matching their entries, size bounds) and returns
    /// the first one broken, or nil. For tests: it reads every entry.
    func invariantViolation() -> String? {
        guard groups.count == groupFirstHeads.count else { return "group heads count" }
        var previous: Bytes?
        for (groupAt, group) in groups.enumerated() {
            if group.chunks.isEmpty || group.chunks.count > Self.groupChunksMax { return "group \(groupAt) size" }
            if group.chunks.count != group.firstHeads.count { return "group \(groupAt) heads count" }
            if groupFirstHeads[groupAt] != group.firstHeads[0] { return "group \(groupAt) first head" }
            for (chunkAt, chunk) in group.chunks.enumerated() {
                if chunk.entries.isEmpty || chunk.entries.count > Self.chunkKeysMax { return "chunk \(chunkAt) size" }
                if chunk.heads.count != chunk.entries.count { return "chunk \(chunkAt) heads count" }
                if group.firstHeads[chunkAt] != chunk.heads[0] { return "chunk \(chunkAt) first head" }
                for (head, entry) in zip(chunk.heads, chunk.entries) {
                    let key = entry.withKey { Bytes($0) }
                    if key.withUnsafeBytes({ KeyHead($0) }) != head { return "head of a key" }
                    if let previous, compareBytes(previous, key) >= 0 { return "keys out of order" }
                    previous = key
                }
            }
        }
        return nil
    }
}

/// Asks the processor to start loading `entry` (its header and key), so a scan does not wait on each entry in turn.
@inline(__always)
private func prefetch(_ entry: MemoryEntry) {
    cairn_prefetch(UnsafeRawPointer(Unmanaged.passUnretained(entry).toOpaque()))
}

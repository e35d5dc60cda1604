import CairnStorage

/// One change a write makes to the memory engine's sorted index, kept so a batch can make all of its changes at
/// once when it publishes them.
enum IndexChange {
    /// A new key's entry.
    case insert(MemoryEntry)
    /// A new entry for a key the index holds.
    case replace(MemoryEntry)
    /// A key the index holds, removed.
    case remove(Bytes)

    @inline(__always)
    func apply(to index: inout SortedKeyIndex) {
        switch self {
        case .insert(let entry): index.insert(entry)
        case .replace(let entry): index.replace(with: entry)
        case .remove(let key): index.remove(key)
        }
    }
}

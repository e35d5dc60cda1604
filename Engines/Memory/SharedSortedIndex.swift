import CairnStorage

/// The memory engine's sorted index behind one reference, so a copy (a scan's snapshot, a batch's working copy) is
/// a single retain.
///
/// Copy-on-write like the index itself: `change` first replaces a shared box by a box of its own (which still
/// shares the index's arrays, so the change copies only the path it touches), so a copy never sees later changes.
struct SharedSortedIndex {
    /// Holds the index as its header, so the index is reached through a pointer: reading it for a scan neither
    /// copies it out (two more retains) nor goes through a dynamic exclusivity check.
    private final class Box: ManagedBuffer<SortedKeyIndex, Void> {
        static func make(_ index: SortedKeyIndex) -> Box {
            unsafeDowncast(create(minimumCapacity: 0) { _ in index }, to: Box.self)
        }
    }

    private var box = Box.make(SortedKeyIndex())

    /// Applies `body` to this copy's index, first giving this copy a box of its own if another copy shares it.
    @inline(__always)
    mutating func change<Result>(_ body: (inout SortedKeyIndex) throws -> Result) rethrows -> Result {
        if !isKnownUniquelyReferenced(&box) { box = Box.make(box.header) }
        return try box.withUnsafeMutablePointerToHeader { try body(&$0.pointee) }
    }

    /// Visits the entries of `range` in ascending key order until `visit` says stop (`SortedKeyIndex.scan`).
    @inline(__always)
    func scan(_ range: KeyRange, _ visit: (MemoryEntry) throws -> ScanDecision) rethrows {
        try box.withUnsafeMutablePointerToHeader { try $0.pointee.scan(range, visit) }
    }

    /// The index, for tests and checks: a copy, so reading it retains its arrays.
    var index: SortedKeyIndex { box.header }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CMemoryPrefetch

/// One slot of a shard: a key's 64-bit hash and its entry (retained by the table), or no entry when empty.
struct ShardSlot {
    var hash: UInt64
    var entry: Unmanaged<MemoryEntry>?
}

/// One shard of the point map: an open-addressing hash table with linear probing, keyed by the entries' own keys.
///
/// A lookup reads one slot (the stored hash rules out most other keys without touching their entries), then the
/// entry. Deletion shifts later slots back, so no tombstones build up. The table doubles at three-quarters full,
/// rehashing only this shard's keys.
struct ShardTable {
    static let capacityInitial = 8

    private var slots: UnsafeMutablePointer<ShardSlot>?
    private var mask = -1
    private(set) var count = 0

    /// Releases every entry and the slots; the table is empty afterwards.
    mutating func removeAll() {
        guard let slots else { return }
        for index in 0...mask { slots[index].entry?.release() }
        slots.deallocate()
        self = ShardTable()
    }

    @inline(__always)
    private static func matches(_ entry: Unmanaged<MemoryEntry>, _ key: UnsafeRawBufferPointer) -> Bool {
        entry._withUnsafeGuaranteedRef { stored in
            stored.withKey { $0.count == key.count && memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }
        }
    }

    /// The slot holding `key`, or nil.
    @inline(__always)
    private func slotIndex(of key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        guard let slots else { return nil }
        var index = Int(truncatingIfNeeded: hash) & mask
        while let entry = slots[index].entry {
            if slots[index].hash == hash, Self.matches(entry, key) { return index }
            index = (index + 1) & mask
        }
        return nil
    }

    /// Asks the processor to start loading the slot where a lookup of `hash` begins.
    @inline(__always)
    func prefetchSlot(hash: UInt64) {
        guard let slots else { return }
        cairn_prefetch(UnsafeRawPointer(slots + (Int(truncatingIfNeeded: hash) & mask)))
    }

    /// The entry stored under `key`, or nil.
    @inline(__always)
    func entry(for key: UnsafeRawBufferPointer, hash: UInt64) -> MemoryEntry? {
        guard let index = slotIndex(of: key, hash: hash) else { return nil }
        return slots![index].entry!.takeUnretainedValue()
    }

    /// Calls `body` with the entry stored under `key`, or nil, borrowed from the table (no retain or release, so
    /// readers of a hot key do not write to its entry); the entry must not outlive `body`.
    @inline(__always)
    func withEntry<Result>(
        for key: UnsafeRawBufferPointer, hash: UInt64, _ body: (MemoryEntry?) throws -> Result
    ) rethrows -> Result {
        guard let index = slotIndex(of: key, hash: hash) else { return try body(nil) }
        return try slots![index].entry!._withUnsafeGuaranteedRef { try body($0) }
    }

    /// Stores `entry` under its key, in place of any entry with that key; returns whether the key was new.
    mutating func set(_ entry: MemoryEntry, hash: UInt64) -> Bool {
        let replaced = entry.withKey { key -> Bool in
            guard let index = slotIndex(of: key, hash: hash) else { return false }
            slots![index].entry!.release()
            slots![index].entry = Unmanaged.passRetained(entry)
            return true
        }
        if replaced { return false }
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        place(ShardSlot(hash: hash, entry: Unmanaged.passRetained(entry)))
        count += 1
        return true
    }

    /// Removes `key`; returns its entry, or nil when it was absent.
    mutating func remove(_ key: UnsafeRawBufferPointer, hash: UInt64) -> MemoryEntry? {
        guard var hole = slotIndex(of: key, hash: hash), let slots else { return nil }
        let removed = slots[hole].entry!
        slots[hole].entry = nil
        // Shift back every later slot of the run that may move into the hole without passing its home slot.
        var next = hole
        while true {
            next = (next + 1) & mask
            guard slots[next].entry != nil else { break }
            let home = Int(truncatingIfNeeded: slots[next].hash) & mask
            let homeInRange = hole < next ? (home > hole && home <= next) : (home > hole || home <= next)
            if !homeInRange {
                slots[hole] = slots[next]
                slots[next].entry = nil
                hole = next
            }
        }
        count -= 1
        return removed.takeRetainedValue()
    }

    /// Puts a slot into the first empty place of its probe run; the table has room.
    private mutating func place(_ slot: ShardSlot) {
        var index = Int(truncatingIfNeeded: slot.hash) & mask
        while slots![index].entry != nil { index = (index + 1) & mask }
        slots![index] = slot
    }

    /// Doubles the slots (or makes the first ones) and moves every entry over; only this shard is rehashed.
    private mutating func grow() {
        let old = slots
        let oldCapacity = mask + 1
        let capacity = Swift.max(Self.capacityInitial, oldCapacity * 2)
        slots = .allocate(capacity: capacity)
        slots!.initialize(repeating: ShardSlot(hash: 0, entry: nil), count: capacity)
        mask = capacity - 1
        guard let old else { return }
        for index in 0..<oldCapacity where old[index].entry != nil { place(old[index]) }
        old.deallocate()
    }
}

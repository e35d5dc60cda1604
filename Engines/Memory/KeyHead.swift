/// The first 16 bytes of a key, zero-padded, as two big-endian words, so most key comparisons of the sorted
/// index are two integer comparisons on contiguous memory instead of a call to memcmp through a pointer.
///
/// When two heads differ, their order is the keys' byte-wise order. When they are equal (keys longer than
/// 16 bytes that share a 16-byte prefix, or keys that differ only by trailing zero bytes), the full keys decide.
struct KeyHead: Equatable {
    let high: UInt64
    let low: UInt64

    init(_ key: UnsafeRawBufferPointer) {
        high = Self.word(key, from: 0)
        low = Self.word(key, from: 8)
    }

    /// Eight bytes of `key` from `offset` as a big-endian number, zero-padded past its end.
    @inline(__always)
    private static func word(_ key: UnsafeRawBufferPointer, from offset: Int) -> UInt64 {
        if key.count >= offset + 8 {
            return UInt64(bigEndian: key.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        }
        var word: UInt64 = 0
        var index = offset
        while index < offset + 8 {
            word <<= 8
            if index < key.count { word |= UInt64(key[index]) }
            index += 1
        }
        return word
    }

    /// -1, 0 or 1 as `self` sorts before, equal to or after `other`; 0 means the full keys must decide.
    @inline(__always)
    func order(_ other: KeyHead) -> Int {
        if high != other.high { return high < other.high ? -1 : 1 }
        if low != other.low { return low < other.low ? -1 : 1 }
        return 0
    }
}

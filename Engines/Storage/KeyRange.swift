/// A half-open range of keys in byte-wise order: `lowerBound ≤ key < upperBound`.
///
/// A nil bound is unbounded on that side. An empty range (lower ≥ upper) visits nothing.
public struct KeyRange: Sendable, Equatable {
    /// The first key included; nil starts at the smallest key.
    public var lowerBound: Bytes?
    /// The first key excluded; nil runs to the end of the table.
    public var upperBound: Bytes?

    public init(from lowerBound: Bytes? = nil, to upperBound: Bytes? = nil) {
        self.lowerBound = lowerBound
        self.upperBound = upperBound
    }

    /// Whether the range can hold no key at all.
    public var isEmpty: Bool {
        guard let lowerBound, let upperBound else { return false }
        return compareBytes(lowerBound, upperBound) >= 0
    }

    /// Every key in the table.
    public static let all = KeyRange()

    /// Every key that starts with `prefix` (the whole table for an empty prefix).
    public static func prefix(_ prefix: Bytes) -> KeyRange {
        KeyRange(from: prefix.isEmpty ? nil : prefix, to: prefixSuccessor(prefix))
    }

    /// Whether `key` lies at or past the upper bound, so an ascending scan can stop.
    public func isPastEnd(_ key: UnsafeRawBufferPointer) -> Bool {
        guard let upperBound else { return false }
        return compareBytes(key, upperBound) >= 0
    }

    /// The smallest key greater than every key starting with `prefix`, or nil when there is none (all 0xFF).
    static func prefixSuccessor(_ prefix: Bytes) -> Bytes? {
        var successor = prefix
        while let last = successor.last {
            if last < 0xFF {
                successor[successor.count - 1] = last + 1
                return successor
            }
            successor.removeLast()
        }
        return nil
    }
}


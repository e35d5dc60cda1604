import CairnStorage

/// Writes key indices into a reusable key buffer as zero-padded decimal digits, so key order is index order.
///
/// A missing key is an existing key with its last digit replaced by '.', which sorts among the real keys
/// (so bloom filters and page lookups do real work) but is never written.
struct KeyFormat {
    let size: Int

    func write(_ index: Int, into key: inout Bytes, missing: Bool = false) {
        precondition(index >= 0, "key indices are not negative")
        if key.count != size { key = Bytes(repeating: UInt8(ascii: "0"), count: size) }
        key.withUnsafeMutableBytes { buffer in
            var remaining = index
            var position = size - 1
            while position >= 0 {
                buffer[position] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
                position -= 1
            }
            if missing { buffer[size - 1] = UInt8(ascii: ".") }
        }
    }
}

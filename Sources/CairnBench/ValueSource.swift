import CairnCore
import CairnStorage

/// Values that are random per key with a settable compressibility, as db_bench's `--compression_ratio`.
///
/// A pool of pseudo-random bytes is built from 100-byte pieces; each piece is `compressionRatio × 100` random
/// printable bytes repeated to fill the piece, so a compressor shrinks it to about that share. A value is a
/// window of the pool at an offset drawn from its key index and write step, its first 8 bytes drawn the same way.
struct ValueSource: Sendable {
    let pool: [UInt8]
    let valueSize: Int

    /// Bytes of one piece of the pool (db_bench's).
    static let pieceBytes = 100
    /// The pool is at least this large, and at least twice the value size.
    static let poolBytesMin = 1 << 20

    init(valueSize: Int, compressionRatio: Double, seed: UInt64) {
        precondition(valueSize > 0, "values have at least one byte")
        precondition(compressionRatio > 0 && compressionRatio <= 1, "a compression ratio lies in (0, 1]")
        self.valueSize = valueSize
        var random = SplitMix64(seed: seed ^ 0x5641_4C55_4553)
        let total = max(Self.poolBytesMin, 2 * valueSize) + valueSize
        var pool: [UInt8] = []
        pool.reserveCapacity(total + Self.pieceBytes)
        let rawBytes = max(1, Int((Double(Self.pieceBytes) * compressionRatio).rounded()))
        while pool.count < total {
            // Printable ASCII (' '...'~'), as db_bench, so the random part is not itself compressible to nothing.
            let raw = (0..<rawBytes).map { _ in UInt8(32 + random.next(below: 95)) }
            for index in 0..<Self.pieceBytes { pool.append(raw[index % rawBytes]) }
        }
        self.pool = pool
    }

    /// Fills `value` (resized to `valueSize`) with the bytes of key `index` at write `step`.
    func fill(_ value: inout Bytes, index: Int, step: Int) {
        if value.count != valueSize { value = Bytes(repeating: 0, count: valueSize) }
        var mixer = SplitMix64(seed: UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: step))
        let offset = mixer.next(below: pool.count - valueSize + 1)
        value.withUnsafeMutableBytes { target in
            pool.withUnsafeBytes { source in
                target.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: valueSize)
            }
            // Two writes may draw one offset; 8 bytes of their own keep every (key, step) value unique.
            if valueSize >= 8 { target.storeBytes(of: mixer.next(), toByteOffset: 0, as: UInt64.self) }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-wise (memcmp) order of two raw buffers: negative, zero or positive. A proper prefix sorts first.
@inlinable
public func compareBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
    let common = Swift.min(a.count, b.count)
    if common > 0, let pa = a.baseAddress, let pb = b.baseAddress {
        let order = Int(memcmp(pa, pb, common))
        if order != 0 { return order }
    }
    return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
}

/// Byte-wise order of two byte arrays.
@inlinable
public func compareBytes(_ a: Bytes, _ b: Bytes) -> Int {
    a.withUnsafeBytes { pa in b.withUnsafeBytes { pb in compareBytes(pa, pb) } }
}

/// Byte-wise order of a raw buffer and a byte array.
@inlinable
public func compareBytes(_ a: UnsafeRawBufferPointer, _ b: Bytes) -> Int {
    b.withUnsafeBytes { pb in compareBytes(a, pb) }
}

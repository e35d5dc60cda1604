import CairnCore

/// Reads a message payload written by `PayloadWriter`, checking every length against what is left and against
/// the limit named by the caller; anything else is a `PayloadError`, never a crash.
struct PayloadReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func byte(_ field: String) throws(PayloadError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(field) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint(_ field: String) throws(PayloadError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte(field)
            guard shift < 64, shift < 63 || next & 0x7F <= 1 else { throw .malformed("\(field): varint over 64 bits") }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// An integer within `0...max`.
    mutating func int(_ field: String, max: Int) throws(PayloadError) -> Int {
        let value = try varint(field)
        guard value <= UInt64(max) else { throw .overLimit("\(field) of \(value) exceeds its maximum \(max)") }
        return Int(value)
    }

    /// A count of elements each at least `elementBytesMin` long: refused when the rest cannot hold them.
    mutating func count(_ field: String, max: Int, elementBytesMin: Int = 1) throws(PayloadError) -> Int {
        let count = try int(field, max: max)
        guard count <= remaining / Swift.max(1, elementBytesMin) else {
            throw .truncated("\(field): \(count) elements in \(remaining) bytes")
        }
        return count
    }

    mutating func blob(_ field: String, bytesMax: Int) throws(PayloadError) -> [UInt8] {
        let length = try int("\(field) length", max: bytesMax)
        guard length <= remaining else { throw .truncated("\(field): \(length) bytes, \(remaining) left") }
        defer { offset += length }
        return Array(bytes[offset..<offset + length])
    }

    mutating func string(_ field: String, bytesMax: Int) throws(PayloadError) -> String {
        let raw = try blob(field, bytesMax: bytesMax)
        guard let text = String(validating: raw, as: UTF8.self) else { throw .malformed("\(field) is not UTF-8") }
        return text
    }

    mutating func node(_ field: String) throws(PayloadError) -> NodeID {
        let name = try string(field, bytesMax: ReplicationLimits.nodeNameBytesMax)
        guard !name.isEmpty else { throw .malformed("\(field) is empty") }
        return NodeID(name)
    }

    mutating func flag(_ field: String) throws(PayloadError) -> Bool {
        switch try byte(field) {
        case 0: false
        case 1: true
        case let other: throw .malformed("\(field): presence byte \(other), 0 or 1 expected")
        }
    }

    mutating func optionalBlob(_ field: String, bytesMax: Int) throws(PayloadError) -> [UInt8]? {
        try flag(field) ? try blob(field, bytesMax: bytesMax) : nil
    }

    mutating func optionalNode(_ field: String) throws(PayloadError) -> NodeID? {
        try flag(field) ? try node(field) : nil
    }

    mutating func optionalInt(_ field: String, max: Int) throws(PayloadError) -> Int? {
        try flag(field) ? try int(field, max: max) : nil
    }

    /// Refuses bytes left over after the message.
    func finish() throws(PayloadError) {
        guard remaining == 0 else { throw .malformed("\(remaining) bytes after the end of the message") }
    }
}

/// Why a message payload does not decode; one line naming the field and the problem.
public enum PayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    case truncated(String)
    case overLimit(String)
    case malformed(String)
    case unknownTag(field: String, tag: UInt8)

    public var description: String {
        switch self {
        case .truncated(let field): "payload truncated at \(field)"
        case .overLimit(let detail): "payload over a limit: \(detail)"
        case .malformed(let detail): "malformed payload: \(detail)"
        case .unknownTag(let field, let tag): "malformed payload: unknown \(field) tag \(tag)"
        }
    }
}

import CairnCore

/// Appends the fields of a message payload: unsigned LEB128 varints, length-prefixed bytes and strings, and
/// optionals as a presence byte. `PayloadReader` reads them back.
struct PayloadWriter {
    private(set) var bytes: [UInt8] = []

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    mutating func varint(_ value: UInt64) {
        var rest = value
        repeat {
            let low = UInt8(rest & 0x7F)
            rest >>= 7
            bytes.append(rest == 0 ? low : low | 0x80)
        } while rest != 0
    }

    mutating func int(_ value: Int) {
        precondition(value >= 0, "payload integers are never negative")
        varint(UInt64(value))
    }

    mutating func blob(_ value: [UInt8]) {
        int(value.count)
        bytes.append(contentsOf: value)
    }

    mutating func string(_ value: String) { blob(Array(value.utf8)) }

    mutating func node(_ value: NodeID) { string(value.name) }

    mutating func optionalBlob(_ value: [UInt8]?) {
        guard let value else { return byte(0) }
        byte(1)
        blob(value)
    }

    mutating func optionalNode(_ value: NodeID?) {
        guard let value else { return byte(0) }
        byte(1)
        node(value)
    }

    mutating func optionalInt(_ value: Int?) {
        guard let value else { return byte(0) }
        byte(1)
        int(value)
    }
}

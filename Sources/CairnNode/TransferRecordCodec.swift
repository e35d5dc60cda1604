import CairnCore
import CairnReplication
import CairnStorage

/// The stored form of transfer records: a format byte, the transfer id (table, partition as 4 bytes
/// big-endian, old and new owner, each string length-prefixed in one byte), then for a progress record the
/// role byte and the last key (a presence byte, a 2-byte length, the bytes). Decoding checks every length.
enum TransferRecordCodec {
    static let format: UInt8 = 1

    static func encode(_ id: Transfer.ID) -> [UInt8] {
        var out: [UInt8] = [format]
        append(string: id.table, to: &out)
        out += withUnsafeBytes(of: UInt32(id.partition).bigEndian) { Array($0) }
        append(string: id.from.name, to: &out)
        append(string: id.to.name, to: &out)
        return out
    }

    static func encode(_ record: Transfer.ProgressRecord) -> [UInt8] {
        var out = encode(record.id)
        out.append(record.role.rawValue)
        if let key = record.lastKey {
            precondition(key.count <= Int(UInt16.max), "a transfer's last key fits a 2-byte length")
            out += [1, UInt8(key.count >> 8), UInt8(key.count & 0xFF)] + key
        } else {
            out.append(0)
        }
        return out
    }

    static func decodeID(_ bytes: [UInt8]) throws -> Transfer.ID {
        var offset = 0
        return try decodeID(bytes, at: &offset)
    }

    static func decodeRecord(_ bytes: [UInt8]) throws -> Transfer.ProgressRecord {
        var offset = 0
        let id = try decodeID(bytes, at: &offset)
        guard offset + 2 <= bytes.count, let role = Transfer.Role(rawValue: bytes[offset]) else { throw corrupt("bad role") }
        let hasKey = bytes[offset + 1]
        offset += 2
        var lastKey: [UInt8]?
        if hasKey == 1 {
            guard offset + 2 <= bytes.count else { throw corrupt("truncated key length") }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard offset + length == bytes.count else { throw corrupt("key of \(length) bytes in \(bytes.count - offset)") }
            lastKey = Array(bytes[offset...])
        } else {
            guard hasKey == 0, offset == bytes.count else { throw corrupt("bad key flag or trailing bytes") }
        }
        return Transfer.ProgressRecord(id: id, role: role, lastKey: lastKey)
    }

    static func corrupt(_ detail: String) -> TransferError { .recordCorrupt(detail) }

    private static func decodeID(_ bytes: [UInt8], at offset: inout Int) throws -> Transfer.ID {
        guard bytes.first == format else { throw corrupt("format \(bytes.first.map(String.init) ?? "missing"), this build reads \(format)") }
        offset = 1
        let table = try string(bytes, at: &offset)
        guard offset + 4 <= bytes.count else { throw corrupt("truncated partition") }
        let partition = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        offset += 4
        let from = try string(bytes, at: &offset)
        let to = try string(bytes, at: &offset)
        guard !from.isEmpty, !to.isEmpty, from != to, from.utf8.count <= NodeID.nameBytesMax, to.utf8.count <= NodeID.nameBytesMax
        else { throw corrupt("bad peers '\(from)' → '\(to)'") }
        return Transfer.ID(table: table, partition: partition, from: NodeID(from), to: NodeID(to))
    }

    private static func append(string: String, to out: inout [UInt8]) {
        let bytes = Array(string.utf8)
        precondition(bytes.count <= Int(UInt8.max), "transfer ids hold names of at most 255 bytes")
        out.append(UInt8(bytes.count))
        out += bytes
    }

    private static func string(_ bytes: [UInt8], at offset: inout Int) throws -> String {
        guard offset < bytes.count else { throw corrupt("truncated at byte \(offset)") }
        let length = Int(bytes[offset])
        guard offset + 1 + length <= bytes.count else { throw corrupt("string of \(length) bytes past the end") }
        defer { offset += 1 + length }
        return String(decoding: bytes[(offset + 1)..<(offset + 1 + length)], as: UTF8.self)
    }
}

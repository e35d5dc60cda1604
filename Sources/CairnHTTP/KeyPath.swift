/// Turns the `{table}` and `{key}` path segments into a table name and key bytes, checked against their limits.
enum KeyPath {
    static func table(_ segment: String?) throws(APIError) -> String {
        guard let segment, !segment.isEmpty else { throw .badRequest("the table name is empty") }
        guard segment.utf8.count <= HTTPLimits.tableNameBytesMax else {
            throw .badRequest(
                "table name of \(segment.utf8.count) bytes exceeds tableNameBytesMax (\(HTTPLimits.tableNameBytesMax) bytes)")
        }
        return segment
    }

    /// The key's bytes: the path segment percent-decoded (so `%2F` is a `/` inside the key and `%FF` a raw byte).
    static func key(_ segment: String?) throws(APIError) -> [UInt8] {
        let bytes = try percentDecoded(segment ?? "")
        guard (1...HTTPLimits.keyBytesMax).contains(bytes.count) else {
            throw .badRequest("key of \(bytes.count) bytes is not within 1…\(HTTPLimits.keyBytesMax) bytes (keyBytesMax)")
        }
        return bytes
    }

    static func percentDecoded(_ text: String) throws(APIError) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                result.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .badRequest("the key has a malformed percent-encoding: '%' must be followed by two hex digits")
            }
            result.append(high << 4 | low)
        }
        return result
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

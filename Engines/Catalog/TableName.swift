import CairnStorage

/// The rules for table names, which double as directory names under the data dir.
public enum TableName {
    /// Longest table name, in bytes.
    public static let bytesMax = 64

    /// Throws unless `name` is 1–64 characters of a–z, A–Z, 0–9, `_` and `-`, starting with a letter or digit.
    public static func check(_ name: String) throws(StorageError) {
        guard !name.isEmpty else { throw .invalidTableName(name: name, reason: "it is empty") }
        guard name.utf8.count <= bytesMax else {
            throw .invalidTableName(name: name, reason: "it is longer than \(bytesMax) bytes")
        }
        guard name.utf8.allSatisfy(isAllowed) else {
            throw .invalidTableName(name: name, reason: "only letters, digits, '_' and '-' are allowed")
        }
        guard let first = name.utf8.first, isAlphanumeric(first) else {
            throw .invalidTableName(name: name, reason: "it must start with a letter or a digit")
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

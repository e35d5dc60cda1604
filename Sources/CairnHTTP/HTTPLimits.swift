import CairnCore
import CairnStorage

/// The HTTP API's limits, derived from the core's where they stack. Each is named in the error that enforces it.
public enum HTTPLimits {
    /// Largest PUT body, i.e. value: the core's `valueBytesMax` (1 MiB).
    public static let valueBytesMax = ReplicationLimits.valueBytesMax
    /// Longest key, after percent-decoding the path segment: the core's `keyBytesMax`.
    public static let keyBytesMax = ReplicationLimits.keyBytesMax
    /// Longest table name: the core's `tableNameBytesMax`.
    public static let tableNameBytesMax = ReplicationLimits.tableNameBytesMax
    /// Largest `PUT /tables/{table}` JSON body.
    public static let tableBodyBytesMax = 4 * 1024
    /// Largest decoded context: a version vector of `storedVersionVectorEntriesMax` entries, each a node name of
    /// `NodeID.nameBytesMax` bytes with its 2-byte length, a 2-byte name index and a 10-byte counter, plus a format
    /// byte and three 3-byte counts.
    public static let contextBytesMax = 1 + 3 * 3 + ReplicationLimits.storedVersionVectorEntriesMax * (2 + NodeID.nameBytesMax + 2 + 10)
    /// Longest `X-Cairn-Context` header value: `contextBytesMax` in base64.
    public static let contextHeaderBytesMax = (contextBytesMax + 2) / 3 * 4
    /// Longest single header field the server parses (name, value and separators): room for the context header.
    public static let headerFieldBytesMax = contextHeaderBytesMax + 1024
    /// Most bytes of all header fields of one request.
    public static let headerListBytesMax = headerFieldBytesMax + 16 * 1024
    /// Most header fields in one request.
    public static let headerFieldCountMax = 100
}

import CairnCore

/// Where nodes listen for peers, as nodes tell each other: a node sends its book (its own entry first, then every
/// address it knows) to its seeds at start and to its known peers periodically, so every member learns every
/// member's peer address without a fixed list. Encoded as a one-way message payload starting with
/// `NodeMessageCodec.addressBookTag`, then a count and `name ‖ host ‖ port` per entry.
public struct PeerAddressBook: Equatable, Sendable {
    /// Most entries one book carries (the ring's member limit).
    public static let entriesMax = Ring.membersMax
    /// Longest host name or address, in bytes.
    public static let hostBytesMax = 255

    public struct Entry: Hashable, Sendable {
        public var node: NodeID
        public var host: String
        public var port: Int

        public init(node: NodeID, host: String, port: Int) {
            self.node = node
            self.host = host
            self.port = port
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Whether `payload` is an address book rather than a `NodeMessage`.
    public static func isAddressBook(_ payload: [UInt8]) -> Bool { payload.first == NodeMessageCodec.addressBookTag }

    public func encode() -> [UInt8] {
        var out = PayloadWriter()
        out.byte(NodeMessageCodec.addressBookTag)
        out.int(entries.count)
        for entry in entries {
            out.node(entry.node)
            out.string(entry.host)
            out.int(entry.port)
        }
        return out.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(PayloadError) -> PeerAddressBook {
        var input = PayloadReader(bytes)
        let tag = try input.byte("address book")
        guard tag == NodeMessageCodec.addressBookTag else { throw .unknownTag(field: "address book", tag: tag) }
        let count = try input.count("address book entries", max: entriesMax, elementBytesMin: 4)
        var entries: [Entry] = []
        for _ in 0..<count {
            let node = try input.node("address book node")
            let host = try input.string("address book host", bytesMax: hostBytesMax)
            guard !host.isEmpty else { throw .malformed("address book host of \(node) is empty") }
            entries.append(Entry(node: node, host: host, port: try input.int("address book port", max: 65_535)))
        }
        try input.finish()
        return PeerAddressBook(entries: entries)
    }
}

import CairnCore
import CairnMembership
import CairnWire

/// What one server node is: its name, zone, where it listens, its data directory and seeds, and its timing.
public struct NodeRuntimeSettings: Sendable {
    /// A seed: a node to gossip with first, and where it listens for peers (an address book entry).
    public typealias Seed = PeerAddressBook.Entry

    public var name: NodeID
    public var zone: String?
    /// Host the peer listener binds to and that other nodes are told to connect to.
    public var peerHost: String
    public var peerPort: Int
    public var dataDirectory: String
    public var seeds: [Seed]
    /// Partitions of a ring this node founds (Q). Default 64.
    public var partitionCount = 64
    /// How long an HTTP request waits for the node's reply before it is answered 503. Default 10,000 ms.
    public var requestTimeoutMilliseconds: UInt64 = 10_000
    /// How often the node tells its known peers its address book. Default 1,000 ms.
    public var addressBookIntervalMilliseconds: UInt64 = 1_000
    /// Gossip round interval. Default 500 ms.
    public var gossipIntervalMilliseconds = 500

    public init(name: NodeID, zone: String?, peerHost: String, peerPort: Int, dataDirectory: String, seeds: [Seed]) {
        self.name = name
        self.zone = zone
        self.peerHost = peerHost
        self.peerPort = peerPort
        self.dataDirectory = dataDirectory
        self.seeds = seeds
    }
}

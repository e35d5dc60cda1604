/// The admin API's bodies (`/admin/...`), JSON keys in snake_case, as the `client` helper's commands read them.
public enum AdminView {
    /// `GET /admin/ring`.
    public struct Ring: Codable, Hashable, Sendable {
        public struct Member: Codable, Hashable, Sendable {
            public var node: String
            /// The gossiped member status: joining, valid, leaving, exiting or down.
            public var status: String
            public var zone: String?
            /// Partitions the member owns in the current ring.
            public var partitions: Int

            public init(node: String, status: String, zone: String?, partitions: Int) {
                self.node = node
                self.status = status
                self.zone = zone
                self.partitions = partitions
            }
        }

        public struct Partition: Codable, Hashable, Sendable {
            public var partition: Int
            public var owner: String

            public init(partition: Int, owner: String) {
                self.partition = partition
                self.owner = owner
            }
        }

        public var epoch: UInt64
        public var partitionCount: Int
        public var members: [Member]
        public var partitions: [Partition]

        public init(epoch: UInt64, partitionCount: Int, members: [Member], partitions: [Partition]) {
            self.epoch = epoch
            self.partitionCount = partitionCount
            self.members = members
            self.partitions = partitions
        }

        enum CodingKeys: String, CodingKey {
            case epoch, members, partitions
            case partitionCount = "partition_count"
        }
    }

    /// `POST /admin/join` and `POST /admin/leave`: every change staged on this node, e.g. "join node-b".
    public struct Staged: Codable, Hashable, Sendable {
        public var staged: [String]

        public init(staged: [String]) { self.staged = staged }
    }

    /// One partition that moves between members (a plan's move, or a transfer under way).
    public struct Move: Codable, Hashable, Sendable {
        public var table: String
        public var partition: Int
        public var from: String
        public var to: String

        public init(table: String, partition: Int, from: String, to: String) {
            self.table = table
            self.partition = partition
            self.from = from
            self.to = to
        }
    }

    /// `GET /admin/plan`: the staged changes and the moves committing them would start (one per table).
    public struct Plan: Codable, Hashable, Sendable {
        public var staged: [String]
        public var moves: [Move]

        public init(staged: [String], moves: [Move]) {
            self.staged = staged
            self.moves = moves
        }
    }

    /// `POST /admin/commit`: the new ring's epoch and how many partition moves it started.
    public struct Commit: Codable, Hashable, Sendable {
        public var epoch: UInt64
        public var moves: Int

        public init(epoch: UInt64, moves: Int) {
            self.epoch = epoch
            self.moves = moves
        }
    }

    /// `GET /admin/transfers`: the transfers this node sends (`transfers`) and those it receives (`incoming`).
    public struct Transfers: Codable, Hashable, Sendable {
        public struct Transfer: Codable, Hashable, Sendable {
            public var table: String
            public var partition: Int
            public var from: String
            public var to: String
            public var state: String
            public var keysSent: Int
            public var bytesSent: Int

            public init(table: String, partition: Int, from: String, to: String, state: String, keysSent: Int, bytesSent: Int) {
                self.table = table
                self.partition = partition
                self.from = from
                self.to = to
                self.state = state
                self.keysSent = keysSent
                self.bytesSent = bytesSent
            }

            enum CodingKeys: String, CodingKey {
                case table, partition, from, to, state
                case keysSent = "keys_sent"
                case bytesSent = "bytes_sent"
            }
        }

        /// One partition this node receives (or received since it started): the receiver's progress.
        public struct Incoming: Codable, Hashable, Sendable {
            public var table: String
            public var partition: Int
            public var from: String
            public var to: String
            /// `receiving`, `done`, or `stalled: <reason>` when the last batch was refused.
            public var state: String
            /// Keys and bytes merged into this node's store so far.
            public var keysReceived: Int
            public var bytesReceived: Int

            public init(table: String, partition: Int, from: String, to: String, state: String, keysReceived: Int, bytesReceived: Int) {
                self.table = table
                self.partition = partition
                self.from = from
                self.to = to
                self.state = state
                self.keysReceived = keysReceived
                self.bytesReceived = bytesReceived
            }

            enum CodingKeys: String, CodingKey {
                case table, partition, from, to, state
                case keysReceived = "keys_received"
                case bytesReceived = "bytes_received"
            }
        }

        /// The transfers this node sends.
        public var transfers: [Transfer]
        /// The transfers this node receives.
        public var incoming: [Incoming]

        public init(transfers: [Transfer], incoming: [Incoming] = []) {
            self.transfers = transfers
            self.incoming = incoming
        }
    }

    /// The body of `POST /admin/join` and `POST /admin/leave`.
    struct NodeBody: Codable {
        var node: String
    }
}

/// Why a node refused an admin action, in one line (e.g. "node-d is unknown: it has not gossiped with this node").
public struct AdminRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}

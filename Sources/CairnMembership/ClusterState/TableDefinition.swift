/// A table as the gossiped catalog holds it: its name, the storage engine it lives on, replication N/R/W, its
/// conflict policy and durability, as plain values (the replication layer maps them to its own types).
public struct TableDefinition: Hashable, Codable, Sendable {
    public var name: String
    /// The engine's name as the engine catalog knows it (`memory`, `lmdb`, `leveldb`, `rocksdb`).
    public var engine: String
    public var replicas: Int
    public var readQuorum: Int
    public var writeQuorum: Int
    /// `siblings` or `lww`.
    public var policy: String
    /// `sync` or `buffered`.
    public var durability: String

    public init(
        name: String, engine: String = "memory", replicas: Int = 3, readQuorum: Int = 2, writeQuorum: Int = 2,
        policy: String = "siblings", durability: String = "buffered"
    ) {
        self.name = name
        self.engine = engine
        self.replicas = replicas
        self.readQuorum = readQuorum
        self.writeQuorum = writeQuorum
        self.policy = policy
        self.durability = durability
    }

    public static let policies: Set<String> = ["siblings", "lww"]
    public static let durabilities: Set<String> = ["sync", "buffered"]

    /// Throws a one-line error naming the first field out of its limits.
    public func check() throws(ClusterStateError) {
        typealias Limits = ClusterStateLimits
        guard !name.isEmpty, name.utf8.count <= Limits.tableNameBytesMax else {
            throw .invalidTable("table name '\(name.prefix(40))' must be 1…\(Limits.tableNameBytesMax) bytes")
        }
        guard !engine.isEmpty, engine.utf8.count <= Limits.engineNameBytesMax else {
            throw .invalidTable("table \(name): engine name must be 1…\(Limits.engineNameBytesMax) bytes")
        }
        guard (1...Limits.replicasMax).contains(replicas) else {
            throw .invalidTable("table \(name): N is \(replicas), must be 1…\(Limits.replicasMax)")
        }
        guard (1...replicas).contains(readQuorum), (1...replicas).contains(writeQuorum) else {
            throw .invalidTable("table \(name): R \(readQuorum) and W \(writeQuorum) must be 1…N (\(replicas))")
        }
        guard Self.policies.contains(policy) else {
            throw .invalidTable("table \(name): policy '\(policy.prefix(40))' must be siblings or lww")
        }
        guard Self.durabilities.contains(durability) else {
            throw .invalidTable("table \(name): durability '\(durability.prefix(40))' must be sync or buffered")
        }
    }

    /// A fixed total order, so two different definitions of one table at the same version merge alike everywhere.
    func precedes(_ other: TableDefinition) -> Bool {
        if engine != other.engine { return engine < other.engine }
        if replicas != other.replicas { return replicas < other.replicas }
        if readQuorum != other.readQuorum { return readQuorum < other.readQuorum }
        if writeQuorum != other.writeQuorum { return writeQuorum < other.writeQuorum }
        if policy != other.policy { return policy < other.policy }
        if durability != other.durability { return durability < other.durability }
        return name < other.name
    }
}

/// A table's entry in the catalog: its definition, a version raised by each change, and whether it was dropped
/// (a tombstone, kept so a drop is not undone by an older copy of the entry).
public struct CatalogEntry: Hashable, Codable, Sendable {
    public var definition: TableDefinition
    public var version: UInt64
    public var dropped: Bool

    public init(definition: TableDefinition, version: UInt64, dropped: Bool) {
        self.definition = definition
        self.version = version
        self.dropped = dropped
    }

    /// The winner of two entries of one table: higher version, then a drop, then the definitions' order.
    static func merged(_ left: CatalogEntry, _ right: CatalogEntry) -> CatalogEntry {
        if left.version != right.version { return left.version < right.version ? right : left }
        if left.dropped != right.dropped { return left.dropped ? left : right }
        return left.definition.precedes(right.definition) ? right : left
    }
}

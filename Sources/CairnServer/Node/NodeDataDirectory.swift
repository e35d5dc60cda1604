import CairnCore
import CairnEngines
import CairnMembership
import CairnNode
import CairnReplication
import CairnStorage
import Logging

/// A node's data directory and the engines open in it: `node/` (an LMDB engine holding hints, the start record
/// and the gossiped cluster state) and `tables/<name>/` per table, each on the engine its catalog entry names.
/// Creates what is missing, never deletes anything. Opens the engines of tables the catalog adds
/// (`TableEngineOpener`) and logs the shell's lines (`NodeShellObserver`). Used on the shell's executor only.
final class NodeDataDirectory: TableEngineOpener, NodeShellObserver, @unchecked Sendable {
    let path: String
    let store: EngineReplicaStore
    let logger: Logger
    private var engines: [String: any StorageEngine] = [:]
    private let nodeEngine: any StorageEngine
    /// Storage failures seen since the start (`GET /status`).
    private(set) var storageErrors = 0

    private init(path: String, store: EngineReplicaStore, nodeEngine: any StorageEngine, logger: Logger) {
        self.path = path
        self.store = store
        self.nodeEngine = nodeEngine
        self.logger = logger
    }

    /// Opens (creating when missing) the directory, its node engine and every table its stored catalog holds.
    static func open(_ path: String, partitionCount: Int, logger: Logger) throws -> NodeDataDirectory {
        try DirectoryCheck.prepare(path)
        try DirectoryCheck.prepare(path + "/tables")
        let nodeEngine = try TableConfiguration(engine: .lmdb, durability: .sync).openEngine(in: path + "/node")
        let store = EngineReplicaStore(partitionCount: partitionCount, tables: [:], hints: nodeEngine)
        let directory = NodeDataDirectory(path: path, store: store, nodeEngine: nodeEngine, logger: logger)
        if let state = try store.storedClusterState() {
            if let ring = state.ring?.ring, ring.partitionCount != partitionCount {
                throw NodeDataDirectoryError(
                    "\(path) holds a ring of \(ring.partitionCount) partitions, not the \(partitionCount) configured")
            }
            for definition in state.tables.values { try store.addTable(definition.name, engine: try directory.openEngine(for: definition)) }
        }
        return directory
    }

    func openEngine(for table: TableDefinition) throws -> any StorageEngine {
        if let open = engines[table.name] { return open }
        guard !table.name.isEmpty, !table.name.contains("/"), table.name != ".", table.name != ".." else {
            throw NodeDataDirectoryError("table name '\(table.name)' cannot name a directory")
        }
        guard let kind = EngineKind(rawValue: table.engine) else { throw NodeDataDirectoryError("unknown engine '\(table.engine)'") }
        let durability = Durability(rawValue: table.durability) ?? .sync
        let engine = try TableConfiguration(engine: kind, durability: durability).openEngine(in: "\(path)/tables/\(table.name)")
        engines[table.name] = engine
        return engine
    }

    /// Starts `shell`'s node over this directory: its gossip restored from the stored cluster state, its core
    /// routing by the stored ring, its transfers resumed from their records.
    func startNode(shell: NodeShell, settings: NodeRuntimeSettings, now: UInt64) throws {
        let restored = try store.storedClusterState()
        let id = settings.name
        let seed = StableHash.hash(Array(id.name.utf8)) ^ now
        let gossip = try GossipNode(
            configuration: GossipNodeConfiguration(name: id, zone: settings.zone, seeds: settings.seeds.map(\.node).filter { $0 != id }),
            settings: GossipSettings(intervalMilliseconds: settings.gossipIntervalMilliseconds, partitionCount: settings.partitionCount),
            seed: seed, restoredState: restored)
        let tables = (restored?.tables ?? [:]).compactMapValues(Self.tableSettings)
        let ring = restored?.ring
        let configuration = NodeConfiguration(
            id: id, ring: ring?.ring ?? Ring(partitionCount: settings.partitionCount, members: [RingMember(id, zone: settings.zone)]),
            ringEpoch: ring?.epoch ?? 0, tables: tables, replicaTimeoutMilliseconds: 500, requestTimeoutMilliseconds: 5_000)
        let buffered = Set((restored?.tables ?? [:]).values.filter { $0.durability == "buffered" }.map(\.name))
        let (replica, counters) = try shell.prepareStart(
            over: store, configuration: configuration, wallClockMilliseconds: now, bufferedTables: buffered)
        let watched = Set(settings.seeds.map(\.node) + (restored?.members.keys.map { $0 } ?? [])).subtracting([id])
        let detector = try FailureDetector(id: id, members: watched.sorted(), random: SplitMix64(seed: seed ^ 1))
        let sender = try Transfer.Sender(node: id, limits: Transfer.Limits(), storage: store, run: counters.start, nowMilliseconds: now)
        let receiver = Transfer.Receiver(node: id, policies: tables.mapValues(\.policy))
        let node = ClusterNode(
            replica: replica, membership: ClusterMembership(gossip: gossip, detector: detector, sender: sender, receiver: receiver))
        logger.info("node \(id) starts (start \(counters.start), incarnation \(counters.incarnation), ring epoch \(ring?.epoch ?? 0))")
        guard try shell.start(node, store: store, now: now) == .performed else { throw NodeDataDirectoryError("the node did not start") }
        _ = try shell.restoreTransfers(records: try store.storedTransferRecords(), dirtyKeys: try store.storedDirtyKeys(), now: now)
    }

    /// Stops the node, records a clean stop (every engine synced) and closes every engine.
    func stop(shell: NodeShell, now: UInt64) throws {
        try shell.stopCleanly(store: store, wallClockMilliseconds: now)
        for engine in engines.values { try engine.close() }
        engines.removeAll()
        try nodeEngine.close()
    }

    /// The core's settings for a catalog table, nil (logged by the core) when they are out of range.
    static func tableSettings(_ definition: TableDefinition) -> TableSettings? {
        guard let policy = ConflictPolicy(rawValue: definition.policy) else { return nil }
        return TableSettings(
            replicas: definition.replicas, readQuorum: definition.readQuorum, writeQuorum: definition.writeQuorum, policy: policy)
    }

    func log(_ line: String) { logger.info("\(line)") }

    func storageFailed(_ directive: Directive, error: any Error) throws {
        storageErrors += 1
        logger.critical("storage failed, the node stops: \(error)")
    }
}

/// A data directory that cannot serve this node, in one line.
struct NodeDataDirectoryError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

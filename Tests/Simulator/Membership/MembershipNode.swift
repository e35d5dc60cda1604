import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import CairnStorage
import MemoryEngine

/// One machine of a `MembershipSimulation`: a `NodeShell` running a whole `ClusterNode` (gossip, failure detector,
/// transfers) over memory engines that survive its crashes (its disk), unless the disk is wiped.
final class MembershipNode: NodeTransport, NodeTimerService, ClientReplySink, NodeShellObserver, TableEngineOpener {
    unowned let simulation: MembershipSimulation
    let id: NodeID
    let seeds: [NodeID]
    private(set) var store: EngineReplicaStore
    private(set) var shell: NodeShell!
    /// Starts so far (they vary the seeds of gossip and the detector).
    private(set) var starts: UInt64 = 0
    /// Whether this node's disk was ever wiped (what it held then is gone; read repair brings it back).
    private(set) var wiped = false

    init(simulation: MembershipSimulation, id: NodeID, seeds: [NodeID]) {
        self.simulation = simulation
        self.id = id
        self.seeds = seeds
        store = Self.emptyStore(partitionCount: simulation.options.partitionCount)
        shell = NodeShell(id: id, transport: self, timers: self, replies: self, observer: self, tableOpener: self)
    }

    static func emptyStore(partitionCount: Int) -> EngineReplicaStore {
        EngineReplicaStore(partitionCount: partitionCount, tables: [MembershipSimulation.table: MemoryEngine()], hints: MemoryEngine())
    }

    var isUp: Bool { shell.isRunning }
    var node: ClusterNode? { shell.node }
    var membership: ClusterMembership? { shell.node?.membership }

    /// Starts (or restarts) the node as a server does: its gossip from the cluster state it persisted, its core
    /// routing by that ring at once, then its transfers from their records.
    func start(now: UInt64) throws {
        starts += 1
        let options = simulation.options
        let seed = options.seed &* 31 &+ StableHash.hash(Array(id.name.utf8)) &+ starts
        let restored = try store.storedClusterState()
        let gossip = try GossipNode(
            configuration: GossipNodeConfiguration(name: id, seeds: seeds),
            settings: GossipSettings(fanOut: 2, intervalMilliseconds: 100, partitionCount: options.partitionCount, replicaCount: options.replicas),
            seed: seed, restoredState: restored)
        var configuration = NodeConfiguration(
            id: id, ring: restored?.ring?.ring ?? Ring(partitionCount: options.partitionCount, members: [RingMember(id)]),
            ringEpoch: restored?.ring?.epoch ?? 0, tables: [MembershipSimulation.table: simulation.tableSettings],
            tombstoneGraceMilliseconds: MembershipSimulation.tombstoneGraceMilliseconds)
        #if CAIRN_MUTATIONS
        configuration.mutation = options.mutation
        #endif
        let (replica, counters) = try shell.prepareStart(
            over: store, configuration: configuration, wallClockMilliseconds: now, bufferedTables: [], freshCounter: 1 + seed % 1_000_000)
        let watched = Set(seeds + (restored?.members.keys.map { $0 } ?? [])).subtracting([id])
        let detector = try FailureDetector(id: id, members: watched.sorted(), random: SplitMix64(seed: seed ^ 1))
        let sender = try Transfer.Sender(
            node: id, limits: Transfer.Limits(bytesPerSecondMax: options.transferBytesPerSecond), storage: store, run: counters.start,
            nowMilliseconds: now)
        let receiver = Transfer.Receiver(node: id, policies: [MembershipSimulation.table: simulation.tableSettings.policy])
        let node = ClusterNode(
            replica: replica, membership: ClusterMembership(
                gossip: gossip, detector: detector, sender: sender, receiver: receiver,
                ownershipCheckIntervalMilliseconds: MembershipSimulation.ownershipCheckIntervalMilliseconds))
        guard try shell.start(node, store: store, now: now) == .performed else { return }
        _ = try shell.restoreTransfers(records: try store.storedTransferRecords(), dirtyKeys: try store.storedDirtyKeys(), now: now)
    }

    /// Breaks the node ↔ shell cycle (the shell holds this node as its transport, timers and reply sink) once the
    /// run is over, so a soak of thousands of seeds does not keep every run's nodes and engines alive.
    func releaseShell() { shell = nil }

    /// Loses everything volatile; the disk (the memory engines) stays.
    func crash() { shell.stop() }

    /// Loses the whole data dir while the node is down (a replaced disk): it restarts as a new machine of the same
    /// name, from its seeds.
    func wipe() {
        precondition(!isUp, "a disk is wiped only while its node is down")
        store = Self.emptyStore(partitionCount: simulation.options.partitionCount)
        wiped = true
    }

    /// Whether this node's disk holds a copy (a value or a tombstone) of `key`.
    func holds(_ key: String) throws -> Bool { try store.load(table: MembershipSimulation.table, key: Array(key.utf8)) != nil }

    /// The values of `keys` this node's disk holds, in its stored copies and in its hints (a copy that does not
    /// decode holds nothing).
    func valuesOnDisk(of keys: [String]) throws -> Set<String> {
        var copies = try keys.compactMap { try store.load(table: MembershipSimulation.table, key: Array($0.utf8)) }
        copies += try store.storedHints().filter { $0.table == MembershipSimulation.table }.map(\.data)
        return Set(copies.flatMap { data in
            ((try? SiblingSetCodec.decode(data))?.values ?? []).map { String(decoding: $0, as: UTF8.self) }
        })
    }

    func send(to node: NodeID, _ message: NodeMessage) { simulation.send(message, from: id, to: node) }
    func schedule(_ timer: NodeTimer, afterMilliseconds: UInt64, generation: UInt64) {
        simulation.schedule(timer, at: id, after: afterMilliseconds, generation: generation)
    }
    func deliver(_ reply: ClientReply) { simulation.received(reply) }
    func log(_ line: String) {
        if line.contains("skipped ring epochs") { simulation.counts["skipped ring epochs", default: 0] += 1 }
        if let (key, primaries) = Self.writtenWithoutPrimaryOrFallback(line) {
            simulation.writtenWithoutPrimaryOrFallback[key, default: []].formUnion(primaries)
            simulation.counts["writes without a primary or a fallback", default: 0] += 1
        }
        simulation.log("\(id): \(line)")
    }

    /// The key and the primaries of a coordinator's log line "write of key "…" in '…' acknowledged without nX, nY
    /// and no hint for it (0 fallback(s) asked)": those primaries missed the write and no fallback could stand in.
    static func writtenWithoutPrimaryOrFallback(_ line: String) -> (key: String, primaries: [NodeID])? {
        guard line.contains("no hint for it (0 fallback(s) asked)"), let start = line.range(of: "write of key \""),
            let key = line[start.upperBound...].split(separator: "\"", maxSplits: 1).first,
            let without = line.range(of: "acknowledged without "), let end = line.range(of: " and no hint for it")
        else { return nil }
        let primaries = line[without.upperBound..<end.lowerBound].split(separator: ", ").map { NodeID(String($0)) }
        return (String(key), primaries)
    }

    /// Traces every copy this node stores of a key outside its preference list (by this node's ring), or before it
    /// has a ring (epoch 0), with the event that caused it: how a copy on an old owner arises.
    func didPerform(_ directive: Directive, index: Int) throws {
        guard case .persist(let table, let key, _) = directive, let replica = node?.replica,
            let settings = replica.configuration.tables[table]
        else { return }
        let list = replica.ring.preferenceList(for: key, count: settings.replicas)
        guard !list.contains(id) || replica.ringEpoch == 0 else { return }
        let cause = simulation.currentEvent.map { String(describing: $0).prefix(240) } ?? "no event"
        simulation.log(
            "\(id) stores \(String(decoding: key, as: UTF8.self)) outside its preference list \(list.map(\.name)) "
                + "(ring epoch \(replica.ringEpoch)), handling \(cause)")
    }
    func openEngine(for table: TableDefinition) throws -> any StorageEngine { MemoryEngine() }
}

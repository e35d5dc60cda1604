import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage
import Foundation
import MemoryEngine

/// One simulated machine: its disks (engines that survive crashes as a disk would, behind a `SimulatedDisk`
/// that plays power loss, torn writes and failing operations) and, while up, its core.
final class SimulatedNode {
    let id: NodeID
    let ring: Ring
    let engine: EngineKind
    /// Where a persistent engine keeps its files; nil for the memory engine.
    let directory: String?
    /// Whether writes wait in a write-back cache until a sync (and a power loss drops them).
    let losesUnsyncedWrites: Bool
    /// Performs the node's directives over the simulated network, timers and disks (attached once the simulation is built).
    private(set) var shell: NodeShell!
    private(set) var ports: SimulatedNodePorts!
    /// The running state machine; nil while the node is down. Crashing drops it and all its volatile state.
    var core: ReplicaNode? { shell.core }
    private(set) var store: EngineReplicaStore!
    private(set) var tableDisk: SimulatedDisk?
    private(set) var hintDisk: SimulatedDisk?
    /// The durable state as a power loss now would leave it (a copy while a persistent engine is closed).
    private(set) var durable: EngineReplicaStore?
    /// Times this node lost power with writes in its write-back cache (buffered tables), or lost its disk,
    /// with the time of its last sync before each, for the lost-write excuse.
    private(set) var powerLosses: [(at: UInt64, lastSync: UInt64)] = []
    private(set) var lastSync: UInt64 = 0
    /// When each stored copy was corrupted, and of which key: the node may have acknowledged a write of it and
    /// lost it since, as it may after a power loss.
    private(set) var corruptions: [(at: UInt64, key: [UInt8])] = []

    init(id: NodeID, ring: Ring, engine: EngineKind, directory: String?, losesUnsyncedWrites: Bool) throws {
        self.id = id
        self.ring = ring
        self.engine = engine
        self.directory = directory
        self.losesUnsyncedWrites = losesUnsyncedWrites
    }

    func attach(_ ports: SimulatedNodePorts) {
        self.ports = ports
        shell = NodeShell(id: id, transport: ports, timers: ports, replies: ports, observer: ports)
    }

    /// Opens the engines: a memory engine once for the whole run (it stands for the disk), a persistent engine
    /// anew at every start, from its files.
    func open() throws {
        guard store == nil else { return }
        let table: any StorageEngine
        let hints: any StorageEngine
        if let directory {
            let configuration = TableConfiguration(engine: engine, durability: .buffered)
            table = try configuration.openEngine(in: directory + "/" + Simulation.table)
            hints = try configuration.openEngine(in: directory + "/hints")
        } else {
            precondition(engine == .memory, "persistent engines need a directory")
            (table, hints) = (MemoryEngine(), MemoryEngine())
        }
        let tableDisk = SimulatedDisk(table, losesUnsyncedWrites: losesUnsyncedWrites)
        let hintDisk = SimulatedDisk(hints, losesUnsyncedWrites: losesUnsyncedWrites)
        (self.tableDisk, self.hintDisk) = (tableDisk, hintDisk)
        store = EngineReplicaStore(partitionCount: ring.partitionCount, tables: [Simulation.table: tableDisk], hints: hintDisk)
        durable = EngineReplicaStore(partitionCount: ring.partitionCount, tables: [Simulation.table: table], hints: hints)
    }

    /// Loses everything volatile: the core always; with `losingUnsynced`, the writes not yet synced too
    /// (the last perhaps torn). A persistent engine is closed, so the next start reads its files back.
    func crash(losingUnsynced: Bool, tearingLast: Bool, now: UInt64) throws {
        shell.stop()
        // A power loss is an excuse only where it can lose something: on a disk with a write-back cache.
        if losingUnsynced && losesUnsyncedWrites { powerLosses.append((now, lastSync)) }
        try tableDisk?.crash(losingUnsynced: losingUnsynced, tearingLast: tearingLast)
        try hintDisk?.crash(losingUnsynced: losingUnsynced, tearingLast: false)
        if !losingUnsynced { lastSync = now }
        guard engine.isPersistent, let tableDisk, let hintDisk else { return }
        durable = try Self.memoryCopy(ring: ring, table: tableDisk.inner, hints: hintDisk.inner)
        try tableDisk.close()
        try hintDisk.close()
        (self.tableDisk, self.hintDisk, store) = (nil, nil, nil)
    }

    /// Runs `body` with neither disk failing: what a checker reads is what the disks hold, not an injected fault.
    func readingPastFaults<Result>(_ body: () throws -> Result) rethrows -> Result {
        guard let tableDisk, let hintDisk else { return try body() }
        return try tableDisk.withoutFaults { try hintDisk.withoutFaults(body) }
    }

    /// Writes the write-back cache through (a periodic fsync).
    func sync(now: UInt64) throws {
        try tableDisk?.sync()
        try hintDisk?.sync()
        lastSync = now
    }

    /// Loses the whole data directory while the node is down (a replaced disk).
    func wipe(now: UInt64) throws {
        precondition(core == nil, "a disk is wiped only while its node is down")
        powerLosses.append((now, 0))
        if let directory {
            if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
            durable = EngineReplicaStore(partitionCount: ring.partitionCount, tables: [Simulation.table: MemoryEngine()], hints: MemoryEngine())
        } else {
            let (table, hints) = (MemoryEngine(), MemoryEngine())
            tableDisk?.replaceInner(table)
            hintDisk?.replaceInner(hints)
            durable = EngineReplicaStore(partitionCount: ring.partitionCount, tables: [Simulation.table: table], hints: hints)
        }
    }

    /// Overwrites the durable copy of `key` with bytes that do not decode (a flipped sector).
    func corrupt(key: [UInt8], with garbage: [UInt8], now: UInt64) throws {
        guard let tableDisk else { return }
        corruptions.append((now, key))
        // The damage is the disk's, not an operation of the node: a fault injected on its writes does not stop it.
        try tableDisk.withoutFaults { try tableDisk.sync() }
        try tableDisk.inner.put(Self.storedKey(ring, key), garbage)
    }

    /// The engine key of a replicated key: its partition (4 bytes, big-endian), then the key (as the node stores it).
    static func storedKey(_ ring: Ring, _ key: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(ring.partition(for: key)).bigEndian) { Array($0) } + key
    }

    private static func memoryCopy(ring: Ring, table: any StorageEngine, hints: any StorageEngine) throws -> EngineReplicaStore {
        let (tableCopy, hintCopy) = (MemoryEngine(), MemoryEngine())
        for entry in try table.entries() { try tableCopy.put(entry.key, entry.value) }
        for entry in try hints.entries() { try hintCopy.put(entry.key, entry.value) }
        return EngineReplicaStore(partitionCount: ring.partitionCount, tables: [Simulation.table: tableCopy], hints: hintCopy)
    }
}

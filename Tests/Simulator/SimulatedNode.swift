import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage

/// One simulated machine: its engines (which survive crashes as a disk would) and, while up, its core.
final class SimulatedNode {
    let id: NodeID
    let ring: Ring
    let engine: EngineKind
    /// Where a persistent engine keeps its files; nil for the memory engine.
    let directory: String?
    var incarnation: UInt64 = 1
    /// The running state machine; nil while the node is down. Crashing drops it and all its volatile state.
    var core: ReplicaNode?
    private(set) var store: EngineReplicaStore!
    private var engines: [any StorageEngine] = []

    init(id: NodeID, ring: Ring, engine: EngineKind, directory: String?) throws {
        self.id = id
        self.ring = ring
        self.engine = engine
        self.directory = directory
    }

    /// Opens the engines: a memory engine once for the whole run (it stands for the disk), a persistent engine
    /// anew at every start, from its files.
    func open() throws {
        guard store == nil else { return }
        let configuration = TableConfiguration(engine: engine, durability: .buffered)
        let table = try configuration.openEngine(in: (directory ?? "/nonexistent-memory") + "/" + Simulation.table)
        let hints = try configuration.openEngine(in: (directory ?? "/nonexistent-memory") + "/hints")
        engines = [table, hints]
        store = EngineReplicaStore(ring: ring, tables: [Simulation.table: table], hints: hints)
    }

    /// Loses everything volatile. A persistent engine is closed, so the next start reads its files back.
    func crash() throws {
        core = nil
        guard engine.isPersistent else { return }
        for engine in engines { try engine.close() }
        engines = []
        store = nil
    }
}

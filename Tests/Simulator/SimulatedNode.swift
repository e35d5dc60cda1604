import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage
import MemoryEngine

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

import CairnCore
import CairnEngines
import CairnReplication
import CairnStorage

/// The shape of one simulated run; everything random in it derives from `seed`.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    public var nodeCount = 5
    public var partitionCount = 64
    public var table = TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 2)
    public var clientCount = 3
    public var operationsPerClient = 25
    /// Keys the clients share; few keys make concurrent writes common.
    public var keyCount = 4
    /// Chance a message is lost, duplicated; delays are uniform in 1…`messageDelayMillisecondsMax`.
    public var lossRate = 0.02
    public var duplicationRate = 0.02
    public var messageDelayMillisecondsMax: UInt64 = 20
    /// Milliseconds of faults (crashes, restarts, partitions) before everything heals.
    public var chaosMilliseconds: UInt64 = 6_000
    /// Mean milliseconds between fault events during chaos.
    public var faultIntervalMilliseconds: UInt64 = 700
    /// The engine every node stores its replicas in; memory keeps its data across simulated crashes.
    public var engine: EngineKind = .memory
    /// A deliberately broken rule, to prove the checkers catch it.
    public var mutation: CoreMutation = .none

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// Tombstones are reaped this long after every primary held them. Longer than any outage the run can
    /// create (nodes stay down at most until the chaos ends), as the grace rule requires.
    var tombstoneGraceMilliseconds: UInt64 { chaosMilliseconds + 4_000 }

    /// The node settings every node of the run shares.
    func nodeConfiguration(id: NodeID, incarnation: UInt64, ring: Ring) -> NodeConfiguration {
        var configuration = NodeConfiguration(
            id: id, incarnation: incarnation, ring: ring, tables: [Simulation.table: table],
            replicaTimeoutMilliseconds: 60, requestTimeoutMilliseconds: 400, hintDeliveryIntervalMilliseconds: 150,
            tombstoneGraceMilliseconds: tombstoneGraceMilliseconds)
        configuration.mutation = mutation
        return configuration
    }
}

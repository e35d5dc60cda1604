import CairnCore
import CairnEngines
import CairnReplication
import CairnStorage

/// The shape of one simulated run; everything random in it derives from `seed`.
///
/// `init(seed:)` is the fixed five-node shape the scenario scripts use; `forSeed(_:)` varies the topology,
/// quorums, workload and clocks per seed, as the seed tests run.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    public var nodeCount = 5
    public var partitionCount = 64
    public var table = TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 2)
    /// PR and PW every client request asks for.
    public var primaryReadQuorum = 0
    public var primaryWriteQuorum = 0
    public var clientCount = 3
    public var operationsPerClient = 25
    /// Keys the clients share; few keys make concurrent writes common.
    public var keyCount = 4
    /// Percent of requests that are gets, blind puts (no context: they pile up siblings) and deletes; the
    /// rest are puts with the context of the client's last get.
    public var getPercent = 35
    public var blindWritePercent = 15
    public var deletePercent = 20
    /// Chance a message is lost, duplicated; delays are uniform in 1…`messageDelayMillisecondsMax`.
    public var lossRate = 0.02
    public var duplicationRate = 0.02
    public var messageDelayMillisecondsMax: UInt64 = 20
    /// Milliseconds of faults (crashes, restarts, partitions) before everything heals.
    public var chaosMilliseconds: UInt64 = 6_000
    /// Mean milliseconds between fault events during chaos.
    public var faultIntervalMilliseconds: UInt64 = 700
    /// Most nodes down at once.
    public var nodesDownMax = 2
    /// How often each node syncs its write-back cache (with `faults.powerLoss` on a `buffered` table).
    public var syncIntervalMilliseconds: UInt64 = 300
    /// Largest clock skew of a node, and largest backward step, in milliseconds; drift in parts per million.
    public var clockSkewMillisecondsMax: UInt64 = 0
    public var clockDriftPartsPerMillionMax: UInt64 = 0
    /// What the table (and the hints) promise: `sync` writes are on disk before they are acknowledged, so a
    /// power loss loses nothing of them; `buffered` ones may be lost with the power (`faults.powerLoss`), and the
    /// checkers excuse exactly that.
    public var durability: Durability = .buffered
    /// The engine every node stores its replicas in; memory keeps its data across simulated crashes.
    public var engine: EngineKind = .memory
    public var faults = FaultSwitches()
    /// The actor-churn limit workload (`shapeForActorChurn`): faults favour restarts and cutting the key's primaries off.
    public var churn = false
    /// A deliberately broken rule, to prove the checkers catch it (debug builds only).
    public var mutation: CoreMutation = .none

    public init(seed: UInt64) {
        self.seed = seed
    }

    /// A run whose topology, quorums, workload and clocks are drawn from the seed.
    public static func forSeed(_ seed: UInt64) -> SimulationOptions {
        var options = SimulationOptions(seed: seed)
        var random = SplitMix64(seed: seed ^ 0x5EED_7090_1091)
        func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + random.next(below: range.count) }
        options.nodeCount = pick(3...9)
        let replicas = random.next(below: 8) == 0 ? 1 : pick(2...min(5, options.nodeCount))
        let writeQuorum = random.next(below: 4) == 0 ? 1 : pick(1...replicas)
        options.table = TableSettings(
            replicas: replicas, readQuorum: pick(1...replicas), writeQuorum: writeQuorum,
            policy: random.next(below: 7) == 0 ? .lww : .siblings)
        options.primaryWriteQuorum = random.next(below: 4) == 0 ? pick(0...writeQuorum) : 0
        options.primaryReadQuorum = random.next(below: 4) == 0 ? pick(0...options.table.readQuorum) : 0
        options.clientCount = pick(2...5)
        options.keyCount = pick(1...6)
        options.operationsPerClient = 75 / options.clientCount
        options.faultIntervalMilliseconds = UInt64(pick(300...1_200))
        options.nodesDownMax = min(options.nodeCount - 1, pick(1...3))
        options.clockSkewMillisecondsMax = UInt64(pick(0...2_000))
        options.clockDriftPartsPerMillionMax = UInt64(pick(0...500))
        options.durability = random.next(below: 3) == 0 ? .sync : .buffered
        return options
    }

    /// These options with `faults` switched on; `limitWorkloads` also reshapes the workload to reach the
    /// limits: more clients on one or two keys, mostly blind writes, more operations, longer chaos; and on
    /// the actor-churn seeds, many one-shot writers (`shapeForActorChurn`).
    public func with(faults: FaultSwitches) -> SimulationOptions {
        var options = self
        options.faults = faults
        guard faults.limitWorkloads else { return options }
        options.clientCount = 8
        options.keyCount = 1 + Int(seed % 2)
        (options.getPercent, options.blindWritePercent, options.deletePercent) = (15, 70, 5)
        options.operationsPerClient = 40
        options.chaosMilliseconds = 12_000
        if Self.isActorChurnSeed(seed) { options.shapeForActorChurn() }
        return options
    }

    /// The limit-workload seeds shaped by `shapeForActorChurn`: 8, 58, 108 … (2 in the first 100; each costs
    /// about 20 s in debug, as much as 20 other limit seeds).
    public static func isActorChurnSeed(_ seed: UInt64) -> Bool { seed % 50 == 8 }

    /// One key written by many clients through nodes that keep restarting while the key's
    /// primaries are often cut off: every start of a non-primary is a new one-shot actor, every wipe or unclean
    /// stop of a primary a new incarnation, so the key's version vector grows towards `versionVectorEntriesMax`.
    mutating func shapeForActorChurn() {
        nodeCount = max(nodeCount, 7)
        table = TableSettings(replicas: 3, readQuorum: 2, writeQuorum: 2, policy: .siblings)
        (primaryReadQuorum, primaryWriteQuorum) = (0, 0)
        keyCount = 1
        clientCount = 12
        operationsPerClient = 150
        (getPercent, blindWritePercent, deletePercent) = (35, 15, 0)
        chaosMilliseconds = 60_000
        faultIntervalMilliseconds = 60
        nodesDownMax = nodeCount - 3
        churn = true
    }

    /// Tombstones are reaped this long after every primary held them. Meant to be longer than any outage, as
    /// the grace rule requires, but not guaranteed: faults stop when the chaos ends, yet a node down then stays
    /// down until the heal, which waits for the clients (seed 7594's n3 was down 10 s; not a primary of the
    /// key its failure was about, so it played no part there).
    var tombstoneGraceMilliseconds: UInt64 { chaosMilliseconds + 4_000 }
    /// How long a version-vector prune waits after every primary agreed on it: the tombstone grace plus the
    /// one-shot actor lifetime (`ReplicaNode.pruneGraceMilliseconds`).
    var pruneGraceMilliseconds: UInt64 {
        tombstoneGraceMilliseconds + max(1, tombstoneGraceMilliseconds / Self.hintDeliveryIntervalMilliseconds) * Self.hintDeliveryIntervalMilliseconds
    }
    /// Every run prunes any version vector with an entry no sibling carries, so pruning is exercised in every seed.
    static let versionVectorPruneFromEntries = 1
    /// How often a node offers its hints; an outage is usually several of these long.
    static let hintDeliveryIntervalMilliseconds: UInt64 = 150

    var requestOptions: RequestOptions {
        RequestOptions(primaryReadQuorum: primaryReadQuorum, primaryWriteQuorum: primaryWriteQuorum)
    }

    /// The node settings every node of the run shares.
    func nodeConfiguration(id: NodeID, incarnation: UInt64, ring: Ring) -> NodeConfiguration {
        var configuration = NodeConfiguration(
            id: id, incarnation: incarnation, ring: ring, tables: [Simulation.table: table],
            replicaTimeoutMilliseconds: 60, requestTimeoutMilliseconds: 400,
            hintDeliveryIntervalMilliseconds: Self.hintDeliveryIntervalMilliseconds,
            tombstoneGraceMilliseconds: tombstoneGraceMilliseconds)
        configuration.versionVectorPruneFromEntries = Self.versionVectorPruneFromEntries
        #if CAIRN_MUTATIONS
        configuration.mutation = mutation
        #endif
        return configuration
    }
}

/// Which faults a run injects. Every data-loss fault is on by default since the fixes of issue 8 (torn writes
/// and corrupted copies since the quarantine: a copy that does not decode is moved aside and repaired from the
/// other replicas); `CAIRN_SIM_FAULTS=none` switches them off.
public struct FaultSwitches: Sendable, Hashable {
    /// A node crashes part-way through the directives of one event: after a persist and before the sends that
    /// follow it, or between two persists.
    public var crashBetweenDirectives = true
    /// Writes to `buffered` tables wait in a write-back cache until a periodic sync; a crash may be a power loss
    /// that drops them (bug 4, dot reuse after losing unsynced writes). `sync` tables lose nothing to it.
    public var powerLoss = true
    /// A power loss tears the last unsynced write: half its bytes reach the disk (a third of power losses).
    public var tornWrites = true
    /// A node comes back with an empty data directory (bug 3, KV679).
    public var wipedDisks = true
    /// A stored copy's bytes are replaced by ones that do not decode (half the disk faults). The checkers count
    /// it like a disk loss: a write whose every durable copy was corrupted, wiped or lost is excused, no other.
    public var corruptCopies = true
    /// A node's disk fails reads or writes for a while (bug 2, an unreadable copy read as empty).
    public var diskFailures = true
    /// Workloads that drive keys into `siblingsMax` and `versionVectorEntriesMax`, and a final put per key
    /// with the context just read, which must succeed. Waits for bugs 1 and 5.
    public var limitWorkloads = false

    public init() {}

    /// The default switches changed by a comma-separated list, in order, as `CAIRN_SIM_FAULTS` gives it: `all`
    /// switches every fault on, `none` the data-loss faults and limit workloads off, a name switches that one on.
    public init(names: String) throws {
        for name in names.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            switch name {
            case "all": self = .all
            case "none": (powerLoss, tornWrites, wipedDisks, corruptCopies, diskFailures, limitWorkloads) = (false, false, false, false, false, false)
            case "powerLoss": powerLoss = true
            case "tornWrites": (powerLoss, tornWrites) = (true, true)
            case "wipedDisks": wipedDisks = true
            case "corruptCopies": corruptCopies = true
            case "diskFailures": diskFailures = true
            case "limitWorkloads": limitWorkloads = true
            case "noCrashBetweenDirectives": crashBetweenDirectives = false
            default:
                throw SimulationOptionsError(
                    "unknown fault '\(name)': known are all, none, powerLoss, tornWrites, wipedDisks, corruptCopies, diskFailures, limitWorkloads, noCrashBetweenDirectives")
            }
        }
    }

    /// Every fault on, as a soak after the fixes of issue 8 should run.
    public static var all: FaultSwitches {
        var all = FaultSwitches()
        (all.powerLoss, all.tornWrites, all.wipedDisks, all.corruptCopies, all.diskFailures, all.limitWorkloads) =
            (true, true, true, true, true, true)
        return all
    }
}

/// A fault list that names no known fault.
public struct SimulationOptionsError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

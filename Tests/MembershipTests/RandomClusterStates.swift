import CairnCore
import CairnMembership

/// Seeded random cluster states for the merge properties: each is a shared base changed by random operations
/// through the public API (member records, status changes, commits, transfer progress, tables), so two states
/// from one base hold concurrent updates of the same members, tables and epochs.
struct RandomClusterStates {
    static let names: [NodeID] = ["a", "b", "c", "d", "e", "f"]
    static let zones: [String?] = [nil, "z1", "z2", "z3"]
    static let tableNames = ["users", "orders", "events"]

    var random: SplitMix64

    init(seed: UInt64) { random = SplitMix64(seed: seed) }

    /// A base that every state starts from: all names as members and one committed ring.
    static func base() throws -> ClusterState {
        var state = ClusterState()
        for name in names { try state.put(MemberRecord(name: name, zone: nil, weight: 1, status: .valid, version: 1)) }
        try state.commit(ring: Ring(partitionCount: 64, members: names.prefix(3).map { RingMember($0) }), by: "a", transfers: [])
        return state
    }

    mutating func state(operations: Int = 8) throws -> ClusterState {
        var state = try Self.base()
        for _ in 0..<operations { try change(&state) }
        return state
    }

    private mutating func pick<Element>(_ options: [Element]) -> Element { options[random.next(below: options.count)] }

    private mutating func change(_ state: inout ClusterState) throws {
        switch random.next(below: 6) {
        case 0:
            let name = pick(Self.names)
            try state.put(
                MemberRecord(
                    name: name, zone: pick(Self.zones), weight: 1 + random.next(below: 3),
                    status: pick(MemberStatus.allCases), version: UInt64(1 + random.next(below: 4))))
        case 1:
            try state.setStatus(of: pick(Self.names), to: pick(MemberStatus.allCases))
        case 2:
            let count = 2 + random.next(below: 4)
            let members = Self.names.prefix(count).map { RingMember($0) }
            let ring = Ring(partitionCount: 64, members: members)
            let moves = (0..<3).map { _ in (partition: random.next(below: 64), from: pick(Self.names), to: pick(Self.names)) }
            var unique: [(partition: Int, from: NodeID, to: NodeID)] = []
            for move in moves where !unique.contains(where: { $0.partition == move.partition }) { unique.append(move) }
            try state.commit(ring: ring, by: pick(Self.names), transfers: unique)
        case 3:
            if let transfer = state.transfers.values.sorted(by: { $0.key < $1.key }).first {
                try state.advance(transfer.key, to: pick(TransferStatus.allCases))
            }
        case 4:
            let name = pick(Self.tableNames)
            let definition = TableDefinition(name: name, engine: pick(["memory", "lmdb"]), replicas: 3, readQuorum: 1 + random.next(below: 3))
            if state.tables[name] == nil { try state.createTable(definition) }
        default:
            let name = pick(Self.tableNames)
            if state.tables[name] != nil { try state.dropTable(named: name) }
        }
    }
}

import CairnCore

/// The canonical byte form of a cluster state: every map in key order, strings and lists length-prefixed, ring
/// owners as indices into the ring's members. Equal states give equal bytes, so its hash is the gossip digest
/// and its length the size of a message carrying the state. Only for states that passed `checkParts()` (as every
/// state built here does). Decoding it is the networked server's work.
enum ClusterStateBytes {
    static func encode(_ state: ClusterState) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + state.members.count * 24)
        put(UInt64(state.members.count), &out)
        for record in state.members.values.sorted(by: { $0.name < $1.name }) {
            put(record.name.name, &out)
            put(record.zone, &out)
            put(UInt64(record.weight), &out)
            put(record.status.rawValue, &out)
            put(record.version, &out)
        }
        if let record = state.ring {
            out.append(1)
            put(record.commit, &out)
            put(UInt64(record.lineage.count), &out)
            for commit in record.lineage { put(commit, &out) }
            put(UInt64(record.ring.partitionCount), &out)
            put(UInt64(record.ring.members.count), &out)
            var index = [NodeID: Int]()
            for (position, member) in record.ring.members.enumerated() {
                index[member.id] = position
                put(member.id.name, &out)
                put(member.zone, &out)
                put(UInt64(member.weight), &out)
            }
            for owner in record.ring.owners {
                let position = UInt16(index[owner]!)  // checkRing: every owner is a ring member
                out.append(UInt8(position >> 8))
                out.append(UInt8(position & 0xFF))
            }
        } else {
            out.append(0)
        }
        put(UInt64(state.transfers.count), &out)
        for transfer in state.transfers.values.sorted(by: { $0.key < $1.key }) {
            put(transfer.key.commit, &out)
            put(UInt64(transfer.partition), &out)
            put(transfer.from.name, &out)
            put(transfer.to.name, &out)
            put(transfer.status.rawValue, &out)
        }
        put(UInt64(state.catalog.count), &out)
        for (name, entry) in state.catalog.sorted(by: { $0.key < $1.key }) {
            put(name, &out)
            put(entry.version, &out)
            out.append(entry.dropped ? 1 : 0)
            let table = entry.definition
            put(table.engine, &out)
            put(UInt64(table.replicas), &out)
            put(UInt64(table.readQuorum), &out)
            put(UInt64(table.writeQuorum), &out)
            put(table.policy, &out)
            put(table.durability, &out)
        }
        return out
    }

    static func count(of state: ClusterState) -> Int { encode(state).count }

    /// The 64-bit digest nodes compare before sending whole states.
    static func digest(of state: ClusterState) -> UInt64 { StableHash.hash(encode(state)) }

    private static func put(_ value: UInt64, _ out: inout [UInt8]) {
        var rest = value
        repeat {
            let low = UInt8(rest & 0x7F)
            rest >>= 7
            out.append(rest == 0 ? low : low | 0x80)
        } while rest != 0
    }

    private static func put(_ text: String, _ out: inout [UInt8]) {
        put(UInt64(text.utf8.count), &out)
        out.append(contentsOf: text.utf8)
    }

    private static func put(_ text: String?, _ out: inout [UInt8]) {
        guard let text else { return out.append(0) }
        out.append(1)
        put(text, &out)
    }

    private static func put(_ commit: CommitID, _ out: inout [UInt8]) {
        put(commit.epoch, &out)
        put(commit.committer.name, &out)
    }
}

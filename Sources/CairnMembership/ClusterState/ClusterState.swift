import CairnCore

/// The cluster state every node gossips: members, the ring with its epoch, the transfers commits planned, and
/// the table catalog.
///
/// It is a state-based CRDT: each part is a map whose entries merge to the greater of two copies in a fixed
/// total order (members and catalog entries by version, transfers by status, the ring by commit), so `merge` is
/// commutative, associative and idempotent, and nodes that saw the same updates hold equal states whatever the
/// order they heard them in. Changes go through the `mutating` methods, which raise versions; nothing else
/// writes the parts.
public struct ClusterState: Equatable, Codable, Sendable {
    public private(set) var members: [NodeID: MemberRecord] = [:]
    public private(set) var ring: RingRecord?
    public private(set) var transfers: [TransferKey: PendingTransfer] = [:]
    public private(set) var catalog: [String: CatalogEntry] = [:]

    public init() {}

    /// The ring's epoch, 0 before the first commit.
    public var epoch: UInt64 { ring?.epoch ?? 0 }

    /// Tables that exist (not dropped), by name.
    public var tables: [String: TableDefinition] {
        catalog.compactMapValues { $0.dropped ? nil : $0.definition }
    }

    /// Transfers of the current ring's lineage that are not done yet, in key order.
    public var liveTransfers: [PendingTransfer] {
        guard let ring else { return [] }
        let lineage = Set(ring.lineage)
        return transfers.values.filter { lineage.contains($0.key.commit) && $0.status != .done }
            .sorted { $0.key < $1.key }
    }

    // MARK: Merge

    /// This state joined with `other`.
    public func merged(with other: ClusterState) -> ClusterState {
        var result = self
        result.merge(other)
        return result
    }

    /// Joins `other` into this state.
    public mutating func merge(_ other: ClusterState) {
        members.merge(other.members, uniquingKeysWith: MemberRecord.merged)
        ring = RingRecord.merged(ring, other.ring)
        transfers.merge(other.transfers, uniquingKeysWith: PendingTransfer.merged)
        catalog.merge(other.catalog, uniquingKeysWith: CatalogEntry.merged)
    }

    // MARK: Checks

    /// Throws unless every part is within `ClusterStateLimits`; a node checks each state it receives.
    public func check() throws(ClusterStateError) {
        try checkParts()
        try Self.checkSize(ClusterStateBytes.count(of: self))
    }

    static func checkSize(_ bytes: Int) throws(ClusterStateError) {
        guard bytes <= ClusterStateLimits.stateBytesMax else {
            throw .limitExceeded("state of \(bytes) bytes, more than stateBytesMax \(ClusterStateLimits.stateBytesMax)")
        }
    }

    /// The checks of `check()` but the size of the encoding.
    func checkParts() throws(ClusterStateError) {
        typealias Limits = ClusterStateLimits
        guard members.count <= Limits.membersMax else {
            throw .limitExceeded("\(members.count) members, more than membersMax \(Limits.membersMax)")
        }
        for (name, record) in members {
            guard name == record.name else { throw .invalidMember("member entry \(name) holds the record of \(record.name)") }
            try Self.checkMember(record)
        }
        if let ring { try Self.checkRing(ring.ring) }
        guard catalog.count <= Limits.tablesMax else {
            throw .limitExceeded("\(catalog.count) tables, more than tablesMax \(Limits.tablesMax)")
        }
        for (name, entry) in catalog {
            try entry.definition.check()
            guard name == entry.definition.name else { throw .invalidTable("catalog entry \(name) names another table") }
        }
        guard transfers.count <= Limits.transfersMax else {
            throw .limitExceeded("\(transfers.count) transfers, more than transfersMax \(Limits.transfersMax)")
        }
        if let ring, ring.lineage.count > Limits.lineageCountMax {
            throw .limitExceeded("ring lineage of \(ring.lineage.count), more than lineageCountMax \(Limits.lineageCountMax)")
        }
    }

    /// A ring that came from elsewhere (decoded, not built here): Q in range, one owner per partition, every owner
    /// a member, members unique and within the limits.
    static func checkRing(_ ring: Ring) throws(ClusterStateError) {
        guard (Ring.partitionCountMin...Ring.partitionCountMax).contains(ring.partitionCount) else {
            throw .invalidRing("ring of \(ring.partitionCount) partitions; Q must be \(Ring.partitionCountMin)…\(Ring.partitionCountMax)")
        }
        guard ring.owners.count == ring.partitionCount else {
            throw .invalidRing("ring of \(ring.partitionCount) partitions with \(ring.owners.count) owners")
        }
        let ids = Set(ring.members.map(\.id))
        guard (1...Ring.membersMax).contains(ring.members.count), ids.count == ring.members.count else {
            throw .invalidRing("ring members must be 1…\(Ring.membersMax) distinct nodes, not \(ring.members.count)")
        }
        for member in ring.members where !(1...Ring.weightMax).contains(member.weight) {
            throw .invalidRing("ring member \(member.id): weight \(member.weight) must be 1…\(Ring.weightMax)")
        }
        if let stranger = ring.owners.first(where: { !ids.contains($0) }) {
            throw .invalidRing("ring owner \(stranger) is not a ring member")
        }
    }

    static func checkMember(_ record: MemberRecord) throws(ClusterStateError) {
        guard (1...Ring.weightMax).contains(record.weight) else {
            throw .invalidMember("member \(record.name): weight \(record.weight) must be 1…\(Ring.weightMax)")
        }
        if let zone = record.zone, zone.isEmpty || zone.utf8.count > ClusterStateLimits.zoneBytesMax {
            throw .invalidMember("member \(record.name): zone must be 1…\(ClusterStateLimits.zoneBytesMax) bytes")
        }
    }

    // MARK: Changes (each raises the version of what it changes)

    /// Adds a member, or replaces its record with a newer one at `version` (a node announcing or refuting).
    public mutating func put(_ record: MemberRecord) throws(ClusterStateError) {
        try Self.checkMember(record)
        if members[record.name] == nil, members.count >= ClusterStateLimits.membersMax {
            throw .limitExceeded("cannot add \(record.name): membersMax \(ClusterStateLimits.membersMax) reached")
        }
        members[record.name] = members[record.name].map { MemberRecord.merged($0, record) } ?? record
    }

    /// Sets a known member's status, one version above the record it replaces.
    public mutating func setStatus(of name: NodeID, to status: MemberStatus) throws(ClusterStateError) {
        guard var record = members[name] else { throw .invalidMember("\(name) is not a member") }
        guard record.status != status else { return }
        record.status = status
        record.version += 1
        members[name] = record
    }

    /// Records a new ring made by `committer`, one epoch above the current one, and the transfers it needs.
    public mutating func commit(ring newRing: Ring, by committer: NodeID, transfers moves: [(partition: Int, from: NodeID, to: NodeID)])
        throws(ClusterStateError)
    {
        guard transfers.count + moves.count <= ClusterStateLimits.transfersMax else {
            throw .limitExceeded("commit needs \(moves.count) transfers; transfersMax \(ClusterStateLimits.transfersMax) reached")
        }
        let commit = CommitID(epoch: epoch + 1, committer: committer)
        let lineage = Array(((ring?.lineage ?? []) + [commit]).suffix(ClusterStateLimits.lineageCountMax))
        ring = RingRecord(commit: commit, ring: newRing, lineage: lineage)
        for move in moves {
            let key = TransferKey(commit: commit, partition: move.partition)
            transfers[key] = PendingTransfer(key: key, from: move.from, to: move.to)
        }
    }

    /// Advances a transfer's status (the transfer work calls this). A leaving member whose live transfers are all
    /// done becomes `exiting`.
    public mutating func advance(_ key: TransferKey, to status: TransferStatus) throws(ClusterStateError) {
        guard var transfer = transfers[key] else { throw .invalidMember("no transfer of partition \(key.partition) at epoch \(key.commit.epoch)") }
        guard transfer.status < status else { return }
        transfer.status = status
        transfers[key] = transfer
        guard status == .done, members[transfer.from]?.status == .leaving,
            !liveTransfers.contains(where: { $0.from == transfer.from })
        else { return }
        try setStatus(of: transfer.from, to: .exiting)
    }

    /// Adds a table to the catalog (or brings back a dropped one, one version above its tombstone).
    public mutating func createTable(_ definition: TableDefinition) throws(ClusterStateError) {
        try definition.check()
        let existing = catalog[definition.name]
        if let existing, !existing.dropped { throw .tableExists("table \(definition.name) already exists") }
        if existing == nil, catalog.count >= ClusterStateLimits.tablesMax {
            throw .limitExceeded("cannot create \(definition.name): tablesMax \(ClusterStateLimits.tablesMax) reached")
        }
        catalog[definition.name] = CatalogEntry(definition: definition, version: (existing?.version ?? 0) + 1, dropped: false)
    }

    /// Marks a table dropped (a tombstone one version above its entry).
    public mutating func dropTable(named name: String) throws(ClusterStateError) {
        guard var entry = catalog[name], !entry.dropped else { throw .tableUnknown("no table \(name.prefix(255))") }
        entry.dropped = true
        entry.version += 1
        catalog[name] = entry
    }
}

import CairnCore

extension Transfer {
    /// The new owner's side of every transfer a node receives. Each batch's copies are merged into the stored
    /// ones (`mergeCopies`: a `SiblingSet` union, never an overwrite; an undecodable stored copy is an error and
    /// is left as it is), the last key merged is recorded durably, and only then is the batch acknowledged:
    /// the shell performs directives in order and stops at the first failure, so an ack always follows a
    /// durable merge. An arriving copy that cannot be decoded is refused before anything is written.
    ///
    /// Every handler is idempotent: a batch merged twice changes nothing the second time, and a `finish` for a
    /// transfer already finished is answered again.
    public struct Receiver {
        public let node: NodeID
        /// How each table settles concurrent writes, for merging its arriving copies (a table the catalog adds
        /// later is added here by the node).
        public var policies: [String: ConflictPolicy]
        private var incoming: [ID: Incoming] = [:]
        private var order: [ID] = []

        /// One incoming transfer's state.
        struct Incoming: Hashable, Sendable {
            var lastMerged: [UInt8]?
            var finished = false
            var keys = 0
            var bytes = 0
            var refusal: String?
        }

        public init(node: NodeID, policies: [String: ConflictPolicy]) {
            self.node = node
            self.policies = policies
        }

        /// Every transfer this node receives or has received since it started.
        public var transfers: [Progress] {
            order.compactMap { id in
                incoming[id].map { state in
                    Progress(
                        id: id, role: .receiver,
                        status: state.finished ? .done : state.refusal.map { .stalled($0) } ?? .receiving,
                        keys: state.keys, bytes: state.bytes, lastKey: state.lastMerged, batchesResent: 0, dirtyKeys: 0)
                }
            }
        }

        /// Takes back, after a restart, the transfers this node was receiving and how far each had merged.
        public mutating func restore(records: [ProgressRecord]) {
            for record in records.sorted(by: { $0.id < $1.id }) where record.role == .receiver && record.id.to == node {
                guard incoming[record.id] == nil else { continue }
                track(record.id)
                incoming[record.id]!.lastMerged = record.lastKey
            }
        }

        /// Handles `open`, `batch` and `finish` from a sender; other messages are the sender's.
        public mutating func onMessage(_ message: Message, from peer: NodeID) -> [Directive] {
            switch message {
            case .open(let id, _):
                guard accepts(id, from: peer) else { return misdirected(message, from: peer) }
                // A late duplicate `open` of a transfer finished in this run records nothing again.
                let isNew = incoming[id] == nil
                track(id)
                let merged = incoming[id]!.lastMerged
                return (isNew ? [.recordProgress(ProgressRecord(id: id, role: .receiver, lastKey: merged))] : [])
                    + [.send(to: peer, .opened(id, mergedThrough: merged))]
            case .batch(let id, let sequence, let progress, let entries):
                guard accepts(id, from: peer) else { return misdirected(message, from: peer) }
                guard incoming[id] != nil else { return unknown(id, from: peer) }
                if let refusal = policies[id.table] == nil ? "no table named '\(id.table)' on \(node)" : refusal(of: entries) {
                    track(id)
                    incoming[id]!.refusal = refusal
                    return [.log("transfer \(id): batch \(sequence) refused, nothing merged: \(refusal)")]
                }
                var out: [Directive] = [.mergeCopies(table: id.table, partition: id.partition, entries: entries, policy: policies[id.table]!)]
                track(id)
                var state = incoming[id]!
                state.refusal = nil
                state.finished = false
                if case .scanned(let through) = progress {
                    state.lastMerged = Transfer.later(state.lastMerged, through)
                    out.append(.recordProgress(ProgressRecord(id: id, role: .receiver, lastKey: state.lastMerged)))
                }
                state.keys += entries.count
                state.bytes += entries.reduce(0) { $0 + $1.bytes }
                incoming[id] = state
                return out + [.send(to: peer, .ack(id, sequence: sequence, progress: progress))]
            case .finish(let id):
                guard accepts(id, from: peer) else { return misdirected(message, from: peer) }
                guard incoming[id] != nil else { return unknown(id, from: peer) }
                track(id)
                incoming[id]!.finished = true
                return [.removeProgress(id, role: .receiver), .send(to: peer, .finished(id))]
            case .opened, .ack, .finished:
                return []
            }
        }

        private func accepts(_ id: ID, from peer: NodeID) -> Bool { id.to == node && id.from == peer }

        /// A batch or `finish` of a transfer never opened here (nor restored from a record): this node's disk was
        /// wiped since it acknowledged earlier batches (or the transfer finished before a restart). Nothing is
        /// merged or acknowledged; `opened` with nothing merged tells the sender to start over from `open`.
        private func unknown(_ id: ID, from peer: NodeID) -> [Directive] {
            [.log("transfer \(id): not opened here (a wiped disk?); asking \(peer) to start over"),
             .send(to: peer, .opened(id, mergedThrough: nil))]
        }

        private func misdirected(_ message: Message, from peer: NodeID) -> [Directive] {
            [.log("transfer message from \(peer) ignored: it is not for a transfer from \(peer) to \(node)")]
        }

        /// Why a batch cannot be merged at all (too many keys, or a copy that does not decode), or nil.
        private func refusal(of entries: [Entry]) -> String? {
            guard entries.count <= Limits.batchKeysMaxLimit else {
                return "\(entries.count) keys, over batchKeysMaxLimit (\(Limits.batchKeysMaxLimit))"
            }
            for entry in entries {
                guard (1...ReplicationLimits.keyBytesMax).contains(entry.key.count) else {
                    return "key of \(entry.key.count) bytes is not within 1…\(ReplicationLimits.keyBytesMax) bytes"
                }
                do { _ = try SiblingSetCodec.decode(entry.data) } catch { return "an arriving copy cannot be decoded: \(error)" }
            }
            return nil
        }

        /// The state of a transfer, created (and listed) when first seen.
        private mutating func track(_ id: ID) {
            guard incoming[id] == nil else { return }
            incoming[id] = Incoming()
            order.append(id)
        }
    }
}

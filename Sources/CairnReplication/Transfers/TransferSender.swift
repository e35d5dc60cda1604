import CairnCore

extension Transfer {
    /// The old owner's side of every transfer a node sends: scans each moving partition in bounded batches,
    /// sends one batch at a time and waits for its ack, throttled by one token bucket for the whole node
    /// (`bytesPerSecondMax`) and at most `concurrentTransfersMax` transfers at once.
    ///
    /// **Resuming.** The sender records the last acknowledged key durably after each ack (`recordProgress`);
    /// a restarted node passes its records to `restore`, and each transfer resumes after that key, not from
    /// the start. A lost batch or ack is sent again after `retryMilliseconds`, from the same key.
    ///
    /// **Writes during the transfer.** The old owner keeps serving writes while it sends. The shell reports each
    /// write to a moving partition through `noteWrite`. A key the scan has already passed (at or before the
    /// batch in flight, or any key once the scan is done) is *dirty*: recorded durably (`recordDirty`, so a
    /// restart does not forget it) and forwarded, with its current copy, after the scan. A key ahead of the scan
    /// needs nothing: the scan will read it. A dirty key is cleared only when the ack of the forward that carried
    /// its latest write arrives (a write after the forward was read makes it dirty again). Past `dirtyKeysMax`
    /// dirty keys the scan starts over from the first key instead, forgetting them.
    ///
    /// **Completing.** Only when the scan is acknowledged and no key is dirty does the sender send `finish`;
    /// a write noted before the receiver's `finished` arrives sends it back to forwarding, and a `finished`
    /// answering an earlier `finish` is then ignored. On `finished` it emits `dropPartition` (removing the old
    /// copy) and forgets its record. After that the node no longer owns the partition: the shell sends writes
    /// for it to the new owner (as hints for a node that left, through `Plan.newOwner(ofPartition:)`).
    public struct Sender {
        public let node: NodeID
        public let limits: Limits
        let storage: any StorageView
        /// This run's start counter: the high half of every batch sequence.
        let run: UInt64
        private var outgoing: [ID: Outgoing] = [:]
        private var order: [ID] = []
        private var bucket: TokenBucket?
        private var throttleTimerPending = false
        private var batchCounter: UInt64 = 0

        /// A sender for `node`; `run` is the node's start counter (new at every start). Throws when `limits` are
        /// outside their bounds.
        public init(node: NodeID, limits: Limits, storage: any StorageView, run: UInt64, nowMilliseconds: UInt64) throws(TransferError) {
            try limits.check()
            self.node = node
            self.limits = limits
            self.storage = storage
            self.run = run
            self.bucket = limits.bytesPerSecondMax.map { TokenBucket(bytesPerSecond: $0, nowMilliseconds: nowMilliseconds) }
        }

        /// Every transfer this node sends or has sent since it started, in the order planned.
        public var transfers: [Progress] {
            order.compactMap { id in outgoing[id].map { $0.progress(id) } }
        }

        /// Whether this node is still sending `table`'s `partition` (its writes must be noted).
        public func isSending(table: String, partition: Int) -> Bool {
            outgoing.contains { $0.key.table == table && $0.key.partition == partition && $0.value.phase != .done }
        }

        /// Plans new moves from this node; they start as concurrency allows. A move done earlier in this run may be
        /// planned again (a later handoff of the same partition to the same node): it starts over from the first
        /// key. Throws, planning none of them, when one is not from this node or is planned and not done yet.
        public mutating func plan(_ moves: [ID], nowMilliseconds: UInt64) throws(TransferError) -> [Directive] {
            for id in moves {
                guard id.from == node else { throw .notTheOldOwner(id, node: node) }
                guard outgoing[id].map({ $0.phase == .done }) ?? true, moves.filter({ $0 == id }).count == 1 else {
                    throw .duplicateTransfer(id)
                }
            }
            var out: [Directive] = []
            for id in moves {
                if let done = outgoing[id] {
                    // A new attempt number, so no retry timer of the earlier transfer acts on this one.
                    var again = Outgoing()
                    again.attempt = done.attempt + 1
                    outgoing[id] = again
                    order.removeAll { $0 == id }
                } else {
                    outgoing[id] = Outgoing()
                }
                order.append(id)
                out.append(.recordProgress(ProgressRecord(id: id, role: .sender, lastKey: nil)))
            }
            return out + activate(nowMilliseconds: nowMilliseconds)
        }

        /// Whether this node stores any copy of `table`'s `partition` (one key scanned). Throws the storage error:
        /// a partition that cannot be read is not taken for an empty one.
        public func holdsCopies(table: String, partition: Int) throws -> Bool {
            try !storage.scanPartition(table: table, partition: partition, after: nil, keysMax: 1, bytesMax: limits.batchBytesMax).isEmpty
        }

        /// Takes back, after a restart, the transfers this node was sending: each resumes after its recorded
        /// last acknowledged key, with the dirty keys recorded for it.
        public mutating func restore(
            records: [ProgressRecord], dirtyKeys: [ID: [[UInt8]]], nowMilliseconds: UInt64
        ) -> [Directive] {
            for record in records.sorted(by: { $0.id < $1.id }) where record.role == .sender && record.id.from == node {
                guard outgoing[record.id] == nil else { continue }
                var state = Outgoing()
                state.lastAcked = record.lastKey
                for key in dirtyKeys[record.id] ?? [] { state.markDirty(key) }
                outgoing[record.id] = state
                order.append(record.id)
            }
            return activate(nowMilliseconds: nowMilliseconds)
        }

        /// Handles `opened`, `ack` and `finished` from a receiver; other messages are the receiver's.
        public mutating func onMessage(_ message: Message, from peer: NodeID, nowMilliseconds: UInt64) -> [Directive] {
            switch message {
            case .opened(let id, let mergedThrough):
                guard id.to == peer, let phase = outgoing[id]?.phase, phase != .queued, phase != .done else { return [] }
                guard phase == .opening else { return reopen(id, nowMilliseconds: nowMilliseconds) }
                outgoing[id]!.phase = .scanning
                var out: [Directive] = []
                if let mergedThrough, outgoing[id]!.lastAcked.map({ Transfer.precedes($0, mergedThrough) }) ?? true {
                    out.append(.log("transfer \(id): the receiver merged past the sender's last acknowledged key; resuming from the sender's"))
                }
                return out + pump(nowMilliseconds: nowMilliseconds)
            case .ack(let id, let sequence, let progress):
                guard id.to == peer, let inFlight = outgoing[id]?.inFlight, inFlight.sequence == sequence, inFlight.progress == progress
                else { return [] }
                return acknowledged(id, inFlight) + pump(nowMilliseconds: nowMilliseconds)
            case .finished(let id):
                guard id.to == peer, outgoing[id]?.phase == .finishing else { return [] }
                outgoing[id]!.phase = .done
                outgoing[id]!.attempt += 1
                return [.dropPartition(table: id.table, partition: id.partition), .removeProgress(id, role: .sender)]
                    + activate(nowMilliseconds: nowMilliseconds)
            case .open, .batch, .finish:
                return []
            }
        }

        /// Handles a fired timer: a retry of a request not answered in time, or the throttle's refill.
        public mutating func onTimer(_ timer: Timer, nowMilliseconds: UInt64) -> [Directive] {
            switch timer {
            case .throttle:
                throttleTimerPending = false
                return pump(nowMilliseconds: nowMilliseconds)
            case .retry(let id, let attempt):
                guard var state = outgoing[id], state.attempt == attempt else { return [] }
                state.stalled = nil
                switch state.phase {
                case .opening, .finishing:
                    outgoing[id] = state
                    return request(id, state.phase == .opening ? .open(id, resumeAfter: state.lastAcked) : .finish(id))
                case .scanning, .forwarding:
                    if state.inFlight != nil { state.batchesResent += 1 }
                    state.inFlight = nil
                    outgoing[id] = state
                    return pump(nowMilliseconds: nowMilliseconds)
                case .queued, .done:
                    return []
                }
            }
        }

        /// Reports a write the node is about to store for `table`'s `key` in `partition`: the shell calls it
        /// *before* it persists the write and performs the directives it returns first, so a crash between the two
        /// cannot leave a stored write that no dirty record names. A key the scan of a transfer of that partition
        /// has passed becomes dirty (recorded durably, forwarded before the transfer completes). Nothing is read
        /// here: a finishing transfer goes back to forwarding through a timer, which fires after the write is stored.
        public mutating func noteWrite(table: String, partition: Int, key: [UInt8]) -> [Directive] {
            var out: [Directive] = []
            for id in order where id.table == table && id.partition == partition {
                guard var state = outgoing[id], state.scanHasPassed(key) else { continue }
                if state.dirty.count >= limits.dirtyKeysMax, state.dirty[key] == nil {
                    state.startOver()
                    out += [.clearAllDirty(id), .recordProgress(ProgressRecord(id: id, role: .sender, lastKey: nil)),
                            .log("transfer \(id): more than dirtyKeysMax (\(limits.dirtyKeysMax)) keys written behind the scan; scanning again from the start")]
                    out.append(.startTimer(.retry(id, attempt: state.attempt), afterMilliseconds: 1))
                    outgoing[id] = state
                    continue
                }
                state.markDirty(key)
                out.append(.recordDirty(id, key: key))
                if state.phase == .finishing {
                    // The `finish` in flight is void (a `finished` answering it is ignored); forward the key first.
                    state.phase = .forwarding
                    state.attempt += 1
                    out.append(.startTimer(.retry(id, attempt: state.attempt), afterMilliseconds: 1))
                }
                outgoing[id] = state
            }
            return out
        }

        /// Stops transfers a newer ring made pointless (their receiver no longer holds the partition): each is done
        /// without a drop (the copy here stays until a transfer to a current holder completes) and its records are
        /// removed. A batch still in flight may yet be merged by a receiver that did not adopt the newer ring.
        public mutating func cancel(_ ids: [ID], nowMilliseconds: UInt64) -> [Directive] {
            var out: [Directive] = []
            for id in ids where outgoing[id].map({ $0.phase != .done }) == true {
                outgoing[id]!.phase = .done
                outgoing[id]!.inFlight = nil
                outgoing[id]!.attempt += 1
                out += [.removeProgress(id, role: .sender), .clearAllDirty(id), .log("transfer \(id): cancelled, \(id.to) no longer holds the partition")]
            }
            return out + activate(nowMilliseconds: nowMilliseconds)
        }

        /// An `opened` outside the opening phase: the receiver answered a batch or `finish` of a transfer it knows
        /// nothing of, so it lost its disk (wiped) after acknowledging some of it. The copy here must not be dropped
        /// on the strength of those acks: the transfer starts over, from `open` and the first key.
        private mutating func reopen(_ id: ID, nowMilliseconds: UInt64) -> [Directive] {
            outgoing[id]!.startOver()
            outgoing[id]!.phase = .opening
            return [
                .clearAllDirty(id), .recordProgress(ProgressRecord(id: id, role: .sender, lastKey: nil)),
                .log("transfer \(id): the receiver knows nothing of it (its disk was wiped?); starting over from the first key"),
            ] + request(id, .open(id, resumeAfter: nil))
        }

        // MARK: Steps

        private mutating func activate(nowMilliseconds: UInt64) -> [Directive] {
            var active = outgoing.values.filter(\.isActive).count
            var out: [Directive] = []
            for id in order where active < limits.concurrentTransfersMax && outgoing[id]?.phase == .queued {
                outgoing[id]!.phase = .opening
                active += 1
                out += request(id, .open(id, resumeAfter: outgoing[id]!.lastAcked))
            }
            return out
        }

        /// Sends a request and starts its retry timer under a new attempt number.
        private mutating func request(_ id: ID, _ message: Message) -> [Directive] {
            outgoing[id]!.attempt += 1
            return [.send(to: id.to, message), .startTimer(.retry(id, attempt: outgoing[id]!.attempt), afterMilliseconds: limits.retryMilliseconds)]
        }

        private mutating func acknowledged(_ id: ID, _ inFlight: InFlight) -> [Directive] {
            var state = outgoing[id]!
            state.inFlight = nil
            state.keys += inFlight.keys.count
            state.bytes += inFlight.bytes
            var out: [Directive] = []
            switch inFlight.progress {
            case .scanned(let through):
                state.lastAcked = through
                out.append(.recordProgress(ProgressRecord(id: id, role: .sender, lastKey: through)))
            case .forwarded:
                for (key, generation) in inFlight.keys where state.dirty[key] == generation {
                    state.dirty[key] = nil
                    out.append(.clearDirty(id, key: key))
                }
            }
            outgoing[id] = state
            return out
        }

        /// Sends the next batch of every active transfer that has none in flight, while the throttle allows.
        private mutating func pump(nowMilliseconds: UInt64) -> [Directive] {
            var out: [Directive] = []
            for id in order {
                guard let state = outgoing[id], state.phase == .scanning || state.phase == .forwarding,
                    state.inFlight == nil, state.stalled == nil
                else { continue }
                if var bucket {
                    bucket.refill(nowMilliseconds: nowMilliseconds)
                    self.bucket = bucket
                    guard bucket.canSend else {
                        if !throttleTimerPending {
                            throttleTimerPending = true
                            out.append(.startTimer(.throttle, afterMilliseconds: bucket.millisecondsUntilClear))
                        }
                        return out
                    }
                }
                out += sendNext(id)
            }
            return out
        }

        private mutating func sendNext(_ id: ID) -> [Directive] {
            do {
                if outgoing[id]!.phase == .scanning {
                    let entries = try storage.scanPartition(
                        table: id.table, partition: id.partition, after: outgoing[id]!.lastAcked,
                        keysMax: limits.batchKeysMax, bytesMax: limits.batchBytesMax)
                    if let last = entries.last {
                        return send(id, .scanned(through: last.key), entries)
                    }
                    outgoing[id]!.phase = .forwarding
                }
                let dirty = outgoing[id]!.dirty.keys.sorted(by: Transfer.precedes).prefix(limits.batchKeysMax)
                guard !dirty.isEmpty else {
                    outgoing[id]!.phase = .finishing
                    return request(id, .finish(id))
                }
                var entries: [Entry] = []
                var carried: [[UInt8]] = []
                var bytes = 0
                for key in dirty {
                    let data = try storage.load(table: id.table, key: key)
                    if let data {
                        if !entries.isEmpty, bytes + key.count + data.count > limits.batchBytesMax { break }
                        entries.append(Entry(key: key, data: data))
                        bytes += key.count + data.count
                    }
                    carried.append(key)
                }
                return send(id, .forwarded, entries, carriedKeys: carried)
            } catch {
                outgoing[id]!.stalled = "\(error)"
                outgoing[id]!.attempt += 1
                return [
                    .log("transfer \(id): storage failed, retrying in \(limits.retryMilliseconds) ms: \(error)"),
                    .startTimer(.retry(id, attempt: outgoing[id]!.attempt), afterMilliseconds: limits.retryMilliseconds),
                ]
            }
        }

        /// Sends one batch under a new sequence. A forward lists the dirty keys it carries, including those whose
        /// copy is gone (removed since): the ack clears them all the same.
        private mutating func send(_ id: ID, _ progress: BatchProgress, _ entries: [Entry], carriedKeys: [[UInt8]]? = nil) -> [Directive] {
            batchCounter += 1
            let sequence = run << 32 | (batchCounter & 0xFFFF_FFFF)
            let bytes = entries.reduce(0) { $0 + $1.bytes }
            var generations: [[UInt8]: UInt64] = [:]
            for key in carriedKeys ?? entries.map(\.key) { generations[key] = outgoing[id]!.dirty[key] ?? 0 }
            outgoing[id]!.inFlight = InFlight(sequence: sequence, progress: progress, keys: generations, bytes: bytes)
            bucket?.take(bytes)
            return request(id, .batch(id, sequence: sequence, progress: progress, entries: entries))
        }
    }
}

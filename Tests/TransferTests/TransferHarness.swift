import CairnCore
import CairnNode
import CairnReplication
import CairnStorage
import CairnTestSupport
import LMDBEngine
import MemoryEngine

/// Which engine a side of a test transfer stores its table and records in.
enum HarnessEngine: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, lmdb
    var description: String { rawValue }
}

/// Two nodes on real engines, `a` sending one table's partitions to `b`, over a scripted network (each message
/// may be dropped by `drop`) and a virtual clock. It performs the transfer directives as a node shell would, in
/// order, stopping at the first that fails, and can crash either side (its engines survive, its memory and
/// timers do not, nor the messages on their way to it).
final class TransferHarness {
    static let table = "t"
    let ring = Ring(partitionCount: 64, members: [RingMember("a"), RingMember("b")])
    let directory = TemporaryDirectory("cairn-transfer-test")
    let senderStore: EngineReplicaStore
    let receiverStore: EngineReplicaStore
    let limits: Transfer.Limits
    var sender: Transfer.Sender
    var receiver: Transfer.Receiver
    var now: UInt64 = 0
    /// Decides, for each message sent, whether the network loses it.
    var drop: (Transfer.Message) -> Bool = { _ in false }
    /// Called after every event, to check an invariant at each step.
    var afterEvent: () -> Void = {}
    private(set) var sentBatches: [(milliseconds: UInt64, progress: Transfer.BatchProgress, entries: [Transfer.Entry])] = []
    private(set) var drops: [Int] = []
    private(set) var logs: [String] = []
    private(set) var failures: [String] = []
    private var events: [(at: UInt64, order: Int, to: NodeID, epoch: Int, kind: Kind)] = []
    private var order = 0
    private var epochs: [NodeID: Int] = ["a": 0, "b": 0]
    private var senderRuns: UInt64 = 1

    private enum Kind {
        case message(from: NodeID, Transfer.Message)
        case timer(Transfer.Timer)
    }

    init(sender senderEngine: HarnessEngine = .memory, receiver receiverEngine: HarnessEngine = .memory, limits: Transfer.Limits) throws {
        let directory = self.directory
        func open(_ kind: HarnessEngine, _ name: String) throws -> any StorageEngine {
            switch kind {
            case .memory: MemoryEngine()
            case .lmdb: try LMDBEngine(directory: directory.child(name), durability: .buffered)
            }
        }
        senderStore = EngineReplicaStore(
            partitionCount: ring.partitionCount, tables: [Self.table: try open(senderEngine, "a-t")], hints: try open(senderEngine, "a-hints"))
        receiverStore = EngineReplicaStore(
            partitionCount: ring.partitionCount, tables: [Self.table: try open(receiverEngine, "b-t")], hints: try open(receiverEngine, "b-hints"))
        self.limits = limits
        sender = try Transfer.Sender(node: "a", limits: limits, storage: senderStore, run: 1, nowMilliseconds: 0)
        receiver = Transfer.Receiver(node: "b", policies: [Self.table: .siblings])
    }

    // MARK: Data

    /// `count` keys of `partition`, in key order.
    func keys(inPartition partition: Int, count: Int, prefix: String = "key") -> [[UInt8]] {
        var keys: [[UInt8]] = []
        var index = 0
        while keys.count < count {
            let key = Array("\(prefix)-\(index)".utf8)
            if ring.partition(for: key) == partition { keys.append(key) }
            index += 1
        }
        return keys.sorted(by: Transfer.precedes)
    }

    /// A copy written once by `writer` with counter `counter`.
    static func copy(_ value: String, writer: NodeID = "a", counter: UInt64 = 1) -> SiblingSet {
        let dot = Dot(writer, counter)
        return SiblingSet(
            history: VersionVector([writer: counter]),
            siblings: [Sibling(dot: dot, value: Array(value.utf8), timestampMilliseconds: counter, isTombstone: false)])
    }

    func store(_ copy: SiblingSet, key: [UInt8], on store: EngineReplicaStore) throws {
        try store.perform(Directive.persist(table: Self.table, key: key, data: SiblingSetCodec.encode(copy)))
    }

    /// Every stored copy of a store, decoded, by key.
    func copies(on store: EngineReplicaStore) throws -> [[UInt8]: SiblingSet] {
        var out: [[UInt8]: SiblingSet] = [:]
        for (key, data) in try store.storedCopies(table: Self.table) { out[key] = try SiblingSetCodec.decode(data) }
        return out
    }

    /// A write at the old owner while it sends: reported to the sender, then stored, as a shell does.
    func write(_ copy: SiblingSet, key: [UInt8], noteIt: Bool = true) throws {
        if noteIt { perform(sender.noteWrite(table: Self.table, partition: ring.partition(for: key), key: key), on: "a") }
        try store(copy, key: key, on: senderStore)
    }

    // MARK: Running

    func plan(_ partitions: [Int]) throws {
        let moves = partitions.map { Transfer.ID(table: Self.table, partition: $0, from: "a", to: "b") }
        perform(try sender.plan(moves, nowMilliseconds: now), on: "a")
    }

    var senderProgress: [Transfer.Progress] { sender.transfers }

    var allDone: Bool { !sender.transfers.isEmpty && sender.transfers.allSatisfy { $0.status == .done } }

    /// Runs events until `condition` holds or nothing is left; returns whether it holds.
    @discardableResult
    func run(until condition: () -> Bool = { false }, eventsMax: Int = 200_000) -> Bool {
        var handled = 0
        while !condition(), handled < eventsMax, let next = popNext() {
            handled += 1
            now = max(now, next.at)
            guard epochs[next.to] == next.epoch else { continue }
            switch next.kind {
            case .message(let from, let message):
                if Transfer.isForSender(message) {
                    perform(sender.onMessage(message, from: from, nowMilliseconds: now), on: next.to)
                } else {
                    perform(receiver.onMessage(message, from: from), on: next.to)
                }
            case .timer(let timer):
                perform(sender.onTimer(timer, nowMilliseconds: now), on: next.to)
            }
            afterEvent()
        }
        return condition()
    }

    /// Crashes the sender: a new one restores from its records; its timers and the messages to it are lost.
    func crashSender() throws {
        epochs["a"]! += 1
        senderRuns += 1
        sender = try Transfer.Sender(node: "a", limits: limits, storage: senderStore, run: senderRuns, nowMilliseconds: now)
        perform(
            sender.restore(
                records: try senderStore.storedTransferRecords(), dirtyKeys: try senderStore.storedDirtyKeys(), nowMilliseconds: now),
            on: "a")
    }

    /// Crashes the receiver: a new one restores from its records; the messages to it are lost.
    func crashReceiver() throws {
        epochs["b"]! += 1
        receiver = Transfer.Receiver(node: "b", policies: [Self.table: .siblings])
        receiver.restore(records: try receiverStore.storedTransferRecords())
    }

    func perform(_ directives: [Transfer.Directive], on node: NodeID) {
        let store = node == "a" ? senderStore : receiverStore
        for directive in directives {
            do {
                switch directive {
                case .send(let to, let message):
                    if case .batch(_, _, let progress, let entries) = message { sentBatches.append((now, progress, entries)) }
                    if !drop(message) { schedule(to: to, after: 2, .message(from: node, message)) }
                case .startTimer(let timer, let after):
                    schedule(to: node, after: after, .timer(timer))
                case .log(let line):
                    logs.append(line)
                case .dropPartition(_, let partition):
                    drops.append(partition)
                    try store.perform(directive)
                default:
                    try store.perform(directive)
                }
            } catch {
                failures.append("\(node): \(error)")
                return
            }
        }
    }

    private func schedule(to node: NodeID, after milliseconds: UInt64, _ kind: Kind) {
        order += 1
        events.append((now + milliseconds, order, node, epochs[node]!, kind))
    }

    private func popNext() -> (at: UInt64, order: Int, to: NodeID, epoch: Int, kind: Kind)? {
        guard let index = events.indices.min(by: { (events[$0].at, events[$0].order) < (events[$1].at, events[$1].order) }) else {
            return nil
        }
        return events.remove(at: index)
    }
}

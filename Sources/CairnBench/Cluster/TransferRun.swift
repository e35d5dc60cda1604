import CairnCore
import CairnEngines
import CairnNode
import CairnReplication
import CairnStorage
import Foundation

/// `cairn bench transfer`: moves one partition between two engines in this process, through the transfer state
/// machines and the storage side a node uses, on the wall clock (so the throttle really waits), and measures
/// the throughput from the plan to the receiver's `finished`.
public struct TransferRun {
    /// What to move and how.
    public struct Settings: Sendable {
        public var keys: Int
        public var valueBytes: Int
        public var sender: EngineKind
        public var receiver: EngineKind
        public var limits: Transfer.Limits

        public static let keysMax = 10_000_000
        public static let valueBytesMax = ReplicationLimits.valueBytesMax

        public init(keys: Int, valueBytes: Int, sender: EngineKind, receiver: EngineKind, limits: Transfer.Limits) {
            self.keys = keys
            self.valueBytes = valueBytes
            self.sender = sender
            self.receiver = receiver
            self.limits = limits
        }

        /// A one-line problem with the settings, or nil.
        public func problem() -> String? {
            if !(1...Self.keysMax).contains(keys) { return "--keys is \(keys), must be 1…\(Self.keysMax)" }
            if !(1...Self.valueBytesMax).contains(valueBytes) { return "--value-bytes is \(valueBytes), must be 1…\(Self.valueBytesMax)" }
            do { try limits.check() } catch { return error.description }
            return nil
        }
    }

    /// What one run measured.
    public struct Result: Sendable {
        public var keys: Int
        /// Key and encoded-copy bytes acknowledged.
        public var bytes: Int
        public var seconds: Double
        public var batches: Int
        public var keysPerSecond: Double { Double(keys) / seconds }
        public var megabytesPerSecond: Double { Double(bytes) / 1e6 / seconds }
    }

    static let table = "bench"
    static let partition = 0
    let settings: Settings
    let directory: String

    /// A run whose engines live in `directory`, which must exist and which the caller removes.
    public init(settings: Settings, directory: String) {
        precondition(settings.problem() == nil, "settings are checked before a run")
        self.settings = settings
        self.directory = directory
    }

    /// Fills the sender's partition, moves it, checks the receiver holds every key and the sender none, and
    /// returns the figures. `progress` gets a line per phase.
    public func run(progress: (String) -> Void) throws -> Result {
        let ring = Ring(partitionCount: Ring.partitionCountMin, members: [RingMember("a"), RingMember("b")])
        let senderStore = try store(settings.sender, "a", ring: ring)
        let receiverStore = try store(settings.receiver, "b", ring: ring)
        let value = [UInt8](repeating: 0x61, count: settings.valueBytes)
        var filled = 0
        var index = 0
        while filled < settings.keys {
            let key = Array("key-\(index)".utf8)
            index += 1
            guard ring.partition(for: key) == Self.partition else { continue }
            let copy = SiblingSet(
                history: VersionVector(["a": 1]), siblings: [Sibling(dot: Dot("a", 1), value: value, timestampMilliseconds: 1)])
            try senderStore.perform(Directive.persist(table: Self.table, key: key, data: SiblingSetCodec.encode(copy)))
            filled += 1
        }
        progress("filled \(filled) keys of \(settings.valueBytes) bytes into partition \(Self.partition) on \(settings.sender)")

        let clock = ContinuousClock()
        let started = clock.now
        func now() -> UInt64 { UInt64((clock.now - started) / .milliseconds(1)) }
        var loop = Loop(
            sender: try Transfer.Sender(node: "a", limits: settings.limits, storage: senderStore, run: 1, nowMilliseconds: 0),
            receiver: Transfer.Receiver(node: "b", policies: [Self.table: .siblings]), stores: ["a": senderStore, "b": receiverStore])
        let id = Transfer.ID(table: Self.table, partition: Self.partition, from: "a", to: "b")
        try loop.perform(try loop.sender.plan([id], nowMilliseconds: 0), on: "a", now: 0)
        while loop.sender.transfers.first?.status != .done {
            guard try loop.step(now: now) else { throw TransferRunError.stalled(loop.sender.transfers.first.map { "\($0.status)" } ?? "none") }
        }
        let seconds = Double((clock.now - started) / .microseconds(1)) / 1e6
        let moved = try receiverStore.storedCopies(table: Self.table).count
        let left = try senderStore.storedCopies(table: Self.table).count
        guard moved == settings.keys, left == 0 else { throw TransferRunError.incomplete(received: moved, left: left) }
        let sent = loop.sender.transfers[0]
        return Result(keys: moved, bytes: sent.bytes, seconds: seconds, batches: loop.batches)
    }

    private func store(_ kind: EngineKind, _ name: String, ring: Ring) throws -> EngineReplicaStore {
        let configuration = TableConfiguration(engine: kind, durability: .buffered)
        return EngineReplicaStore(
            partitionCount: ring.partitionCount, tables: [Self.table: try configuration.openEngine(in: directory + "/\(name)-table")],
            hints: try configuration.openEngine(in: directory + "/\(name)-hints"))
    }

    /// Performs both nodes' directives: messages are delivered at once, in order; timers wait on the wall clock.
    struct Loop {
        var sender: Transfer.Sender
        var receiver: Transfer.Receiver
        let stores: [NodeID: EngineReplicaStore]
        var messages: [(from: NodeID, to: NodeID, Transfer.Message)] = []
        var timers: [(at: UInt64, Transfer.Timer)] = []
        var batches = 0

        mutating func perform(_ directives: [Transfer.Directive], on node: NodeID, now: UInt64) throws {
            for directive in directives {
                switch directive {
                case .send(let to, let message):
                    if case .batch = message { batches += 1 }
                    messages.append((node, to, message))
                case .startTimer(let timer, let after):
                    timers.append((now + after, timer))
                case .log(let line):
                    throw TransferRunError.logged(line)
                default:
                    try stores[node]!.perform(directive)
                }
            }
        }

        /// Handles the next message, or waits for and fires the next timer; false when nothing is left.
        mutating func step(now: () -> UInt64) throws -> Bool {
            if !messages.isEmpty {
                let (from, to, message) = messages.removeFirst()
                let out = Transfer.isForSender(message)
                    ? sender.onMessage(message, from: from, nowMilliseconds: now()) : receiver.onMessage(message, from: from)
                try perform(out, on: to, now: now())
                return true
            }
            guard let next = timers.indices.min(by: { timers[$0].at < timers[$1].at }) else { return false }
            let (at, timer) = timers.remove(at: next)
            if at > now() { Thread.sleep(forTimeInterval: Double(at - now()) / 1_000) }
            try perform(sender.onTimer(timer, nowMilliseconds: now()), on: "a", now: now())
            return true
        }
    }
}

/// Why a transfer benchmark run failed.
public enum TransferRunError: Error, CustomStringConvertible {
    case stalled(String)
    case incomplete(received: Int, left: Int)
    case logged(String)

    public var description: String {
        switch self {
        case .stalled(let status): "the transfer stopped with nothing left to do (status \(status))"
        case .incomplete(let received, let left): "the receiver holds \(received) keys and the sender still \(left)"
        case .logged(let line): "the transfer reported a problem: \(line)"
        }
    }
}

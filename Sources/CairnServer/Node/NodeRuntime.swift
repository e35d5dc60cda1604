import CairnCore
import CairnMembership
import CairnNode
import CairnReplication
import CairnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// One node of a running server: the `NodeShell` over its engines, driven by NIO. Every call into the shell
/// (client requests, peer messages, timers, admin actions, status reads) runs on the `ShellExecutor`'s one
/// thread, off the event loops; sockets only decode and hand over. Timers are NIO scheduled tasks fed the wall
/// time; client replies resolve the HTTP handlers' continuations by request id (`PendingReplies`); peers learn
/// each other's addresses from `PeerAddressBook` messages.
public final class NodeRuntime: @unchecked Sendable {
    public let settings: NodeRuntimeSettings
    let executor = ShellExecutor()
    let group: any EventLoopGroup
    let logger: Logger
    let replies = PendingReplies(pendingMax: ReplicationLimits.pendingRequestsMax)
    let addresses: NIOLockedValueBox<[NodeID: PeerAddress]>
    private let nextRequestID = NIOLockedValueBox<UInt64>(0)
    /// Set once at start, then used on the executor only.
    private(set) var transport: PeerTransport!
    private(set) var wire: WireNodeTransport<NodeMessageCodec>!
    var shell: NodeShell!
    var store: NodeDataDirectory!
    /// The port the peer listener bound.
    public private(set) var peerPort = 0

    public init(settings: NodeRuntimeSettings, group: any EventLoopGroup, logger: Logger) {
        self.settings = settings
        self.group = group
        self.logger = logger
        addresses = NIOLockedValueBox([settings.name: PeerAddress(host: settings.peerHost, port: settings.peerPort)])
    }

    /// Opens the data directory and engines, listens for peers, starts the node and tells the seeds where it is.
    public func start() async throws {
        let transport = try PeerTransport(local: settings.name, group: group, logger: logger) { [weak self] frame in
            self?.onFrame(frame)
        }
        self.transport = transport
        wire = WireNodeTransport(transport: transport, codec: NodeMessageCodec(), logger: logger)
        peerPort = try await transport.listen(host: settings.peerHost, port: settings.peerPort)
        addresses.withLockedValue { $0[settings.name] = PeerAddress(host: settings.peerHost, port: peerPort) }
        for seed in settings.seeds where seed.node != settings.name {
            learn(seed.node, PeerAddress(host: seed.host, port: seed.port))
        }
        let timers = ServerTimers(eventLoop: group.next()) { [weak self] timer, generation in self?.onTimer(timer, generation: generation) }
        try await onShell { [self] in
            let opened = try NodeDataDirectory.open(settings.dataDirectory, partitionCount: settings.partitionCount, logger: logger)
            store = opened
            shell = NodeShell(id: settings.name, transport: wire, timers: timers, replies: replies, observer: opened, tableOpener: opened)
            try opened.startNode(shell: shell, settings: settings, now: WallClock.nowMilliseconds())
        }
        sendAddressBook()
    }

    /// Stops answering: fails the requests still waiting, stops the node cleanly (engines synced, a clean stop
    /// recorded) and closes every connection and engine.
    public func stop() async {
        replies.resolveAll { .failed(id: $0, error: .storageFailure("the node is shutting down")) }
        do {
            try await onShell { [self] in
                guard let shell, let store else { return }
                try store.stop(shell: shell, now: WallClock.nowMilliseconds())
            }
        } catch {
            logger.error("the node did not stop cleanly: \(error)")
        }
        await transport?.shutdown()
        try? await executor.shutdown()
    }

    /// Runs `work` on the shell's executor and waits for it.
    func onShell<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await executor.submit(on: group.next(), work).get()
    }

    /// Runs `work` on the shell's executor without waiting; a failure is logged.
    func onShellLater(_ what: String, _ work: @escaping @Sendable () throws -> Void) {
        executor.submit(on: group.next(), work).whenFailure { [logger] error in logger.error("\(what) failed: \(error)") }
    }

    func newRequestID() -> UInt64 {
        nextRequestID.withLockedValue { id in
            id += 1
            return id
        }
    }

    private func onTimer(_ timer: NodeTimer, generation: UInt64) {
        onShellLater("timer \(timer)") { [self] in
            _ = try shell.onTimer(timer, generation: generation, now: WallClock.nowMilliseconds())
        }
    }

    private func onFrame(_ frame: InboundFrame) {
        if PeerAddressBook.isAddressBook(frame.payload) {
            do {
                let book = try PeerAddressBook.decode(frame.payload)
                for entry in book.entries { learn(entry.node, PeerAddress(host: entry.host, port: entry.port)) }
            } catch {
                logger.warning("address book from \(frame.from) dropped: \(error)")
            }
            return
        }
        guard let (from, message) = wire.decode(frame) else { return }
        onShellLater("message from \(from)") { [self] in
            _ = try shell.onMessage(message, from: from, now: WallClock.nowMilliseconds())
        }
    }
}

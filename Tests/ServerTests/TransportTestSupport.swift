import CairnCore
import CairnServer
import CairnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// Records log lines, so tests can check that a bad connection was logged.
final class LogRecorder: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var all: [String] { lines.withLockedValue { $0 } }

    func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in RecordingLogHandler(recorder: self) }
    }

    func append(_ line: String) {
        lines.withLockedValue { $0.append(line) }
    }

    func contains(_ text: String) -> Bool { all.contains { $0.contains(text) } }
}

/// The `LogHandler` behind `LogRecorder`.
struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append("\(event.level): \(event.message)")
    }
}

/// Collects what a transport's callback received.
final class FrameInbox: Sendable {
    private let frames = NIOLockedValueBox<[InboundFrame]>([])

    var all: [InboundFrame] { frames.withLockedValue { $0 } }
    var count: Int { frames.withLockedValue { $0.count } }

    func append(_ frame: InboundFrame) {
        frames.withLockedValue { $0.append(frame) }
    }
}

/// Polls `condition` every 5 ms until it holds or `timeoutMilliseconds` pass (generous: CI runs suites side by side); returns whether it held.
func eventually(timeoutMilliseconds: Int = 10_000, _ condition: () -> Bool) async throws -> Bool {
    for _ in 0..<(timeoutMilliseconds / 5) {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}

/// Transport settings for tests: short backoffs and timeouts, so reconnects happen within a test's bounds.
func testSettings(_ change: (inout TransportSettings) -> Void = { _ in }) -> TransportSettings {
    var settings = TransportSettings()
    settings.reconnectBackoffInitialMilliseconds = 10
    settings.reconnectBackoffMaxMilliseconds = 100
    settings.connectTimeoutMilliseconds = 500
    settings.handshakeTimeoutMilliseconds = 1_000
    change(&settings)
    return settings
}

/// One node of a test: a transport listening on 127.0.0.1 (an ephemeral port unless given) and its inbox.
struct TestNode {
    let transport: PeerTransport
    let inbox: FrameInbox
    let port: Int

    /// `answer` handles requests (on the event loop); by default it echoes the payload.
    static func start(
        _ name: NodeID, group: any EventLoopGroup, settings: TransportSettings = testSettings(), port: Int = 0,
        logs: LogRecorder = LogRecorder(),
        answer: @escaping @Sendable (InboundFrame) -> Void = { $0.responder?.respond($0.payload) }
    ) async throws -> TestNode {
        let inbox = FrameInbox()
        let transport = try PeerTransport(local: name, settings: settings, group: group, logger: logs.logger("\(name)")) { frame in
            if frame.kind == .request { answer(frame) } else { inbox.append(frame) }
        }
        let bound = try await transport.listen(host: "127.0.0.1", port: port)
        return TestNode(transport: transport, inbox: inbox, port: bound)
    }

    var address: PeerAddress { PeerAddress(host: "127.0.0.1", port: port) }
}

/// Runs `body` with a two-thread event loop group, shut down afterwards whatever happens.
func withGroup<T>(_ body: (MultiThreadedEventLoopGroup) async throws -> T) async throws -> T {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    do {
        let result = try await body(group)
        try await group.shutdownGracefully()
        return result
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound then closed).
func closedPort(group: any EventLoopGroup) async throws -> Int {
    let channel = try await ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .bind(host: "127.0.0.1", port: 0).get()
    let port = try #require(channel.localAddress?.port)
    try await channel.close()
    return port
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

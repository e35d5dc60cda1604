import ArgumentParser
import CairnCore
import CairnHTTP
import CairnServer
import Dispatch
import Foundation
import Hummingbird
import Logging
import NIOPosix
import ServiceLifecycle

/// `cairn server`: runs one node. Peers on `--peer-listen`, clients (the HTTP API) on `--client-listen`, data in
/// `--data-dir`. SIGTERM or SIGINT: stop accepting, drain the requests in flight, stop the node cleanly (engines
/// synced, a clean stop recorded), exit 0.
struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Run one Cairn node (HTTP API for clients, TCP transport for peers).")

    @Option(help: "A config file, JSON (FILE.json) or TOML (FILE.toml) (keys: name, client_listen, peer_listen, data_dir, seeds, zone, partition_count, request_timeout_ms, idle_timeout_seconds, connections_max); flags override it.")
    var config: String?
    @Option(help: "This node's name (default: node-1).")
    var name: String?
    @Option(help: "HOST:PORT of the HTTP API (default: \(ServerConfig.defaultClientListen)).")
    var clientListen: String?
    @Option(help: "HOST:PORT peers connect to (default: \(ServerConfig.defaultPeerListen)).")
    var peerListen: String?
    @Option(help: "The node's data directory, created when missing (required here or in the config).")
    var dataDir: String?
    @Option(help: "Comma-separated seeds NAME@HOST:PORT (their peer addresses) to join through.")
    var seeds: String?
    @Option(help: "This node's zone (replicas are spread over zones).")
    var zone: String?

    func run() throws {
        let file = try config.map { path throws(RuntimeError) in try ServerConfig.load(path) } ?? ServerConfig()
        let settings = try resolve(file)
        let client = try ServerConfig.hostAndPort(clientListen ?? file.clientListen ?? ServerConfig.defaultClientListen, option: "--client-listen")
        let http = try file.httpSettings()
        let done = DispatchSemaphore(value: 0)
        let outcome = LockedOutcome()
        Task {
            do {
                try await Self.serve(settings: settings, client: client, http: http)
            } catch {
                outcome.set("\(error)")
            }
            done.signal()
        }
        done.wait()
        if let failure = outcome.get() { throw RuntimeError(failure) }
    }

    /// The node's settings from the flags, then the config file, then the defaults.
    func resolve(_ file: ServerConfig) throws(RuntimeError) -> NodeRuntimeSettings {
        let name = name ?? file.name ?? "node-1"
        try ServerConfig.checkName(name, option: "--name")
        guard let dataDir = dataDir ?? file.dataDir else { throw RuntimeError("--data-dir is required (or data_dir in --config)") }
        try PathArguments.prepareDirectory(dataDir, option: "--data-dir")
        let peer = try ServerConfig.hostAndPort(peerListen ?? file.peerListen ?? ServerConfig.defaultPeerListen, option: "--peer-listen")
        let seedTexts = seeds.map { $0.split(separator: ",").map(String.init) } ?? file.seeds ?? []
        var seedList: [NodeRuntimeSettings.Seed] = []
        for text in seedTexts { seedList.append(try ServerConfig.seed(text)) }
        let zone = zone ?? file.zone
        if let zone, zone.isEmpty || zone.utf8.count > 64 { throw RuntimeError("--zone '\(zone)' is not within 1…64 bytes") }
        var settings = NodeRuntimeSettings(
            name: NodeID(name), zone: zone, peerHost: peer.host, peerPort: peer.port, dataDirectory: dataDir, seeds: seedList)
        if let count = file.partitionCount {
            guard (Ring.partitionCountMin...Ring.partitionCountMax).contains(count) else {
                throw RuntimeError("partition_count \(count) is not within \(Ring.partitionCountMin)…\(Ring.partitionCountMax)")
            }
            settings.partitionCount = count
        }
        if let timeout = file.requestTimeoutMs {
            guard (100...600_000).contains(timeout) else { throw RuntimeError("request_timeout_ms \(timeout) is not within 100…600000") }
            settings.requestTimeoutMilliseconds = UInt64(timeout)
        }
        return settings
    }

    /// Runs the node and its HTTP API until SIGTERM or SIGINT, then shuts down in order: HTTP first (drains), node last.
    static func serve(settings: NodeRuntimeSettings, client: (host: String, port: Int), http: HTTPServerSettings) async throws {
        var logger = Logger(label: "cairn.\(settings.name)")
        logger.logLevel = .info
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let runtime = NodeRuntime(settings: settings, group: group, logger: logger)
        do {
            try await runtime.start()
        } catch {
            await runtime.stop()
            try? await group.shutdownGracefully()
            throw RuntimeError("the node did not start: \(error)")
        }
        let name = settings.name
        let peerPort = runtime.peerPort
        let app = Application(
            router: CairnHTTPAPI.router(service: runtime, metrics: HTTPMetrics()),
            server: .http1(configuration: CairnHTTPAPI.serverConfiguration(idleTimeoutSeconds: http.idleTimeoutSeconds)),
            configuration: CairnHTTPAPI.applicationConfiguration(host: client.host, port: client.port, settings: http),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? client.port
                printFlushed("cairn server \(name): http://\(client.host):\(port) peers \(settings.peerHost):\(peerPort) data \(settings.dataDirectory)")
            },
            eventLoopGroupProvider: .shared(group), logger: logger)
        let serviceGroup = ServiceGroup(
            configuration: .init(
                services: [.init(service: NodeRuntimeService(runtime: runtime)), .init(service: app)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await serviceGroup.run()
        } catch {
            await runtime.stop()
            try? await group.shutdownGracefully()
            throw RuntimeError("the server stopped: \(error)")
        }
        try? await group.shutdownGracefully()
        printFlushed("cairn server \(name): stopped cleanly")
    }
}

/// The node as a lifecycle service: it runs until the graceful shutdown (after the HTTP server has drained,
/// since services stop in reverse order), then stops the node cleanly.
struct NodeRuntimeService: Service {
    let runtime: NodeRuntime

    func run() async throws {
        try? await gracefulShutdown()
        await runtime.stop()
    }
}

/// A failure message handed from the server's task to the main thread.
final class LockedOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var failure: String?

    func set(_ text: String) { lock.withLock { failure = text } }
    func get() -> String? { lock.withLock { failure } }
}

import ArgumentParser
import CairnBench
import Foundation

/// `cairn bench transport`: round trips between two peer transports over loopback TCP.
struct BenchTransportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "Request/response round trips between two peer transports over 127.0.0.1; prints frames/s and p50/p99 latency.",
        discussion: """
            Starts two PeerTransports in this process, each on its own event loop thread, connected over loopback \
            TCP; the server echoes each request's payload from its event loop (no storage). For each concurrency, \
            that many callers issue --requests round trips in all, each sending its next request when its answer \
            arrives. A request and its response are two frames.
            """)

    @Option(help: "Round trips measured per concurrency level.")
    var requests = 50_000
    @Option(help: "Comma-separated numbers of concurrent callers.")
    var concurrency = "1,16"
    @Option(help: "Bytes of each request's payload (echoed back).")
    var payloadBytes = 100
    @Option(help: "Round trips run before each level, not measured.")
    var warmup = 2_000

    func validate() throws {
        if let problem = try settings().problem { throw ValidationError(problem) }
    }

    func run() throws {
        let settings = try settings()
        let machine = MachineInfo.current()
        if machine.build == "debug" { printError("warning: this is a debug build; use `swift build -c release` for real figures") }
        say("cairn bench transport: \(settings.requests) round trips per level, \(settings.payloadBytes)-byte payloads, loopback TCP")
        say("  \(machine.summary)")
        say("concurrency  requests/s   frames/s   p50 µs   p99 µs  p99.9 µs   max µs")
        _ = try TransportBench.run(settings) { result in
            say(String(format: "%11d %11.0f %10.0f %8.1f %8.1f %9.1f %8.1f", result.concurrency, result.requestsPerSecond,
                       result.framesPerSecond, result.p50Microseconds, result.p99Microseconds, result.p999Microseconds, result.maxMicroseconds))
        }
    }

    private func settings() throws -> TransportBench.Settings {
        let levels = try concurrency.split(separator: ",", omittingEmptySubsequences: false).map { text in
            guard let level = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--concurrency: '\(text)' is not a number")
            }
            return level
        }
        return TransportBench.Settings(requests: requests, concurrencies: levels, payloadBytes: payloadBytes, warmupRequests: warmup)
    }
}

import CairnCore
import CairnServer
import Histogram
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// `cairn bench transport`: request/response round trips between two `PeerTransport`s over loopback TCP
/// (127.0.0.1, ephemeral ports), each on its own event loop thread, the server echoing each payload on its event
/// loop. For each concurrency it runs `requests` round trips from that many concurrent callers and reports
/// requests/s, frames/s (a request and its response are two frames) and round-trip latency percentiles.
public enum TransportBench {
    /// What to run; `problem` names the first setting out of range.
    public struct Settings: Sendable {
        public var requests: Int
        public var concurrencies: [Int]
        public var payloadBytes: Int
        /// Round trips run before each measured level, not counted.
        public var warmupRequests: Int

        public init(requests: Int = 50_000, concurrencies: [Int] = [1, 16], payloadBytes: Int = 100, warmupRequests: Int = 2_000) {
            self.requests = requests
            self.concurrencies = concurrencies
            self.payloadBytes = payloadBytes
            self.warmupRequests = warmupRequests
        }

        /// Largest `requests` per level.
        public static let requestsMax = 10_000_000
        /// Largest concurrency (it must stay under `peerPendingRequestsMax`).
        public static let concurrencyMax = 1_024

        public var problem: String? {
            if requests < 1 || requests > Self.requestsMax { return "requests must be within 1…\(Self.requestsMax), not \(requests)" }
            if concurrencies.isEmpty { return "give at least one concurrency" }
            if let bad = concurrencies.first(where: { $0 < 1 || $0 > Self.concurrencyMax }) {
                return "concurrency must be within 1…\(Self.concurrencyMax), not \(bad)"
            }
            if let bad = concurrencies.first(where: { requests < $0 }) { return "requests (\(requests)) must be at least the concurrency (\(bad))" }
            let payloadMax = TransportSettings().wire.payloadBytesMax
            if payloadBytes < 0 || payloadBytes > payloadMax { return "payload bytes must be within 0…\(payloadMax), not \(payloadBytes)" }
            if warmupRequests < 0 { return "warm-up requests must be 0 or more, not \(warmupRequests)" }
            return nil
        }
    }

    /// One concurrency level's figures.
    public struct Result: Sendable {
        public let concurrency: Int
        public let requests: Int
        public let seconds: Double
        public let p50Microseconds: Double
        public let p99Microseconds: Double
        public let p999Microseconds: Double
        public let maxMicroseconds: Double

        public var requestsPerSecond: Double { Double(requests) / seconds }
        public var framesPerSecond: Double { 2 * requestsPerSecond }
    }

    /// Longest round trip recorded, and the timeout of every request: 10 s.
    static let requestTimeoutMilliseconds: Int64 = 10_000

    /// Runs every level; blocks the calling thread (never call it on an event loop).
    public static func run(_ settings: Settings, progress: (Result) -> Void = { _ in }) throws -> [Result] {
        let clientLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let serverLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer {
            try? clientLoop.syncShutdownGracefully()
            try? serverLoop.syncShutdownGracefully()
        }
        var logger = Logger(label: "cairn.bench.transport")
        logger.logLevel = .warning
        let server = try PeerTransport(local: "server", group: serverLoop, logger: logger) { $0.responder?.respond($0.payload) }
        let client = try PeerTransport(local: "client", group: clientLoop, logger: logger) { _ in }
        defer {
            try? clientLoop.any().makeFutureWithTask {
                await client.shutdown()
                await server.shutdown()
            }.wait()
        }
        let port = try clientLoop.any().makeFutureWithTask { try await server.listen(host: "127.0.0.1", port: 0) }.wait()
        client.setAddress(of: "server", PeerAddress(host: "127.0.0.1", port: port))
        let payload = [UInt8](repeating: 0x5A, count: settings.payloadBytes)
        var results = [Result]()
        for concurrency in settings.concurrencies {
            if settings.warmupRequests > 0 {
                _ = try level(client: client, clientLoop: clientLoop.any(), payload: payload, requests: max(settings.warmupRequests, concurrency), concurrency: concurrency)
            }
            let result = try level(client: client, clientLoop: clientLoop.any(), payload: payload, requests: settings.requests, concurrency: concurrency)
            progress(result)
            results.append(result)
        }
        return results
    }

    /// `requests` round trips from `concurrency` callers, each issuing its next request when its answer arrives.
    private static func level(client: PeerTransport, clientLoop: any EventLoop, payload: [UInt8], requests: Int, concurrency: Int) throws -> Result {
        let histograms = (0..<concurrency).map { _ in
            NIOLockedValueBox(Histogram<UInt64>(highestTrackableValue: UInt64(requestTimeoutMilliseconds) * 1_000_000))
        }
        let start = Measurement.nanoseconds()
        let callers = (0..<concurrency).map { caller in
            let share = requests / concurrency + (caller < requests % concurrency ? 1 : 0)
            return roundTrips(client: client, on: clientLoop, payload: payload, remaining: share, histogram: histograms[caller])
        }
        for caller in callers { try caller.wait() }
        let seconds = Double(Measurement.nanoseconds() - start) / 1e9
        var all = Histogram<UInt64>(highestTrackableValue: UInt64(requestTimeoutMilliseconds) * 1_000_000)
        for histogram in histograms { histogram.withLockedValue { all.add($0) } }
        func microseconds(_ percentile: Double) -> Double { Double(all.valueAtPercentile(percentile)) / 1_000 }
        return Result(
            concurrency: concurrency, requests: requests, seconds: seconds, p50Microseconds: microseconds(50),
            p99Microseconds: microseconds(99), p999Microseconds: microseconds(99.9), maxMicroseconds: Double(all.max) / 1_000)
    }

    private static func roundTrips(
        client: PeerTransport, on loop: any EventLoop, payload: [UInt8], remaining: Int, histogram: NIOLockedValueBox<Histogram<UInt64>>
    ) -> EventLoopFuture<Void> {
        let begin = Measurement.nanoseconds()
        return client.request(to: "server", payload: payload, timeoutMilliseconds: requestTimeoutMilliseconds).flatMap { answer in
            let elapsed = Measurement.nanoseconds() - begin
            histogram.withLockedValue { _ = $0.record(elapsed) }
            guard answer == payload else { return loop.makeFailedFuture(TransportSettingsError("the echo changed the payload")) }
            guard remaining > 1 else { return loop.makeSucceededVoidFuture() }
            return roundTrips(client: client, on: loop, payload: payload, remaining: remaining - 1, histogram: histogram)
        }
    }
}

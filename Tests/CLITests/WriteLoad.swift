import Foundation

/// Concurrent writers over HTTP for the multi-process tests. Each writer owns its keys and cycles over them: it
/// reads a key's context from some node, then writes the key's next value with that context at `w`, and keeps,
/// per key, the last acknowledged (204) value and every value tried after it. A key's current value must then be
/// one of those (a write that was not acknowledged may still have landed and superseded the acknowledged one);
/// anything else lost an acknowledged write.
final class WriteLoad: @unchecked Sendable {
    /// One key's acknowledged history, as far as a check needs it.
    struct KeyRecord {
        var acknowledged: String?
        var triedSince: [String] = []

        /// The values a read of the key may show without an acknowledged write being lost.
        var acceptable: Set<String> { Set(triedSince + (acknowledged.map { [$0] } ?? [])) }
    }

    /// Longest `stop()` waits for the writers to finish their request in flight.
    static let stopSecondsMax = 30.0

    let writers: Int
    let keysPerWriter: Int
    let w: Int
    private let lock = NSLock()
    private var ports: [Int]
    private var records: [String: KeyRecord] = [:]
    private var stopping = false
    private var acknowledgedCount = 0
    private var failedCount = 0
    private let finished = DispatchGroup()

    init(writers: Int, keysPerWriter: Int, w: Int = 2, ports: [Int]) {
        precondition(writers >= 1 && keysPerWriter >= 1 && !ports.isEmpty)
        self.writers = writers
        self.keysPerWriter = keysPerWriter
        self.w = w
        self.ports = ports
    }

    /// The nodes writes go to from now on (round robin).
    func route(to ports: [Int]) {
        precondition(!ports.isEmpty)
        lock.withLock { self.ports = ports }
    }

    /// Writes acknowledged and refused so far.
    var counts: (acknowledged: Int, failed: Int) { lock.withLock { (acknowledgedCount, failedCount) } }

    /// Every key written, acknowledged or not, with its record.
    var keyRecords: [String: KeyRecord] { lock.withLock { records } }

    func start() {
        for writer in 0..<writers {
            finished.enter()
            Thread.detachNewThread { [self] in
                run(writer)
                finished.leave()
            }
        }
    }

    /// Stops the writers; false when one is still in a request after `stopSecondsMax`.
    @discardableResult
    func stop() -> Bool {
        lock.withLock { stopping = true }
        return finished.wait(timeout: .now() + Self.stopSecondsMax) == .success
    }

    private func run(_ writer: Int) {
        var sequence = 0
        while !lock.withLock({ stopping }) {
            sequence += 1
            let key = "w\(writer)-k\(sequence % keysPerWriter)"
            let value = "\(key)-v\(sequence)"
            let port = lock.withLock { ports[(sequence + writer) % ports.count] }
            let context = try? TestHTTPClient.send(port: port, "GET", "/tables/default/keys/\(key)").headers["x-cairn-context"]
            lock.withLock { records[key, default: KeyRecord()].triedSince.append(value) }
            let status = try? TestHTTPClient.send(
                port: port, "PUT", "/tables/default/keys/\(key)?w=\(w)", body: Array(value.utf8),
                headers: context.map { ["X-Cairn-Context": $0] } ?? [:]
            ).status
            lock.withLock {
                if status == 204 {
                    records[key] = KeyRecord(acknowledged: value)
                    acknowledgedCount += 1
                } else {
                    failedCount += 1
                }
            }
            if status != 204 { usleep(20_000) }
        }
    }
}

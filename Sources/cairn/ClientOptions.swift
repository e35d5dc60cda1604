import ArgumentParser
import CairnClient
import Foundation

/// The options every client and admin command shares: which node to ask and how long to wait.
struct ClientOptions: ParsableArguments {
    /// The node `--node` names when not given.
    static let defaultNode = "http://127.0.0.1:8080"

    @Option(help: "The node's HTTP API, http://HOST:PORT.")
    var node = ClientOptions.defaultNode
    @Option(help: "Longest one call may take, in seconds (connecting included).")
    var timeoutSeconds = ClientLimits().requestTimeoutSeconds

    func validate() throws {
        _ = try client()
    }

    /// A client for `--node`; a bad address or timeout is bad usage.
    func client() throws -> CairnClient {
        do {
            return try CairnClient(
                address: try NodeAddress(parsing: node), limits: ClientLimits(requestTimeoutSeconds: timeoutSeconds))
        } catch {
            throw ValidationError(error.description.replacingOccurrences(of: "requestTimeoutSeconds", with: "--timeout-seconds"))
        }
    }

    /// Runs one client call to its end from a synchronous command; a failure becomes one `error:` line, exit 1.
    func call<T: Sendable>(_ body: @escaping @Sendable (CairnClient) async throws(CairnClientError) -> T) throws -> T {
        try Self.call(try client(), body)
    }

    /// Runs one call of `client` to its end from synchronous code; a failure becomes a `RuntimeError`.
    static func call<T: Sendable>(
        _ client: CairnClient, _ body: @escaping @Sendable (CairnClient) async throws(CairnClientError) -> T
    ) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(CairnClientError) {
                outcome.set(.success(try await body(client)))
            } catch {
                outcome.set(.failure(error))
            }
            done.signal()
        }
        done.wait()
        switch outcome.get() {
        case .success(let value): return value
        case .failure(let error): throw RuntimeError(error.description)
        case nil: throw RuntimeError("the call ended without an answer")
        }
    }
}

/// The result of a call finished on another thread, handed back under a lock.
private final class Outcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, CairnClientError>?

    func set(_ result: Result<T, CairnClientError>) {
        lock.withLock { self.result = result }
    }

    func get() -> Result<T, CairnClientError>? {
        lock.withLock { result }
    }
}

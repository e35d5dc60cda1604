import CairnReplication
import Hummingbird

/// Counts and times each request into `HTTPMetrics`, whether it is answered or refused with an error.
///
/// A request is labelled with its table's name only once the node has shown it knows that table (it answered a
/// request on it, or created it); otherwise with `HTTPMetrics.unknownTableLabel`, so bad requests naming made-up
/// tables cannot grow the label set.
struct Measured {
    let metrics: HTTPMetrics

    /// Whether the node knows the table a request names; the handler sets it.
    final class TableSighting {
        var knownToNode = false

        /// Notes what a reply says of the table, and passes it on.
        func note(_ reply: ClientReply) -> ClientReply {
            if case .failed(_, .unknownTable) = reply { return reply }
            knownToNode = true
            return reply
        }
    }

    func callAsFunction(
        table: String?, operation: String, _ handle: (TableSighting) async throws -> Response
    ) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let sighting = TableSighting()
        func record(_ status: Int) {
            let label = table.map { sighting.knownToNode ? $0 : HTTPMetrics.unknownTableLabel } ?? ""
            metrics.recordRequest(table: label, operation: operation, status: status, duration: clock.now - start)
        }
        do {
            let response = try await handle(sighting)
            record(response.status.code)
            return response
        } catch let error as APIError {
            record(error.status.code)
            throw error
        } catch {
            record(500)
            throw error
        }
    }
}

import Hummingbird

/// Counts and times each request into `HTTPMetrics`, whether it is answered or refused with an `APIError`.
struct Measured {
    let metrics: HTTPMetrics

    func callAsFunction(
        table: String?, operation: String, _ handle: () async throws -> Response
    ) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await handle()
            record(table: label(table), operation, response.status.code, clock.now - start)
            return response
        } catch let error as APIError {
            record(table: error.namesUnknownTable ? HTTPMetrics.unknownTableLabel : label(table), operation, error.status.code, clock.now - start)
            throw error
        } catch {
            record(table: label(table), operation, 500, clock.now - start)
            throw error
        }
    }

    private func label(_ table: String?) -> String {
        guard let table else { return "" }
        return (1...HTTPLimits.tableNameBytesMax).contains(table.utf8.count) ? table : HTTPMetrics.unknownTableLabel
    }

    private func record(table: String, _ operation: String, _ status: Int, _ duration: Duration) {
        metrics.recordRequest(table: table, operation: operation, status: status, duration: duration)
    }
}

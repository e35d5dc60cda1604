import Hummingbird

/// `GET /status` (the node's `NodeStatus` as JSON) and `GET /metrics` (Prometheus text).
struct NodeRoutes: Sendable {
    let service: any NodeService
    let metrics: HTTPMetrics

    func add(to router: Router<BasicRequestContext>) {
        router.get("/status") { _, _ in try await status() }
        router.get("/metrics") { _, _ in try await exposition() }
    }

    func status() async throws -> Response {
        try await Measured(metrics: metrics)(table: nil, operation: "status") { _ in
            JSONResponse.make(status: .ok, await service.status())
        }
    }

    /// Sets the node gauges from a fresh status, then writes every metric. A scrape is not counted in itself.
    func exposition() async throws -> Response {
        metrics.recordNodeGauges(await service.status())
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}

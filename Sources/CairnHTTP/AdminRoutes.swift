import Foundation
import Hummingbird

/// `GET /admin/ring`, `POST /admin/join`, `POST /admin/leave`, `GET /admin/plan`, `POST /admin/commit` and
/// `GET /admin/transfers`. A refused action is a 400 naming the reason.
struct AdminRoutes: Sendable {
    let service: any NodeService
    let metrics: HTTPMetrics

    func add(to router: Router<BasicRequestContext>) {
        router.get("/admin/ring") { _, _ in try await answer("admin_ring") { await service.ring() } }
        router.post("/admin/join") { request, _ in
            let node = try await nodeName(request)
            return try await answer("admin_join") { () throws(AdminRefusal) in try await service.stageJoin(node) }
        }
        router.post("/admin/leave") { request, _ in
            let node = try await nodeName(request)
            return try await answer("admin_leave") { () throws(AdminRefusal) in try await service.stageLeave(node) }
        }
        router.get("/admin/plan") { _, _ in try await answer("admin_plan") { () throws(AdminRefusal) in try await service.plan() } }
        router.post("/admin/commit") { _, _ in try await answer("admin_commit") { () throws(AdminRefusal) in try await service.commit() } }
        router.get("/admin/transfers") { _, _ in try await answer("admin_transfers") { await service.transfers() } }
    }

    /// 200 with `action`'s result as JSON; its refusal as a 400.
    private func answer<T: Encodable & Sendable>(
        _ operation: String, _ action: @Sendable () async throws(AdminRefusal) -> T
    ) async throws -> Response {
        try await Measured(metrics: metrics)(table: nil, operation: operation) { _ in
            let result: T
            do {
                result = try await action()
            } catch let refusal as AdminRefusal {
                throw APIError.badRequest(refusal.reason)
            }
            return JSONResponse.make(status: .ok, result)
        }
    }

    /// The `node` of a `{"node": "NAME"}` body, at most `HTTPLimits.tableBodyBytesMax` bytes.
    private func nodeName(_ request: Request) async throws -> String {
        let body = try await RequestBodyReader.bytes(
            of: request, limit: HTTPLimits.tableBodyBytesMax, limitName: "tableBodyBytesMax", what: "admin JSON body")
        let parsed: AdminView.NodeBody
        do {
            parsed = try JSONDecoder().decode(AdminView.NodeBody.self, from: Data(body))
        } catch {
            throw APIError.badRequest("the body must be JSON {\"node\": \"NAME\"}")
        }
        guard !parsed.node.isEmpty, parsed.node.utf8.count <= 64 else {
            throw APIError.badRequest("node name of \(parsed.node.utf8.count) bytes is not within 1…64 bytes")
        }
        return parsed.node
    }
}

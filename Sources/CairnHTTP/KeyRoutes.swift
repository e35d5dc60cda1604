import CairnReplication
import Hummingbird

/// `PUT`, `GET` and `DELETE /tables/{table}/keys/{key}`: decode, ask the node, encode.
struct KeyRoutes: Sendable {
    static let path: RouterPath = "/tables/{table}/keys/{key}"

    let service: any NodeService
    let metrics: HTTPMetrics
    let ids = RequestIDs()

    func add(to router: Router<BasicRequestContext>) {
        router.get(Self.path) { request, context in try await get(request, context) }
        router.put(Self.path) { request, context in try await put(request, context) }
        router.delete(Self.path) { request, context in try await delete(request, context) }
    }

    private func ask(_ sighting: Measured.TableSighting, _ request: ClientRequest) async -> ClientReply {
        sighting.note(await service.perform(request))
    }

    func get(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let table = context.parameters.get("table")
        return try await Measured(metrics: metrics)(table: table, operation: "get") { sighting in
            let query = try QueryOptions(request, allowed: QueryOptions.readParameters)
            let name = try KeyPath.table(table)
            let key = try KeyPath.key(context.parameters.get("key"))
            let reply = await ask(
                sighting, ClientRequest(id: ids.next(), table: name, key: key, operation: .get, options: query.options))
            return try ReplyResponse.forRead(reply)
        }
    }

    /// 204; with `returnbody=true` the key is read back after the write (a separate read with the table's R, so
    /// it may also show writes that landed in between) and answered as a GET is.
    func put(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let table = context.parameters.get("table")
        return try await Measured(metrics: metrics)(table: table, operation: "put") { sighting in
            let query = try QueryOptions(request, allowed: QueryOptions.writeParameters)
            let name = try KeyPath.table(table)
            let key = try KeyPath.key(context.parameters.get("key"))
            let causalContext = try ContextHeader.context(of: request)
            let value = try await RequestBodyReader.bytes(
                of: request, limit: HTTPLimits.valueBytesMax, limitName: "valueBytesMax", what: "value")
            let operation = ClientRequest.Operation.put(value: value, context: causalContext)
            let reply = await ask(
                sighting, ClientRequest(id: ids.next(), table: name, key: key, operation: operation, options: query.options))
            try ReplyResponse.forWrite(reply)
            guard query.returnBody else { return Response(status: .noContent) }
            return try ReplyResponse.forRead(
                await ask(sighting, ClientRequest(id: ids.next(), table: name, key: key, operation: .get)))
        }
    }

    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let table = context.parameters.get("table")
        return try await Measured(metrics: metrics)(table: table, operation: "delete") { sighting in
            let query = try QueryOptions(request, allowed: QueryOptions.deleteParameters)
            let operation = ClientRequest.Operation.delete(context: try ContextHeader.context(of: request))
            let name = try KeyPath.table(table)
            let key = try KeyPath.key(context.parameters.get("key"))
            let reply = await ask(
                sighting, ClientRequest(id: ids.next(), table: name, key: key, operation: operation, options: query.options))
            try ReplyResponse.forWrite(reply)
            return Response(status: .noContent)
        }
    }
}

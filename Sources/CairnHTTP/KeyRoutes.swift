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

    /// Sends one operation on the request's key to the node, with the given options.
    typealias Send = (ClientRequest.Operation, RequestOptions) async -> ClientReply

    func get(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try await serve(request, context, operation: "get", parameters: QueryOptions.readParameters) { send, query in
            try ReplyResponse.forRead(await send(.get, query.options))
        }
    }

    /// 204; with `returnbody=true` the key is read back after the write (a separate read with the table's R, so
    /// it may also show writes that landed in between) and answered as a GET is.
    func put(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try await serve(request, context, operation: "put", parameters: QueryOptions.writeParameters) { send, query in
            let causalContext = try ContextHeader.context(of: request)
            let value = try await RequestBodyReader.bytes(
                of: request, limit: HTTPLimits.valueBytesMax, limitName: "valueBytesMax", what: "value")
            try ReplyResponse.forWrite(await send(.put(value: value, context: causalContext), query.options))
            guard query.returnBody else { return Response(status: .noContent) }
            return try ReplyResponse.forRead(await send(.get, .defaults))
        }
    }

    func delete(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try await serve(request, context, operation: "delete", parameters: QueryOptions.deleteParameters) { send, query in
            try ReplyResponse.forWrite(await send(.delete(context: try ContextHeader.context(of: request)), query.options))
            return Response(status: .noContent)
        }
    }

    /// Measures the request, parses its query, table and key, and hands `handle` a way to ask the node about them.
    private func serve(
        _ request: Request, _ context: BasicRequestContext, operation: String, parameters: Set<String>,
        _ handle: (_ send: Send, _ query: QueryOptions) async throws -> Response
    ) async throws -> Response {
        let table = context.parameters.get("table")
        return try await Measured(metrics: metrics)(table: table, operation: operation) { sighting in
            let query = try QueryOptions(request, allowed: parameters)
            let name = try KeyPath.table(table)
            let key = try KeyPath.key(context.parameters.get("key"))
            return try await handle(
                { operation, options in
                    sighting.note(
                        await service.perform(
                            ClientRequest(id: ids.next(), table: name, key: key, operation: operation, options: options)))
                }, query)
        }
    }
}

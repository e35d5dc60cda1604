import Hummingbird

/// `PUT /tables/{table}` and `GET /tables`.
struct TableRoutes: Sendable {
    let service: any NodeService
    let metrics: HTTPMetrics

    /// The body of `GET /tables`.
    struct Listing: Codable, Equatable {
        var tables: [TableDescription]
    }

    func add(to router: Router<BasicRequestContext>) {
        router.put("/tables/{table}") { request, context in try await create(request, context) }
        router.get("/tables") { _, _ in try await list() }
    }

    /// 200 with the table as the node holds it.
    func create(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let table = context.parameters.get("table")
        return try await Measured(metrics: metrics)(table: table, operation: "create_table") { sighting in
            let name = try KeyPath.table(table)
            let body = try await RequestBodyReader.bytes(
                of: request, limit: HTTPLimits.tableBodyBytesMax, limitName: "tableBodyBytesMax", what: "table JSON body")
            let definition = try TableBody.definition(named: name, json: body)
            let created: TableDescription
            do {
                created = try await service.createTable(definition)
                sighting.knownToNode = true
            } catch let refusal as TableRefusal {
                throw APIError.badRequest("table '\(name)' not created: \(refusal.reason)")
            }
            return JSONResponse.make(status: .ok, created)
        }
    }

    func list() async throws -> Response {
        try await Measured(metrics: metrics)(table: nil, operation: "list_tables") { _ in
            JSONResponse.make(status: .ok, Listing(tables: await service.tables().sorted { $0.name < $1.name }))
        }
    }
}

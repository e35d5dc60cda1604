import CairnHTTP
import Hummingbird
import Testing
import Yams

/// The OpenAPI document and the router agree on every path and method.
@Suite struct OpenAPITests {
    static let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    @Test("every route the router registers is documented, and every documented operation is routed")
    func routesMatchDocument() throws {
        let document = try #require(try Yams.load(yaml: CairnHTTPAPI.openAPIDocument()) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        let documented = Set(paths.flatMap { path, item in
            item.keys.filter(Self.methods.contains).map { "\($0.uppercased()) \(path)" }
        })
        let router = CairnHTTPAPI.router(service: ScriptedNodeService(), metrics: HTTPMetrics())
        let routed = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        #expect(routed == documented)
        #expect(routed.count == 13, "GET, PUT, DELETE of a key; PUT of a table; GET of tables, status and metrics; six admin routes")
    }
}

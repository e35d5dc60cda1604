import Hummingbird
import HummingbirdCore
import Foundation

/// The client HTTP API of a Cairn node: its router, and an application serving it with bounded headers.
///
/// Routes: `PUT|GET|DELETE /tables/{table}/keys/{key}`, `PUT /tables/{table}`, `GET /tables`, `GET /status`,
/// `GET /metrics`, and the admin routes `GET /admin/ring`, `POST /admin/join|leave|commit`, `GET /admin/plan|transfers`. `openapi.yaml` (a resource of this module) documents each.
public enum CairnHTTPAPI {
    /// A router serving `service`, counting into `metrics`.
    public static func router(service: any NodeService, metrics: HTTPMetrics) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        KeyRoutes(service: service, metrics: metrics).add(to: router)
        TableRoutes(service: service, metrics: metrics).add(to: router)
        NodeRoutes(service: service, metrics: metrics).add(to: router)
        AdminRoutes(service: service, metrics: metrics).add(to: router)
        return router
    }

    /// HTTP/1.1 with header limits from `HTTPLimits`, and stalled connections closed after `idleTimeoutSeconds`.
    public static func serverConfiguration(
        idleTimeoutSeconds: Int = HTTPServerSettings.idleTimeoutSecondsDefault
    ) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            idleTimeout: .seconds(Int64(idleTimeoutSeconds)),
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: HTTPLimits.headerFieldBytesMax, maxHeaderListSize: HTTPLimits.headerListBytesMax,
                maxHeaderFieldCount: HTTPLimits.headerFieldCountMax))
    }

    /// Listening on `host`:`port`, accepting at most `settings.connectionsMax` connections at once.
    public static func applicationConfiguration(host: String, port: Int, settings: HTTPServerSettings) -> ApplicationConfiguration {
        ApplicationConfiguration(
            address: .hostname(host, port: port), serverName: "cairn", backlog: HTTPServerSettings.listenBacklogMax,
            availableConnectionsDelegate: MaximumAvailableConnections(settings.connectionsMax))
    }

    /// An application serving the API on `host`:`port`.
    public static func application(
        service: any NodeService, metrics: HTTPMetrics = HTTPMetrics(), host: String = "127.0.0.1", port: Int = 8080,
        settings: HTTPServerSettings = HTTPServerSettings()
    ) -> some ApplicationProtocol {
        Application(
            router: router(service: service, metrics: metrics),
            server: .http1(configuration: serverConfiguration(idleTimeoutSeconds: settings.idleTimeoutSeconds)),
            configuration: applicationConfiguration(host: host, port: port, settings: settings))
    }

    /// The OpenAPI document of this API, as shipped in the module's resources.
    public static func openAPIDocument() throws -> String {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else {
            throw APIError(.internalServerError, "openapi.yaml is missing from the CairnHTTP bundle")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }
}

import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP client for one Cairn node's API (`Sources/CairnHTTP/openapi.yaml`): keys, tables, status, metrics and
/// the admin routes, with typed results. Every call is bounded by `limits`; failures are `CairnClientError`s.
///
/// It depends on none of the node's modules: only SwiftNIO and Foundation.
public struct CairnClient: Sendable {
    public let address: NodeAddress
    public let limits: ClientLimits
    let exchange: HTTPExchange

    /// A client for the node at `address`, connecting on `group` (NIO's shared one by default).
    public init(
        address: NodeAddress, limits: ClientLimits = ClientLimits(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(CairnClientError) {
        if let problem = limits.problem { throw .invalidArgument(problem) }
        self.address = address
        self.limits = limits
        exchange = HTTPExchange(address: address, limits: limits, group: group)
    }

    /// `GET /tables/{table}/keys/{key}`.
    public func get(table: String, key: [UInt8], options: ReadOptions = ReadOptions()) async throws(CairnClientError)
        -> ReadResult
    {
        let query = [("r", options.r.map(String.init)), ("pr", options.pr.map(String.init))]
        let request = try keyRequest(.GET, table: table, key: key, query: query)
        return try readResult(await exchange.send(request), route: request.route)
    }

    /// `PUT /tables/{table}/keys/{key}` with `value` as the body and `context` (from an earlier read) as
    /// `X-Cairn-Context`. Nil on 204; with `options.returnBody`, what the key now holds.
    @discardableResult
    public func put(
        table: String, key: [UInt8], value: [UInt8], context: String? = nil, options: WriteOptions = WriteOptions()
    ) async throws(CairnClientError) -> ReadResult? {
        guard value.count <= limits.valueBytesMax else {
            throw .invalidArgument("value of \(value.count) bytes exceeds valueBytesMax (\(limits.valueBytesMax) bytes)")
        }
        let query = [
            ("w", options.w.map(String.init)), ("pw", options.pw.map(String.init)),
            ("returnbody", options.returnBody ? "true" : nil),
        ]
        var request = try keyRequest(.PUT, table: table, key: key, query: query, context: context)
        request.body = value
        request.contentType = "application/octet-stream"
        let reply = try await exchange.send(request)
        if reply.status == 204 { return nil }
        return try readResult(reply, route: request.route)
    }

    /// `DELETE /tables/{table}/keys/{key}`: a tombstone superseding what `context` saw.
    public func delete(table: String, key: [UInt8], context: String? = nil, options: WriteOptions = WriteOptions())
        async throws(CairnClientError)
    {
        let query = [("w", options.w.map(String.init)), ("pw", options.pw.map(String.init))]
        let request = try keyRequest(.DELETE, table: table, key: key, query: query, context: context)
        let reply = try await exchange.send(request)
        guard reply.status == 204 else { throw Self.unexpected(reply, route: request.route, node: address) }
    }

    private func keyRequest(
        _ method: HTTPMethod, table: String, key: [UInt8], query: [(String, String?)], context: String? = nil
    ) throws(CairnClientError) -> HTTPExchange.Request {
        guard !key.isEmpty else { throw .invalidArgument("the key is empty") }
        let parameters = query.compactMap { name, value in value.map { "\(name)=\($0)" } }
        let target =
            "\(try Self.tablePath(table))/keys/\(PathSegment.encode(key))"
            + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
        let headers = context.map { [("X-Cairn-Context", $0)] } ?? []
        return HTTPExchange.Request(method: method, target: target, headers: headers)
    }

    static func tablePath(_ table: String) throws(CairnClientError) -> String {
        guard !table.isEmpty else { throw .invalidArgument("the table name is empty") }
        return "/tables/\(PathSegment.encode(table.utf8))"
    }

    /// 200, 300 and 404 as a `ReadResult`; anything else an error.
    private func readResult(_ reply: HTTPExchange.Reply, route: String) throws(CairnClientError) -> ReadResult {
        let context = reply.header("X-Cairn-Context")
        switch reply.status {
        case 200:
            guard let context else { throw .invalidResponse(route: route, problem: "a 200 without X-Cairn-Context") }
            return .value(reply.body, context: context)
        case 300:
            let siblings = try Self.decode(SiblingsBody.self, reply, route: route)
            let values = try siblings.siblings.enumerated().map { index, sibling throws(CairnClientError) in
                guard let data = Data(base64Encoded: sibling.valueBase64) else {
                    throw .invalidResponse(route: route, problem: "sibling \(index + 1)'s value_base64 is not base64")
                }
                return [UInt8](data)
            }
            return .siblings(values, context: siblings.context)
        case 404 where reply.header("Content-Type")?.hasPrefix("application/json") == true:
            return .notFound(context: context)
        default:
            throw Self.unexpected(reply, route: route, node: address)
        }
    }

    /// The body of a 300.
    struct SiblingsBody: Decodable {
        struct Sibling: Decodable {
            var valueBase64: String
            enum CodingKeys: String, CodingKey { case valueBase64 = "value_base64" }
        }
        var context: String
        var siblings: [Sibling]
    }

    /// The server's error body.
    struct ErrorBody: Decodable {
        var error: String
        var replicasAnswered: Int?
        var replicasNeeded: Int?
        enum CodingKeys: String, CodingKey {
            case error
            case replicasAnswered = "replicas_answered"
            case replicasNeeded = "replicas_needed"
        }
    }

    /// The error for an answer the call did not expect: the server's `{"error": ...}` when it sent one, a
    /// missing route on an unexplained 404.
    static func unexpected(_ reply: HTTPExchange.Reply, route: String, node: NodeAddress) -> CairnClientError {
        if let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(reply.body)) {
            return .server(
                status: reply.status, message: body.error, replicasAnswered: body.replicasAnswered,
                replicasNeeded: body.replicasNeeded)
        }
        if reply.status == 404 { return .routeMissing(route: route, node: node.description) }
        let text = String(decoding: reply.body.prefix(200), as: UTF8.self)
            .split(whereSeparator: \.isNewline).joined(separator: " ")
        return .server(
            status: reply.status, message: text.isEmpty ? "(no body)" : text, replicasAnswered: nil, replicasNeeded: nil)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ reply: HTTPExchange.Reply, route: String) throws(CairnClientError)
        -> T
    {
        do {
            return try JSONDecoder().decode(type, from: Data(reply.body))
        } catch let error as DecodingError {
            throw .invalidResponse(route: route, problem: "its JSON does not decode: \(Self.summary(error))")
        } catch {
            throw .invalidResponse(route: route, problem: "its JSON does not decode: \(error)")
        }
    }

    /// A decoding error in one line: what was wrong, and where (e.g. `missing field 'epoch'`).
    static func summary(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the top level" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context))")
        case .typeMismatch(let type, let context): return "\(path(context)) is not of type \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context): return "not valid JSON at \(path(context))"
        @unknown default: return "\(error)"
        }
    }
}

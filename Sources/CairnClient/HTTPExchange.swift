import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 request to a node and its whole answer, on a fresh connection that is closed afterwards.
///
/// Bounded: the call fails after `ClientLimits.requestTimeoutSeconds` (connecting included) and stops reading
/// past `ClientLimits.responseBytesMax`.
struct HTTPExchange: Sendable {
    /// What to send.
    struct Request: Sendable {
        var method: HTTPMethod
        /// The path and query, already percent-encoded.
        var target: String
        var headers: [(String, String)] = []
        var body: [UInt8]? = nil
        var contentType: String? = nil

        /// `GET /status`: how errors name the call.
        var route: String { "\(method.rawValue) \(target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target)" }
    }

    /// What came back.
    struct Reply: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: [UInt8]

        /// The first header named `name` (case-insensitive).
        func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }
    }

    let address: NodeAddress
    let limits: ClientLimits
    let group: any EventLoopGroup

    func send(_ request: Request) async throws(CairnClientError) -> Reply {
        let eventLoop = group.next()
        let promise = eventLoop.makePromise(of: Reply.self)
        let head = requestHead(request)
        let body = request.body
        let bytesMax = limits.responseBytesMax
        let timeout = TimeAmount.nanoseconds(Int64(limits.requestTimeoutSeconds * 1_000_000_000))
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(ExchangeFailure.timedOut) }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(
                        ResponseCollector(head: head, body: body, promise: promise, bytesMax: bytesMax))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            timer.cancel()
            promise.fail(ExchangeFailure.timedOut)
            throw .cannotConnect(node: address.description, reason: Self.connectReason(error))
        }
        do {
            let reply = try await promise.futureResult.get()
            timer.cancel()
            channel.close(promise: nil)
            return reply
        } catch {
            timer.cancel()
            channel.close(promise: nil)
            throw failure(error, route: request.route)
        }
    }

    private func requestHead(_ request: Request) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "\(address.host):\(address.port)")
        headers.add(name: "User-Agent", value: "cairn-client")
        headers.add(name: "Connection", value: "close")
        for (name, value) in request.headers { headers.add(name: name, value: value) }
        if let body = request.body {
            headers.add(name: "Content-Length", value: String(body.count))
            if let type = request.contentType { headers.add(name: "Content-Type", value: type) }
        } else if request.method == .PUT || request.method == .POST {
            headers.add(name: "Content-Length", value: "0")
        }
        return HTTPRequestHead(version: .http1_1, method: request.method, uri: request.target, headers: headers)
    }

    private func failure(_ error: any Error, route: String) -> CairnClientError {
        switch error as? ExchangeFailure {
        case .timedOut: .timedOut(route: route, node: address.description, seconds: limits.requestTimeoutSeconds)
        case .tooLarge: .responseTooLarge(route: route, bytesMax: limits.responseBytesMax)
        case .closedEarly: .connectionLost(route: route, reason: "the node closed the connection before answering in full")
        case nil: .connectionLost(route: route, reason: "\(error)")
        }
    }

    /// "connection refused" rather than NIO's structure of every attempt.
    private static func connectReason(_ error: any Error) -> String {
        if let connection = error as? NIOConnectionError {
            let errors = connection.connectionErrors.map(\.error)
            if errors.contains(where: { ($0 as? IOError)?.errnoCode == ECONNREFUSED }) { return "connection refused" }
            if let first = errors.first { return "\(first)" }
            if connection.dnsAError != nil || connection.dnsAAAAError != nil { return "cannot resolve host '\(connection.host)'" }
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED { return "connection refused" }
        if case ChannelError.connectTimeout = error { return "connecting timed out" }
        return "\(error)"
    }
}

/// How an exchange failed inside the channel.
enum ExchangeFailure: Error {
    case timedOut, tooLarge, closedEarly
}

/// Sends the request once connected, gathers the response, and completes `promise` with it or a failure.
final class ResponseCollector: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let head: HTTPRequestHead
    private let requestBody: [UInt8]?
    private let promise: EventLoopPromise<HTTPExchange.Reply>
    private let bytesMax: Int
    private var responseHead: HTTPResponseHead?
    private var body: [UInt8] = []

    init(head: HTTPRequestHead, body: [UInt8]?, promise: EventLoopPromise<HTTPExchange.Reply>, bytesMax: Int) {
        self.head = head
        self.requestBody = body
        self.promise = promise
        self.bytesMax = bytesMax
    }

    func channelActive(context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if let requestBody, !requestBody.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: requestBody)))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            responseHead = head
        case .body(var buffer):
            guard body.count + buffer.readableBytes <= bytesMax else {
                promise.fail(ExchangeFailure.tooLarge)
                context.close(promise: nil)
                return
            }
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            if let responseHead {
                promise.succeed(
                    HTTPExchange.Reply(
                        status: Int(responseHead.status.code), headers: responseHead.headers.map { ($0.name, $0.value) },
                        body: body))
            } else {
                promise.fail(ExchangeFailure.closedEarly)
            }
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(ExchangeFailure.closedEarly)  // no effect once the response completed it
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}

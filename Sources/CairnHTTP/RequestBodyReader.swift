import Hummingbird

/// Reads a request body up to a limit, refusing a larger one with a 400 that names the limit.
enum RequestBodyReader {
    /// The body's bytes. A `Content-Length` over `limit` is refused before reading; a body that grows past it
    /// while streaming (chunked) is refused at the first byte over.
    static func bytes(of request: Request, limit: Int, limitName: String, what: String) async throws -> [UInt8] {
        func tooLarge(_ size: String) -> APIError {
            .badRequest("\(what) of \(size) bytes exceeds \(limitName) (\(limit) bytes)")
        }
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw tooLarge(String(declared))
        }
        var bytes: [UInt8] = []
        for try await chunk in request.body {
            guard bytes.count + chunk.readableBytes <= limit else { throw tooLarge("more than \(limit)") }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        return bytes
    }
}

import CairnCore
import Foundation
import Hummingbird

/// An error answer: its status and a JSON body `{"error": "..."}` naming the problem, plus on a missed quorum
/// `replicas_answered` and `replicas_needed`.
public struct APIError: HTTPResponseError, Equatable {
    public var status: HTTPResponse.Status
    public var message: String
    public var replicasAnswered: Int?
    public var replicasNeeded: Int?

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }

    /// The answer for a request the replication core refused.
    public init(_ error: ReplicationError) {
        switch error {
        case .timeout(let needed, let got):
            self.init(.serviceUnavailable, "quorum not reached in time: \(got) of \(needed) replicas answered")
            replicasAnswered = got
            replicasNeeded = needed
        case .overloaded:
            self.init(.serviceUnavailable, "node overloaded: \(error)")
        case .storageFailure, .corruptReplicaData:
            self.init(.internalServerError, error.description)
        case .unknownTable, .tooManySiblings, .versionVectorTooLong, .valueTooLarge, .keyInvalid, .quorumInvalid:
            self.init(.badRequest, error.description)
        }
    }

    struct Body: Codable, Equatable {
        var error: String
        var replicasAnswered: Int?
        var replicasNeeded: Int?

        enum CodingKeys: String, CodingKey {
            case error
            case replicasAnswered = "replicas_answered"
            case replicasNeeded = "replicas_needed"
        }
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: message, replicasAnswered: replicasAnswered, replicasNeeded: replicasNeeded)
        return JSONResponse.make(status: status, body)
    }
}

/// JSON bodies with sorted keys and a trailing newline, so curl output reads well.
enum JSONResponse {
    static func make(status: HTTPResponse.Status, _ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding our own plain structs cannot fail; an empty object is still valid JSON if it ever did.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data + Data("\n".utf8))))
    }
}

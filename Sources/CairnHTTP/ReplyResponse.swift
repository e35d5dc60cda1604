import CairnReplication
import Foundation
import Hummingbird

/// Turns the core's answer to a read into the HTTP answer: 200 with the value, 300 with the siblings as JSON,
/// 404 when nothing is there (with the context when a tombstone is), and the error answers.
enum ReplyResponse {
    /// The `300 Multiple Choices` body. `last_modified` is null: the core's reply carries no per-sibling timestamp.
    struct Siblings: Codable, Equatable {
        struct Sibling: Codable, Equatable {
            var valueBase64: String
            var lastModified: String?

            enum CodingKeys: String, CodingKey {
                case valueBase64 = "value_base64"
                case lastModified = "last_modified"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(valueBase64, forKey: .valueBase64)
                try container.encode(lastModified, forKey: .lastModified)  // null, not absent
            }
        }

        var context: String
        var siblings: [Sibling]
    }

    static func forRead(_ reply: ClientReply) throws(APIError) -> Response {
        switch reply {
        case .values(_, let values, let context):
            return found(values, context: context)
        case .written:
            throw APIError(.internalServerError, "the node answered a read with a write acknowledgement")
        case .failed(_, let error):
            throw APIError(error)
        }
    }

    static func found(_ values: [[UInt8]], context: [UInt8]) -> Response {
        let encodedContext = ContextHeader.encode(context)
        switch values.count {
        case 0:
            let headers: HTTPFields = ContextHeader.recordsHistory(context) ? [ContextHeader.name: encodedContext] : [:]
            return JSONResponse.make(status: .notFound, APIError.Body(error: "not found"), headers: headers)
        case 1:
            return Response(
                status: .ok,
                headers: [.contentType: "application/octet-stream", ContextHeader.name: encodedContext],
                body: .init(byteBuffer: ByteBuffer(bytes: values[0])))
        default:
            let body = Siblings(
                context: encodedContext,
                siblings: values.map { Siblings.Sibling(valueBase64: Data($0).base64EncodedString(), lastModified: nil) })
            return JSONResponse.make(status: .multipleChoices, body, headers: [ContextHeader.name: encodedContext])
        }
    }

    static func forWrite(_ reply: ClientReply) throws(APIError) {
        switch reply {
        case .written:
            return
        case .values:
            throw APIError(.internalServerError, "the node answered a write with values")
        case .failed(_, let error):
            throw APIError(error)
        }
    }
}

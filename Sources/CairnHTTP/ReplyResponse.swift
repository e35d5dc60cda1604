import CairnReplication
import Foundation
import Hummingbird

/// Turns the core's answer to a read into the HTTP answer: 200 with the value, 300 with the siblings as JSON,
/// 404 when nothing is there (with the context when a tombstone is), and the error answers.
enum ReplyResponse {
    /// The `300 Multiple Choices` body. `last_modified` is each sibling's write time (the coordinating node's clock,
    /// ISO 8601 in UTC with milliseconds), or null when the reply did not carry it.
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
                try container.encode(lastModified, forKey: .lastModified)  // null when unknown, not absent
            }
        }

        var context: String
        var siblings: [Sibling]
    }

    static func forRead(_ reply: ClientReply) throws(APIError) -> Response {
        switch reply {
        case .values(_, let values, let context, let modified):
            return found(values, context: context, modifiedMilliseconds: modified)
        case .written:
            throw APIError(.internalServerError, "the node answered a read with a write acknowledgement")
        case .failed(_, let error):
            throw APIError(error)
        }
    }

    /// `milliseconds` since 1970 as ISO 8601 in UTC with milliseconds, e.g. `2026-11-25T01:30:00.123Z`.
    static func timestamp(milliseconds: UInt64) -> String {
        // Whole seconds through the style, the milliseconds appended exactly (a Double of the time would round
        // .123 down to .122).
        let seconds = Date(timeIntervalSince1970: Double(milliseconds / 1_000)).formatted(wholeSecondsStyle)
        assert(seconds.hasSuffix("Z"), "the style writes UTC as Z")
        return seconds.dropLast() + "." + String(String(milliseconds % 1_000 + 1_000).dropFirst()) + "Z"
    }

    /// One value-type style for every sibling (a formatter per call was built on each 300 reply's path).
    static let wholeSecondsStyle = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)

    static func found(_ values: [[UInt8]], context: [UInt8], modifiedMilliseconds: [UInt64] = []) -> Response {
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
                siblings: values.indices.map { index in
                    Siblings.Sibling(
                        valueBase64: Data(values[index]).base64EncodedString(),
                        lastModified: modifiedMilliseconds.count == values.count ? timestamp(milliseconds: modifiedMilliseconds[index]) : nil)
                })
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

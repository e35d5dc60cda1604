import CairnCore
import CairnReplication
import Foundation
import Hummingbird

/// The `X-Cairn-Context` header: the opaque causal context, in standard base64 with padding.
public enum ContextHeader {
    public static let name = HTTPFields.Element.Name("X-Cairn-Context")!

    /// The context a request carries, nil when it has none. Throws when it is over its limit, not base64, or
    /// not a context the core can read.
    static func context(of request: Request) throws(APIError) -> [UInt8]? {
        let values = request.headers[values: name]
        guard let text = values.first else { return nil }
        guard values.count == 1 else { throw .badRequest("malformed X-Cairn-Context: the header is given \(values.count) times") }
        guard text.utf8.count <= HTTPLimits.contextHeaderBytesMax else {
            throw .badRequest(
                "malformed X-Cairn-Context: \(text.utf8.count) bytes exceed contextHeaderBytesMax (\(HTTPLimits.contextHeaderBytesMax) bytes)")
        }
        guard let data = Data(base64Encoded: text) else { throw .badRequest("malformed X-Cairn-Context: it is not base64") }
        let bytes = [UInt8](data)
        do {
            _ = try CausalContext.decode(bytes)
        } catch {
            throw .badRequest("malformed X-Cairn-Context: \(error)")
        }
        return bytes
    }

    static func encode(_ context: [UInt8]) -> String {
        Data(context).base64EncodedString()
    }

    /// Whether a read's context records any write: false when the key was never written (no tombstone either).
    static func recordsHistory(_ context: [UInt8]) -> Bool {
        (try? CausalContext.decode(context)).map { $0 != .empty } ?? true
    }
}
